package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// Data path throughput on this machine, client and worker on loopback, a
// 1 GiB file in the worker's memory tier (/dev/shm):
//
//	go test -run '^$' -bench DataPath -benchtime 1x ./tests/e2e/
func BenchmarkDataPath(b *testing.B) {
	const size = 1 << 30
	m := cluster.NewMaster(b)
	shm := "/dev/shm"
	if _, err := os.Stat(shm); err != nil {
		b.Skip("no /dev/shm")
	}
	tier, err := os.MkdirTemp(shm, "alluxio-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(tier) })
	w := cluster.StartWorkerIn(b, m, "worker", "3GB", tier)
	ctx := context.Background()
	mk := func(noSC bool) *client.FileSystem {
		c, err := client.New(client.Config{Masters: []string{fmt.Sprintf("127.0.0.1:%d", m.RPCPort)}, NoShortCircuit: noSC})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		return c
	}
	sc, grpcOnly := mk(false), mk(true)
	chunk := randomBytes(4<<20, 42)
	report := func(name string, d time.Duration) {
		b.ReportMetric(float64(size)/d.Seconds()/1e9, name+"-GB/s")
	}

	start := time.Now()
	writeRepeated(b, sc, "/big", client.CreateFileOptions{WriteType: "MUST_CACHE"}, chunk, size)
	report("write-must-cache", time.Since(start))

	read := func(c *client.FileSystem, path string) time.Duration {
		r, err := c.OpenFile(ctx, path, client.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		buf := make([]byte, 4<<20)
		start := time.Now()
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf)
		if err != nil || n != size {
			b.Fatalf("read %s: %d bytes, %v", path, n, err)
		}
		return time.Since(start)
	}
	read(sc, "/big") // warm up connections and page cache
	// The short-circuit figure counts only if the client did open the
	// block files itself, and the gRPC one only if it did not.
	opens := func() float64 { return w.Metric(b, "alluxio_worker_short_circuit_opens_total") }
	before := opens()
	report("read-short-circuit", read(sc, "/big"))
	if opens() == before {
		b.Fatal("the short-circuit read opened no block file directly (alluxio_worker_short_circuit_opens_total did not move)")
	}
	before = opens()
	report("read-grpc", read(grpcOnly, "/big"))
	if opens() != before {
		b.Fatal("the gRPC read opened block files directly")
	}

	// Files only in the under storage (on disk), read through the worker,
	// against cat of the same kind of file: once in the page cache (just
	// written), once dropped from it (written, synced, and advised out
	// with posix_fadvise DONTNEED), each a fresh file so no cache of
	// Alluxio's holds it.
	for _, c := range []struct {
		name string
		drop bool
	}{{"page-cache", false}, {"disk", true}} {
		forCat := writeUFSFile(b, m.UFS(), "cat-"+c.name, size, chunk, c.drop)
		start = time.Now()
		if out, err := exec.Command("sh", "-c", "cat "+forCat+" > /dev/null").CombinedOutput(); err != nil {
			b.Fatalf("cat: %v %s", err, out)
		}
		report("cat-"+c.name, time.Since(start))
		writeUFSFile(b, m.UFS(), "cold-"+c.name, size, chunk, c.drop)
		report("read-ufs-"+c.name, read(grpcOnly, "/cold-"+c.name))
	}
}

// writeUFSFile writes size bytes of chunk to name in dir and returns its
// path; with drop, it is synced and dropped from the page cache.
func writeUFSFile(b *testing.B, dir, name string, size int, chunk []byte, drop bool) string {
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for n := 0; n < size; n += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	if !drop {
		return p
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		b.Fatalf("dropping %s from the page cache: %v", p, err)
	}
	return p
}
