//go:build !linux

package local

import (
	"io"
	"os"
)

// copyRange copies n bytes of src at off to dst at dstOff through a
// buffer: only Linux has the calls that copy in the kernel here.
func copyRange(dst, src *os.File, dstOff, off, n int64) (int64, error) {
	k, err := io.Copy(io.NewOffsetWriter(dst, dstOff), io.NewSectionReader(src, off, n))
	if err == nil && k < n {
		err = io.ErrUnexpectedEOF
	}
	return k, err
}
