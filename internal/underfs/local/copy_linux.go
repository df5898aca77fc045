//go:build linux

package local

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// copyPipeSize is the pipe a splice goes through when copy_file_range
// cannot copy between the two files (they are on file systems of
// different kinds, as a disk and a tmpfs cache are): 1 MiB moves per
// pair of calls, if the system allows a pipe that big.
const copyPipeSize = 1 << 20

// copyRange copies n bytes of src at off to dst at dstOff in the kernel:
// copy_file_range where the files' file systems allow it, else splice
// through a pipe. Either way the bytes go from page cache to page cache
// once.
func copyRange(dst, src *os.File, dstOff, off, n int64) (int64, error) {
	sfd, dfd := int(src.Fd()), int(dst.Fd())
	var done int64
	for done < n {
		k, err := unix.CopyFileRange(sfd, &off, dfd, &dstOff, int(min(n-done, 1<<30)), 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if done == 0 && fallBackToSplice(err) {
				return spliceRange(dfd, sfd, dstOff, off, n)
			}
			return done, err
		}
		if k == 0 {
			return done, io.ErrUnexpectedEOF
		}
		done += int64(k)
	}
	return done, nil
}

// fallBackToSplice: errors of copy_file_range that mean "not between
// these two files" rather than an I/O error.
func fallBackToSplice(err error) bool {
	return errors.Is(err, unix.EXDEV) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) ||
		errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EPERM)
}

func spliceRange(dfd, sfd int, dstOff, off, n int64) (int64, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return 0, err
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	// Best effort: a smaller pipe only means more calls.
	unix.FcntlInt(uintptr(p[1]), unix.F_SETPIPE_SZ, copyPipeSize)
	var done int64
	for done < n {
		k, err := unix.Splice(sfd, &off, p[1], nil, int(min(n-done, copyPipeSize)), unix.SPLICE_F_MOVE)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return done, err
		}
		if k == 0 {
			return done, io.ErrUnexpectedEOF
		}
		for k > 0 {
			m, err := unix.Splice(p[0], nil, dfd, &dstOff, int(k), unix.SPLICE_F_MOVE)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return done, err
			}
			k -= m
			done += m
		}
	}
	return done, nil
}
