package conf

import "strings"

// Keys of authentication, transport security, impersonation and the audit
// log. The TLS keys are this project's (Alluxio OSS has none: they take the
// place of its CUSTOM authentication).
const (
	SecurityLoginImpersonationUsername = "alluxio.security.login.impersonation.username"
	NetworkTLSEnabled                  = "alluxio.network.tls.enabled"
	NetworkTLSCertFile                 = "alluxio.network.tls.cert.file"
	NetworkTLSKeyFile                  = "alluxio.network.tls.key.file"
	NetworkTLSCAFile                   = "alluxio.network.tls.ca.file"
	MasterAuditLoggingEnabled          = "alluxio.master.audit.logging.enabled"
	MasterAuditLoggingQueueCapacity    = "alluxio.master.audit.logging.queue.capacity"
)

// ImpersonationPrefix starts the master keys that allow a user to act for
// others: alluxio.master.security.impersonation.<user>.users and
// alluxio.master.security.impersonation.<user>.groups.
const ImpersonationPrefix = "alluxio.master.security.impersonation."

var authnKeys = []Key{
	str(SecurityLoginImpersonationUsername, "_HDFS_USER_", "User a client acts for, when the masters allow its login user "+
		"to impersonate it (alluxio.master.security.impersonation.*). _NONE_ acts as the login user; so does _HDFS_USER_, "+
		"which in Alluxio means the Hadoop client's user and there is no Hadoop client here."),
	flag(NetworkTLSEnabled, "false", "Whether every port (master and worker rpc and web, the embedded journal, the proxy) "+
		"speaks mutual TLS: both sides show certificates signed by alluxio.network.tls.ca.file, and a caller's user is "+
		"the common name of its certificate."),
	str(NetworkTLSCertFile, "", "PEM certificate this process shows (as server and as client); with TLS on, required."),
	str(NetworkTLSKeyFile, "", "PEM private key of alluxio.network.tls.cert.file."),
	str(NetworkTLSCAFile, "", "PEM certificates of the authorities whose certificates this process trusts."),
	flag(MasterAuditLoggingEnabled, "false", "Whether the master writes one line per metadata operation to master_audit.log "+
		"beside its log."),
	num(MasterAuditLoggingQueueCapacity, "10000", "How many audit lines wait for the writer at most; lines beyond it are "+
		"dropped and counted (alluxio_master_audit_log_entries_dropped_total)."),
}

// impersonationKey describes alluxio.master.security.impersonation.<user>.users
// and .groups for any user.
func impersonationKey(name string) (Key, bool) {
	rest, ok := strings.CutPrefix(name, ImpersonationPrefix)
	if !ok {
		return Key{}, false
	}
	i := strings.LastIndex(rest, ".")
	if i <= 0 {
		return Key{}, false
	}
	user, kind := rest[:i], rest[i+1:]
	switch kind {
	case "users":
		return Key{Name: name, Type: TypeList, Doc: "Users " + user + " may impersonate (comma list, or * for anyone)."}, true
	case "groups":
		return Key{Name: name, Type: TypeList, Doc: "Groups whose members " + user + " may impersonate (comma list, or * for any)."}, true
	}
	return Key{}, false
}
