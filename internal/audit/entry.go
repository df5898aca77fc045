package audit

import (
	"strconv"
	"time"
)

// Entry is one operation as the audit log records it.
type Entry struct {
	// Time is when the operation started.
	Time time.Time
	// Succeeded is false for an operation that failed for any reason;
	// Allowed is false only for one refused for lack of permission.
	Succeeded, Allowed bool
	// User is who the operation acted as ("" when the server does not
	// authenticate); Group is the user's primary group, filled in by the
	// Writer when empty.
	User, Group string
	// AuthType is how the server established User (NOSASL, SIMPLE, TLS).
	AuthType string
	// Addr is the caller's host:port, "" when unknown.
	Addr string
	// Cmd is the operation in Alluxio's words (createFile, getFileInfo,
	// delete, ...); Src and Dst its paths, "" for none.
	Cmd, Src, Dst string
	// Perm is the source's owner, group and mode after the operation;
	// nil when there is none (it failed, or it was removed).
	Perm *Perm
	// Duration is how long the operation took.
	Duration time.Duration
}

// Perm is an inode's owner, group and permission bits.
type Perm struct {
	Owner, Group string
	Mode         uint32
}

// AppendLine appends e's fields (without a timestamp or newline) to b in
// Alluxio's format.
func (e *Entry) AppendLine(b []byte) []byte {
	b = append(b, "succeeded="...)
	b = strconv.AppendBool(b, e.Succeeded)
	b = append(b, "\tallowed="...)
	b = strconv.AppendBool(b, e.Allowed)
	b = append(b, "\tugi="...)
	if e.User == "" {
		b = append(b, "null"...)
	} else {
		b = append(b, e.User...)
		b = append(b, ',')
		b = append(b, e.Group...)
	}
	b = append(b, " (AUTH="...)
	b = append(b, e.AuthType...)
	b = append(b, ")\tip="...)
	if e.Addr == "" {
		b = append(b, "null"...)
	} else {
		// Alluxio prints a Java InetSocketAddress: "/host:port".
		b = append(b, '/')
		b = append(b, e.Addr...)
	}
	b = append(b, "\tcmd="...)
	b = append(b, e.Cmd...)
	b = append(b, "\tsrc="...)
	b = orNull(b, e.Src)
	b = append(b, "\tdst="...)
	b = orNull(b, e.Dst)
	b = append(b, "\tperm="...)
	if e.Perm == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, e.Perm.Owner...)
		b = append(b, ':')
		b = append(b, e.Perm.Group...)
		b = append(b, ':')
		b = AppendMode(b, e.Perm.Mode)
	}
	b = append(b, "\texecutionTimeUs="...)
	return strconv.AppendInt(b, e.Duration.Microseconds(), 10)
}

func orNull(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return append(b, s...)
}

// AppendMode appends the nine permission bits of mode as ls shows them
// (rwxr-xr-x).
func AppendMode(b []byte, mode uint32) []byte {
	const letters = "rwx"
	for i := 8; i >= 0; i-- {
		if mode&(1<<uint(i)) != 0 {
			b = append(b, letters[(8-i)%3])
		} else {
			b = append(b, '-')
		}
	}
	return b
}
