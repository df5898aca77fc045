package worker_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/inproc"
)

// BenchmarkColdRead reads files that only the (local) under storage
// holds, dropped from the page cache, through an in-process worker whose
// memory tier is in /dev/shm, against a plain read of the same kind of
// file in the same run: the cold read's cost per byte, for a CPU profile
// of the worker and the client together, and the CPU time they spend per
// GB (which the load of a shared machine does not change, as it does the
// throughput).
//
//	go test -run '^$' -bench ColdRead -benchtime 4x -cpuprofile cpu.out ./internal/worker/
func BenchmarkColdRead(b *testing.B) {
	const size = 256 << 20
	tiers, err := os.MkdirTemp("/dev/shm", "alluxio-bench-")
	if err != nil {
		b.Skip("no /dev/shm")
	}
	b.Cleanup(func() { os.RemoveAll(tiers) })
	c := inproc.Start(b, inproc.Options{TierRoot: tiers, Properties: map[string]string{
		"alluxio.worker.tieredstore.level0.dirs.quota": "2GB",
		"alluxio.user.block.size.bytes.default":        "64MB",
	}})
	chunk := pattern(4 << 20)
	for _, mode := range []struct {
		name string
		noSC bool
	}{{"short-circuit", false}, {"streaming", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.StopTimer()
			fs := c.ClientWith(func(cfg *client.Config) { cfg.NoShortCircuit = mode.noSC })
			var ours, plain, cpu, plainCPU time.Duration
			for i := range b.N {
				ref := coldFile(b, c.UFS, fmt.Sprintf("plain-%s-%d", mode.name, i), size, chunk)
				start, used := time.Now(), cpuUsed(b)
				readAll(b, func() (io.ReadCloser, error) { return os.Open(ref) }, size)
				plain += time.Since(start)
				plainCPU += cpuUsed(b) - used
				name := fmt.Sprintf("cold-%s-%d", mode.name, i)
				coldFile(b, c.UFS, name, size, chunk)
				b.StartTimer()
				start, used = time.Now(), cpuUsed(b)
				readAll(b, func() (io.ReadCloser, error) {
					return fs.OpenFile(context.Background(), "/"+name, client.OpenOptions{})
				}, size)
				ours += time.Since(start)
				cpu += cpuUsed(b) - used
				b.StopTimer()
				if err := fs.Delete(context.Background(), "/"+name, client.DeleteOptions{}); err != nil {
					b.Fatal(err)
				}
				os.Remove(ref)
			}
			b.SetBytes(size)
			b.ReportMetric(float64(b.N)*size/ours.Seconds()/1e9, "cold-GB/s")
			b.ReportMetric(float64(b.N)*size/plain.Seconds()/1e9, "plain-read-GB/s")
			// What the machine's load does not change: the CPU time the
			// process (worker, client and master) spent per GB read.
			b.ReportMetric(cpu.Seconds()/(float64(b.N)*size/1e9), "cpu-s/GB")
			b.ReportMetric(plainCPU.Seconds()/(float64(b.N)*size/1e9), "plain-read-cpu-s/GB")
		})
	}
}

// cpuUsed is the CPU time (user and system) this process has used.
func cpuUsed(b *testing.B) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// readAll reads what open opens to its end, as an io.Reader only (no
// WriterTo), in 4 MiB reads, and checks its length.
func readAll(b *testing.B, open func() (io.ReadCloser, error), size int64) {
	r, err := open()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, make([]byte, 4<<20))
	if err != nil || n != size {
		b.Fatalf("read %d of %d bytes: %v", n, size, err)
	}
}

// coldFile writes size bytes of chunk to name in dir, synced and dropped
// from the page cache, and returns its path.
func coldFile(b *testing.B, dir, name string, size int, chunk []byte) string {
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
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		b.Fatal(err)
	}
	return p
}
