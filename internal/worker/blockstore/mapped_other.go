//go:build !unix

package blockstore

import (
	"hash"
	"io"
	"os"
)

// checksumMapped feeds [off, off+n) of f to h, read through a buffer
// where files cannot be mapped.
func checksumMapped(h hash.Hash32, f *os.File, off, n int64) error {
	k, err := io.CopyBuffer(h, io.NewSectionReader(f, off, n), make([]byte, 1<<20))
	if err == nil && k < n {
		err = io.ErrUnexpectedEOF
	}
	return err
}
