package worker_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/inproc"
)

// TestColdReadsRightBytesEverywhere: cold files read by short-circuit and
// streaming clients, with reads of odd sizes, jumps and ReadAt at random
// offsets, and by two readers at once, all get the bytes written; two
// readers of one cold file share the worker's cache jobs, so the under
// storage is read once.
func TestColdReadsRightBytesEverywhere(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	w := c.Workers[0]
	data := pattern(10<<20 + 12345)
	clients := map[string]*client.FileSystem{
		"short-circuit": c.Client(),
		"streaming":     c.ClientWith(func(cfg *client.Config) { cfg.NoShortCircuit = true }),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for name, fs := range clients {
		path := "/odd-" + name
		write(t, fs, path, "THROUGH", data)
		r, err := fs.OpenFile(context.Background(), path, client.OpenOptions{})
		must(t, err, "open %s", path)
		var pos int64
		for pos < int64(len(data)) {
			if rng.IntN(8) == 0 {
				pos = min(pos+int64(rng.IntN(3<<20)), int64(len(data)))
				if _, err := r.Seek(pos, io.SeekStart); err != nil {
					t.Fatal(err)
				}
			}
			buf := make([]byte, 1+rng.IntN(700<<10))
			n, err := r.Read(buf)
			if err == io.EOF {
				break
			}
			must(t, err, "%s: read at %d", name, pos)
			if !bytes.Equal(buf[:n], data[pos:pos+int64(n)]) {
				t.Fatalf("%s: %d bytes read at %d differ", name, n, pos)
			}
			pos += int64(n)
			if rng.IntN(4) == 0 {
				off := rng.Int64N(int64(len(data)))
				p := make([]byte, min(int64(1+rng.IntN(2<<20)), int64(len(data))-off))
				if _, err := r.ReadAt(p, off); err != nil && err != io.EOF {
					t.Fatalf("%s: ReadAt %d: %v", name, off, err)
				}
				if !bytes.Equal(p, data[off:off+int64(len(p))]) {
					t.Fatalf("%s: ReadAt %d (%d bytes) differs", name, off, len(p))
				}
			}
		}
		r.Close()
	}

	for name, fs := range clients {
		path := "/twice-" + name
		write(t, fs, path, "THROUGH", data)
		before := metric(t, w, "bytes_read_ufs_total")
		var wg sync.WaitGroup
		results := make([][]byte, 2)
		for i := range results {
			wg.Go(func() {
				r, err := fs.OpenFile(context.Background(), path, client.OpenOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				defer r.Close()
				results[i], err = io.ReadAll(r)
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for i, got := range results {
			if !bytes.Equal(got, data) {
				t.Fatalf("%s: reader %d of two got %d bytes that differ from the %d written", name, i, len(got), len(data))
			}
		}
		if ufs := metric(t, w, "bytes_read_ufs_total") - before; ufs != float64(len(data)) {
			t.Errorf("%s: two readers at once read %v bytes from the under storage, want the file once (%d)", name, ufs, len(data))
		}
	}
}
