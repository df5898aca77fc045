package fuse

import (
	"context"
	"errors"
	"syscall"

	"github.com/alluxio-go/alluxio/client"
)

// errNotSupported marks what Alluxio's write-once files cannot do (a
// random write, an append to a complete file, a truncate to a length
// other than 0 or the current one). It becomes EOPNOTSUPP.
var errNotSupported = errors.New("not supported by Alluxio's write-once files")

// errBusy marks a file that cannot be used now because a writer holds it.
var errBusy = errors.New("the file is being written")

// maxNameLen is the longest name of one path component, as on Linux's
// local file systems (NAME_MAX).
const maxNameLen = 255

// toErrno maps an error of the client (or of this package) to the errno the
// kernel returns to the application. It is the only place errors become
// numbers: the rest of the package passes errors along.
func toErrno(err error) syscall.Errno {
	var en syscall.Errno
	switch {
	case err == nil:
		return 0
	case errors.As(err, &en):
		return en
	case errors.Is(err, context.Canceled):
		return syscall.EINTR
	case errors.Is(err, errNotSupported):
		return syscall.EOPNOTSUPP
	case errors.Is(err, errBusy), errors.Is(err, client.ErrIncomplete), errors.Is(err, client.ErrPrecondition):
		// A file still being written; a mount point that cannot be
		// deleted; a file already complete.
		return syscall.EBUSY
	case errors.Is(err, client.ErrNotFound):
		return syscall.ENOENT
	case errors.Is(err, client.ErrAlreadyExists):
		return syscall.EEXIST
	case errors.Is(err, client.ErrNotEmpty):
		return syscall.ENOTEMPTY
	case errors.Is(err, client.ErrReadOnly):
		return syscall.EROFS
	case errors.Is(err, client.ErrPermission):
		return syscall.EACCES
	case errors.Is(err, client.ErrIsDirectory):
		return syscall.EISDIR
	case errors.Is(err, client.ErrNotDirectory):
		return syscall.ENOTDIR
	case errors.Is(err, client.ErrCrossMount):
		return syscall.EXDEV
	case errors.Is(err, client.ErrNoSpace):
		return syscall.ENOSPC
	case errors.Is(err, client.ErrInvalidPath), errors.Is(err, client.ErrInvalidArg):
		return syscall.EINVAL
	default:
		// Unavailable after the retry budget, corrupt data, internal
		// errors: the operation failed for a reason the caller cannot fix.
		return syscall.EIO
	}
}

// checkName refuses a name the kernel passes that no POSIX system would
// hold.
func checkName(name string) syscall.Errno {
	if len(name) > maxNameLen {
		return syscall.ENAMETOOLONG
	}
	return 0
}
