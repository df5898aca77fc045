package worker_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/inproc"
)

// The worker's paths, each against a real master in this process and a
// local under storage in the test's directory. Block size is 1 MiB, so a
// 2.5 MiB file has three blocks.

// TestReadPaths: a local client reads a cached block through its file
// (short-circuit), a client told not to streams it; both get the bytes
// written, and the counters show which way they went.
func TestReadPaths(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	w := c.Workers[0]
	data := pattern(5 << 19)
	write(t, c.Client(), "/f", "MUST_CACHE", data)

	remote := c.ClientWith(func(cfg *client.Config) { cfg.NoShortCircuit = true })
	before := metric(t, w, "bytes_read_cache_total")
	if got := read(t, remote, "/f", ""); !bytes.Equal(got, data) {
		t.Fatal("streamed read differs from what was written")
	}
	if got := metric(t, w, "bytes_read_cache_total") - before; got != float64(len(data)) {
		t.Fatalf("streamed %v bytes from the cache, want %d", got, len(data))
	}
	if n := metric(t, w, "short_circuit_opens_total"); n != 0 {
		t.Fatalf("%v short-circuit opens for a client that turned them off", n)
	}

	before = metric(t, w, "bytes_read_cache_total")
	if got := read(t, c.Client(), "/f", ""); !bytes.Equal(got, data) {
		t.Fatal("short-circuit read differs from what was written")
	}
	if n := metric(t, w, "short_circuit_opens_total"); n != 3 {
		t.Fatalf("%v short-circuit opens, want one per block (3)", n)
	}
	if got := metric(t, w, "bytes_read_cache_total") - before; got != 0 {
		t.Fatalf("a short-circuit read streamed %v bytes", got)
	}
	if got := metric(t, w, "bytes_read_ufs_total"); got != 0 {
		t.Fatalf("%v bytes read from the under storage for a cached file", got)
	}
}

// TestUFSReadThroughCaches: a file only in the under storage is read
// through a worker, which caches it as it streams; the next read comes from
// the cache. NO_CACHE leaves nothing behind, and a partial read caches its
// whole block in the background.
func TestUFSReadThroughCaches(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	w := c.Workers[0]
	fs := c.ClientWith(func(cfg *client.Config) { cfg.NoShortCircuit = true })
	data := pattern(5 << 19)
	write(t, fs, "/through", "THROUGH", data)
	if p := status(t, fs, "/through").InAlluxioPercent; p != 0 {
		t.Fatalf("a THROUGH file is %d%% cached", p)
	}

	if got := read(t, fs, "/through", "NO_CACHE"); !bytes.Equal(got, data) {
		t.Fatal("NO_CACHE read differs")
	}
	if got := metric(t, w, "bytes_read_ufs_total"); got != float64(len(data)) {
		t.Fatalf("NO_CACHE read %v bytes from the under storage, want %d", got, len(data))
	}
	if got := metric(t, w, "blocks_cached"); got != 0 {
		t.Fatalf("NO_CACHE read left %v blocks cached", got)
	}

	if got := read(t, fs, "/through", "CACHE"); !bytes.Equal(got, data) {
		t.Fatal("CACHE read differs")
	}
	eventually(t, "the read-through file to be cached", cachedPercent(t, fs, "/through"))
	ufs := metric(t, w, "bytes_read_ufs_total")
	if got := read(t, fs, "/through", "CACHE"); !bytes.Equal(got, data) {
		t.Fatal("cached read differs")
	}
	if got := metric(t, w, "bytes_read_ufs_total"); got != ufs {
		t.Fatalf("a cached read went to the under storage (%v more bytes)", got-ufs)
	}

	// A small read in the middle of a 2 MiB block streams one 1 MiB
	// window of it and caches the whole block after.
	ctx := context.Background()
	big := pattern(3 << 20)
	w2, err := fs.Create(ctx, "/partial", client.CreateFileOptions{WriteType: "THROUGH", BlockSize: 2 << 20})
	must(t, err, "create /partial")
	if _, err := w2.Write(big); err != nil {
		t.Fatal(err)
	}
	must(t, w2.Close(), "close /partial")
	ufs = metric(t, w, "bytes_read_ufs_total")
	r, err := fs.OpenFile(ctx, "/partial", client.OpenOptions{})
	must(t, err, "open /partial")
	defer r.Close()
	buf := make([]byte, 100)
	if _, err := r.ReadAt(buf, 1<<20+500); err != nil || !bytes.Equal(buf, big[1<<20+500:1<<20+600]) {
		t.Fatalf("ReadAt: %v", err)
	}
	eventually(t, "the partly read block to be cached whole", func() bool {
		fi := status(t, fs, "/partial")
		return len(fi.Blocks) == 2 && len(fi.Blocks[0].Locations) == 1 && len(fi.Blocks[1].Locations) == 0
	})
	// The window streamed, then the whole block read in the background.
	if got := metric(t, w, "bytes_read_ufs_total") - ufs; got != 1<<20+2<<20 {
		t.Fatalf("read %v bytes from the under storage, want the window and the block (%d)", got, 1<<20+2<<20)
	}
}

