//go:build failpoints

package failpoint

import (
	"os"
	"strings"
)

var enabled = func() map[string]bool {
	m := map[string]bool{}
	for _, name := range strings.Split(os.Getenv("ALLUXIO_FAILPOINTS"), ",") {
		if name = strings.TrimSpace(name); name != "" {
			m[name] = true
		}
	}
	return m
}()

// Enabled reports whether the failpoint name is switched on.
func Enabled(name string) bool { return enabled[name] }

// Active lists the failpoints switched on, for the log.
func Active() string {
	names := make([]string, 0, len(enabled))
	for n := range enabled {
		names = append(names, n)
	}
	return strings.Join(names, ",")
}
