//go:build unix

package blockstore

import (
	"errors"
	"hash"
	"io"
	"os"
	"runtime/debug"

	"golang.org/x/sys/unix"
)

// mapWindow bounds what checksumMapped maps at once.
const mapWindow = 16 << 20

// checksumMapped feeds [off, off+n) of f to h from the file's pages
// mapped into memory: the bytes are read once, by the checksum, and not
// copied into a buffer first. A file that shrank under the mapping is an
// error, not a crash.
func checksumMapped(h hash.Hash32, f *os.File, off, n int64) (err error) {
	page := int64(os.Getpagesize())
	for n > 0 {
		start := off &^ (page - 1)
		k := min(n, mapWindow)
		m, merr := unix.Mmap(int(f.Fd()), start, int(off-start+k), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
		if merr != nil {
			return merr
		}
		if err := hashMapped(h, m[off-start:]); err != nil {
			unix.Munmap(m)
			return err
		}
		if err := unix.Munmap(m); err != nil {
			return err
		}
		off += k
		n -= k
	}
	return nil
}

// hashMapped hashes b, a mapping of a file, turning the fault of a page
// past the file's end (SIGBUS) into an error.
func hashMapped(h hash.Hash32, b []byte) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = errors.Join(io.ErrUnexpectedEOF, errors.New("the file shrank while it was checksummed"))
		}
	}()
	h.Write(b)
	return nil
}
