package local_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/alluxio-go/alluxio/internal/underfs"
)

// TestCopyRange: a local file's reader, and OpenRange's over it, copy
// ranges into another file at any offset, concurrently, into a file on
// the same file system (copy_file_range) and on a tmpfs (splice); a range
// past the end copies what there is and says the file ended.
func TestCopyRange(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 3<<20+123)
	for i := range data {
		data[i] = byte(i*31 + i>>12)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	fs := newFS(t, dir)
	dsts := map[string]string{"same file system": t.TempDir()}
	if shm, err := os.MkdirTemp("/dev/shm", "copyrange-"); err == nil {
		t.Cleanup(func() { os.RemoveAll(shm) })
		dsts["tmpfs"] = shm
	}
	for name, dstDir := range dsts {
		for _, ranged := range []bool{false, true} {
			var r io.ReadCloser
			var err error
			if ranged {
				r, err = underfs.OpenRange(context.Background(), fs, "f", 0, int64(len(data)))
			} else {
				r, err = fs.Open(context.Background(), "f", 0)
			}
			if err != nil {
				t.Fatal(err)
			}
			rc, ok := r.(underfs.RangeCopier)
			if !ok {
				t.Fatalf("%s: the reader (ranged %v) is no RangeCopier", name, ranged)
			}
			dst, err := os.Create(filepath.Join(dstDir, "dst"))
			if err != nil {
				t.Fatal(err)
			}
			// Two halves at once, the second first, at an offset in dst.
			const at = 4096
			half := int64(len(data) / 2)
			errc := make(chan error, 2)
			for _, p := range [][2]int64{{half, int64(len(data)) - half}, {0, half}} {
				go func() {
					n, err := rc.CopyRange(dst, at+p[0], p[0], p[1])
					if err == nil && n != p[1] {
						err = io.ErrShortWrite
					}
					errc <- err
				}()
			}
			for range 2 {
				if err := <-errc; err != nil {
					t.Fatalf("%s: CopyRange: %v", name, err)
				}
			}
			got, err := os.ReadFile(dst.Name())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got[at:], data) || !bytes.Equal(got[:at], make([]byte, at)) {
				t.Fatalf("%s (ranged %v): the copy differs from the file", name, ranged)
			}
			n, err := rc.CopyRange(dst, 0, int64(len(data))-10, 100)
			if n != 10 || err != io.ErrUnexpectedEOF {
				t.Fatalf("%s: a copy past the end gave %d bytes, %v; want 10, io.ErrUnexpectedEOF", name, n, err)
			}
			// The reader reads on as before.
			all, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(all, data) {
				t.Fatalf("%s: read after copies: %d bytes, %v", name, len(all), err)
			}
			dst.Close()
			r.Close()
		}
	}
}