// TestWritesNeedCommit: a block or under storage file whose writer goes
// away without committing is not kept (the client's Cancel ends both
// streams), while a committed one is counted by the master at once.
func TestWritesNeedCommit(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	ctx := context.Background()
	temps := func(dir, pattern string) []string {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	blockTemps := func() []string { return temps(filepath.Join(c.WorkerDir(0), "alluxioworker"), "*.tmp") }
	for _, wt := range []string{"MUST_CACHE", "CACHE_THROUGH"} {
		for _, local := range []bool{true, false} {
			fs := c.ClientWith(func(cfg *client.Config) { cfg.NoShortCircuit = !local })
			p := "/cancelled-" + wt
			if !local {
				p += "-streamed"
			}
			w, err := fs.Create(ctx, p, client.CreateFileOptions{WriteType: wt, BlockSize: 2 << 20})
			must(t, err, "create %s", p)
			// A block and a half: the first block is committed when full,
			// the second is being written (whole 1 MiB chunks are sent at
			// once, not buffered).
			if _, err := w.Write(pattern(3 << 20)); err != nil {
				t.Fatal(err)
			}
			eventually(t, p+": the second block being written", func() bool { return len(blockTemps()) == 1 })
			if wt == "CACHE_THROUGH" && len(temps(c.UFS, ".alluxio_ufs_tmp*")) != 1 {
				t.Fatalf("%s: no under storage copy being written: %v", p, temps(c.UFS, "*"))
			}
			w.Cancel()
			eventually(t, p+": the worker to drop the uncommitted block", func() bool { return len(blockTemps()) == 0 })
			eventually(t, p+": the worker to drop the uncommitted under storage copy", func() bool {
				return len(temps(c.UFS, ".alluxio_ufs_tmp*")) == 0
			})
			if _, err := os.Stat(filepath.Join(c.UFS, p)); !os.IsNotExist(err) {
				t.Fatalf("%s: an uncommitted under storage file is at its name: %v", p, err)
			}
		}
	}
	fs := c.Client()
	write(t, fs, "/kept", "MUST_CACHE", pattern(5<<19))
	if p := status(t, fs, "/kept").InAlluxioPercent; p != 100 {
		t.Fatalf("a committed file is %d%% cached as far as the master knows", p)
	}
}

// TestAsyncPersist: an ASYNC_THROUGH file is completed before it is in the
// under storage; the master hands the job to the worker with a heartbeat
// answer, the worker copies it and reports it, and the file is persisted
// with the same bytes.
func TestAsyncPersist(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	fs := c.Client()
	data := pattern(5 << 19)
	write(t, fs, "/dir/async", "ASYNC_THROUGH", data)
	eventually(t, "the file to be persisted", func() bool { return status(t, fs, "/dir/async").Persisted })
	got, err := os.ReadFile(filepath.Join(c.UFS, "dir", "async"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("under storage copy: %d bytes, %v", len(got), err)
	}
	if got := metric(t, c.Workers[0], "bytes_written_ufs_total"); got != float64(len(data)) {
		t.Fatalf("the worker wrote %v bytes to the under storage, want %d", got, len(data))
	}
	// Nothing but the file: the temporary copy was published, not left.
	entries, err := os.ReadDir(filepath.Join(c.UFS, "dir"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("under storage folder holds %v (%v)", entries, err)
	}
}

// TestRegistration: a worker registers with its capacity; after the master
// restarts (and so knows no worker) the worker registers again with every
// block it holds, and after the worker restarts over the same directory it
// brings back what it cached.
func TestRegistration(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	fs := c.Client()
	ws, err := fs.Workers(context.Background())
	if err != nil || len(ws) != 1 || ws[0].Capacity != 64<<20 || ws[0].State != "LIVE" {
		t.Fatalf("workers: %+v, %v", ws, err)
	}
	data := pattern(5 << 19)
	write(t, fs, "/f", "MUST_CACHE", data)

	c.RestartMaster()
	c.WaitWorkers(1)
	eventually(t, "the new master to learn the blocks from the worker", cachedPercent(t, fs, "/f"))

	c.RestartWorker(0)
	c.WaitWorkers(1)
	eventually(t, "the restarted worker to report its blocks", cachedPercent(t, fs, "/f"))
	if got := read(t, fs, "/f", ""); !bytes.Equal(got, data) {
		t.Fatal("read after the restarts differs")
	}
	if got := metric(t, c.Workers[0], "bytes_read_ufs_total"); got != 0 {
		t.Fatalf("the restarted worker read %v bytes from the under storage: it lost its cache", got)
	}
}

// TestFreeByHeartbeat: Free reaches the worker as orders in its heartbeat
// answer; it drops the blocks and the master stops listing them.
func TestFreeByHeartbeat(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	fs := c.Client()
	write(t, fs, "/f", "CACHE_THROUGH", pattern(5<<19))
	ctx := context.Background()
	must(t, fs.Free(ctx, "/f", client.FreeOptions{}), "free")
	eventually(t, "the worker to drop the freed blocks", func() bool { return metric(t, c.Workers[0], "blocks_cached") == 0 })
	eventually(t, "the master to stop listing them", func() bool { return status(t, fs, "/f").InAlluxioPercent == 0 })
	if b := read(t, fs, "/f", "NO_CACHE"); len(b) != 5<<19 {
		t.Fatalf("freed file reads %d bytes", len(b))
	}
}

// TestWriteAfterDeleteOnAFullWorker: a worker full of a MUST_CACHE file's
// blocks takes the next file's right after the first is deleted, before
// its heartbeat would have told it that the deleted file's blocks are no
// longer the only copy of anything: a write that finds no room asks the
// master at once, then tries again.
func TestWriteAfterDeleteOnAFullWorker(t *testing.T) {
	c := inproc.Start(t, inproc.Options{Properties: map[string]string{
		"alluxio.worker.tieredstore.level0.dirs.quota": "16MB",
		"alluxio.user.block.size.bytes.default":        "4MB",
		// Far longer than the test: only the write's own request can
		// tell the worker.
		"alluxio.worker.block.heartbeat.interval": "10min",
	}})
	fs := c.Client()
	ctx := context.Background()
	for i := range 3 {
		p := fmt.Sprintf("/f%d", i)
		write(t, fs, p, "MUST_CACHE", pattern(14<<20))
		if got := read(t, fs, p, "CACHE"); !bytes.Equal(got, pattern(14<<20)) {
			t.Fatalf("%s reads %d bytes, not what was written", p, len(got))
		}
		must(t, fs.Delete(ctx, p, client.DeleteOptions{}), "delete")
	}
}
