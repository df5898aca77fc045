package local

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// classify maps an error from package os to the errs sentinel callers test
// for. The errno's own words are kept as detail only when the sentinel
// does not already say the same, to avoid "no such file or directory: not
// found".
func classify(err error) (sentinel error, detail string) {
	if errors.Is(err, os.ErrClosed) {
		return errs.ErrPrecondition, "already closed"
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return errs.ErrInternal, err.Error()
	}
	switch errno {
	case syscall.ENOENT:
		return errs.ErrNotFound, ""
	case syscall.EEXIST:
		return errs.ErrAlreadyExists, ""
	case syscall.ENOTEMPTY:
		return errs.ErrNotEmpty, ""
	case syscall.EISDIR:
		return errs.ErrIsDirectory, ""
	case syscall.ENOTDIR:
		return errs.ErrNotDirectory, ""
	case syscall.EACCES, syscall.EPERM:
		return errs.ErrPermission, ""
	case syscall.EROFS:
		return errs.ErrPermission, errno.Error()
	case syscall.ENOSPC, syscall.EDQUOT, syscall.EFBIG:
		return errs.ErrNoSpace, errno.Error()
	case syscall.EINVAL:
		return errs.ErrInvalidArg, errno.Error()
	case syscall.ENAMETOOLONG:
		return errs.ErrInvalidPath, errno.Error()
	case syscall.EIO, syscall.ESTALE, syscall.ETIMEDOUT, syscall.ENOTCONN, syscall.EAGAIN, syscall.EINTR:
		// What an NFS server that went away looks like: worth a retry.
		return errs.ErrUnavailable, errno.Error()
	}
	return errs.ErrInternal, errno.Error()
}

// fail wraps a sentinel with the operation, the path and this mount, so an
// operator with many mounts can tell which one failed.
func (fs *FS) fail(sentinel error, op, p, detail string) error {
	if detail == "" {
		return errs.New(sentinel, "%s %q in %s", op, p, fs.uri)
	}
	return errs.New(sentinel, "%s %q in %s: %s", op, p, fs.uri, detail)
}

// osErr converts err, returned by package os for path p, with classify.
func (fs *FS) osErr(op, p string, err error) error {
	sentinel, detail := classify(err)
	return fs.fail(sentinel, op, p, detail)
}

// lookupErr is osErr for operations that look an existing object up: a
// file where a directory was expected on the way means the object does not
// exist (see the UnderFileSystem contract).
func (fs *FS) lookupErr(op, p string, err error) error {
	if errors.Is(err, syscall.ENOTDIR) {
		return fs.fail(errs.ErrNotFound, op, p, "")
	}
	return fs.osErr(op, p, err)
}

// ctxErr keeps ctx.Err() reachable with errors.Is; no errs sentinel stands
// for cancellation, and the RPC layer maps context errors itself.
func ctxErr(op, p string, err error) error {
	return fmt.Errorf("%s %q: %w", op, p, err)
}
