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
	cluster.StartWorkerIn(b, m, "worker", "3GB", tier)
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
	fw, err := sc.Create(ctx, "/big", client.CreateFileOptions{WriteType: "MUST_CACHE"})
	if err != nil {
		b.Fatal(err)
	}
	for n := 0; n < size; n += len(chunk) {
		if _, err := fw.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		b.Fatal(err)
	}
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
	report("read-short-circuit", read(sc, "/big"))
	report("read-grpc", read(grpcOnly, "/big"))

	// Cold: a file that is only in the under storage (on disk), read
	// through the worker, against cat of the same file.
	local := filepath.Join(m.Dir, "underFSStorage", "cold.bin")
	f, err := os.Create(local)
	if err != nil {
		b.Fatal(err)
	}
	for n := 0; n < size; n += len(chunk) {
		f.Write(chunk)
	}
	f.Close()
	start = time.Now()
	if out, err := exec.Command("sh", "-c", "cat "+local+" > /dev/null").CombinedOutput(); err != nil {
		b.Fatalf("cat: %v %s", err, out)
	}
	report("cat-from-disk", time.Since(start))
	report("read-cold-from-ufs", read(grpcOnly, "/cold.Bin"))
}
