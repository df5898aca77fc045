package worker_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/inproc"
)

// Cold reads with read-ahead (client/prefetch.go) and cache jobs that
// readers tail (cachejob.go). Blocks are 1 MiB; read-ahead starts after
// 4 MiB read in order.

// cachedBlocks says which of path's blocks the master knows a copy of.
func cachedBlocks(t *testing.T, fs *client.FileSystem, path string) []bool {
	t.Helper()
	fi := status(t, fs, path)
	out := make([]bool, len(fi.Blocks))
	for i, b := range fi.Blocks {
		out[i] = len(b.Locations) > 0
	}
	return out
}

// TestReadAheadStaysInItsWindow: a sequential reader 4.5 MiB into a
// 12-block file has the blocks up to two past its own cached (the window
// of alluxio.user.file.read.ahead.blocks, default 2) and none further;
// the under storage is read once per block. Read to the end, it gets the
// bytes written.
func TestReadAheadStaysInItsWindow(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	w := c.Workers[0]
	fs := c.Client()
	data := pattern(12 << 20)
	write(t, fs, "/cold", "THROUGH", data)

	r, err := fs.OpenFile(context.Background(), "/cold", client.OpenOptions{})
	must(t, err, "open /cold")
	defer r.Close()
	got := make([]byte, 0, len(data))
	buf := make([]byte, 512<<10)
	for len(got) < 9<<19 { // 4.5 MiB: in block 4
		n, err := r.Read(buf)
		must(t, err, "read /cold at %d", len(got))
		got = append(got, buf[:n]...)
	}
	eventually(t, "blocks 4 to 6 to be cached", func() bool {
		b := cachedBlocks(t, fs, "/cold")
		return b[4] && b[5] && b[6]
	})
	// Every job started by then is done: each counts its bytes before
	// the master learns of its block.
	if ufs := metric(t, w, "bytes_read_ufs_total"); ufs != 7<<20 {
		t.Errorf("%v bytes read from the under storage with the reader in block 4, want blocks 0 to 6 (%d)", ufs, 7<<20)
	}
	for i, cached := range cachedBlocks(t, fs, "/cold") {
		if i > 6 && cached {
			t.Errorf("block %d cached with the reader in block 4: the window is two blocks", i)
		}
	}
	rest, err := io.ReadAll(r)
	must(t, err, "read the rest of /cold")
	if got = append(got, rest...); !bytes.Equal(got, data) {
		t.Fatal("the read-ahead read differs from what was written")
	}
	if ufs := metric(t, w, "bytes_read_ufs_total"); ufs != float64(len(data)) {
		t.Errorf("%v bytes read from the under storage for a %d-byte file", ufs, len(data))
	}
}

// TestReadAheadWindowIsConfigurable: with a window of 4 blocks the reader
// in block 4 has blocks 5 to 8 cached; with none (ReadAheadBlocks < 0),
// nothing past the blocks it read.
func TestReadAheadWindowIsConfigurable(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	data := pattern(12 << 20)
	write(t, c.Client(), "/four", "THROUGH", data)
	write(t, c.Client(), "/none", "THROUGH", data)
	for _, tc := range []struct {
		path  string
		depth int
		last  int // the last block cached with the reader in block 4
	}{{"/four", 4, 8}, {"/none", -1, 4}} {
		fs := c.ClientWith(func(cfg *client.Config) { cfg.ReadAheadBlocks = tc.depth })
		r, err := fs.OpenFile(context.Background(), tc.path, client.OpenOptions{})
		must(t, err, "open %s", tc.path)
		got := make([]byte, 9<<19)
		_, err = io.ReadFull(r, got)
		must(t, err, "read %s", tc.path)
		if !bytes.Equal(got, data[:len(got)]) {
			t.Fatalf("%s: bytes differ", tc.path)
		}
		eventually(t, "the blocks up to the window's end to be cached", func() bool {
			return cachedBlocks(t, fs, tc.path)[tc.last]
		})
		r.Close()
		for i, cached := range cachedBlocks(t, fs, tc.path) {
			if i > tc.last && cached {
				t.Errorf("%s (window %d): block %d cached with the reader in block 4", tc.path, tc.depth, i)
			}
		}
	}
}

// TestColdReadSurvivesWorkerStop: a worker stopped in the middle of a
// cold read with read-ahead going to it; the reader goes on through the
// other worker and gets the bytes written.
func TestColdReadSurvivesWorkerStop(t *testing.T) {
	c := inproc.Start(t, inproc.Options{Workers: 2})
	c.WaitWorkers(2)
	for name, noSC := range map[string]bool{"short-circuit": false, "streaming": true} {
		fs := c.ClientWith(func(cfg *client.Config) { cfg.NoShortCircuit = noSC })
		data := pattern(12 << 20)
		path := "/stop-" + name
		write(t, fs, path, "THROUGH", data)
		r, err := fs.OpenFile(context.Background(), path, client.OpenOptions{})
		must(t, err, "open %s", path)
		got := make([]byte, 5<<20)
		_, err = io.ReadFull(r, got)
		must(t, err, "read %s", path)
		// Stop the worker that has the blocks being read.
		var victim int
		loc := status(t, fs, path).Blocks[0].Locations
		if len(loc) == 0 {
			t.Fatalf("%s: block 0 not cached after it was read", path)
		}
		for i, w := range c.Workers {
			if w.RPCAddr().String() == loc[0].Address() {
				victim = i
			}
		}
		must(t, c.Workers[victim].Stop(context.Background()), "stop worker %d", victim)
		rest, err := io.ReadAll(r)
		must(t, err, "%s: read on after the worker stopped", name)
		r.Close()
		if got = append(got, rest...); !bytes.Equal(got, data) {
			t.Fatalf("%s: the read across the worker's stop differs from what was written", name)
		}
		c.RestartWorker(victim)
		c.WaitWorkers(2)
	}
}
