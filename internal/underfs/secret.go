package underfs

import (
	"maps"
	"strings"
)

// Masked is what a secret mount option shows as, as in Alluxio.
const Masked = "******"

// IsSecret reports whether the mount option (or property) key holds a
// credential (an object store's access or secret key, a password, a
// session token), which is shown masked wherever options are shown: logs,
// the mount table, configuration reports, the web pages. Alluxio masks
// access key ids too.
func IsSecret(key string) bool {
	k := strings.ToLower(key)
	for _, word := range []string{"secret", "password", "accesskey", "access.key", "session.token", "sessiontoken", "credential"} {
		if strings.Contains(k, word) {
			return true
		}
	}
	return false
}

// MaskSecrets returns a copy of props with the values of secret keys
// replaced by Masked.
func MaskSecrets(props map[string]string) map[string]string {
	if props == nil {
		return nil
	}
	out := maps.Clone(props)
	for k := range out {
		if IsSecret(k) {
			out[k] = Masked
		}
	}
	return out
}
