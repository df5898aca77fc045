package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// BenchmarkFuse measures a real mount: a 1 GiB file written and read
// sequentially by one thread in 1 MiB blocks (the file cached in the
// worker's memory tier on /dev/shm, the reads through the short-circuit
// path), stat of existing files from 4 threads with the metadata cache on
// (and the kernel's caches off, so every stat reaches the mount; then
// with them on, as mounts have them by default), and creates of empty
// files. fio, when installed, measures the same sequential
// read and write as a cross-check.
//
//	make build && ALLUXIO_TEST_BINARY=$PWD/bin/alluxio go test -run '^$' -bench Fuse -benchtime 1x ./tests/e2e/
func BenchmarkFuse(b *testing.B) {
	requireFuse(b)
	const size = 1 << 30
	m := cluster.NewMaster(b)
	tier, err := os.MkdirTemp("/dev/shm", "alluxio-fuse-bench-")
	if err != nil {
		b.Skipf("no /dev/shm for the memory tier: %v", err)
	}
	b.Cleanup(func() { os.RemoveAll(tier) })
	w := cluster.StartWorkerIn(b, m, "worker", "4GB", tier)
	fm := mountFuse(b, m, "/", "attr_timeout=0,entry_timeout=0", "alluxio.user.file.writetype.default=MUST_CACHE",
		"alluxio.user.metadata.cache.enabled=true")
	block := randomBytes(1<<20, 9)
	gbps := func(d time.Duration) float64 { return float64(size) / d.Seconds() / 1e9 }

	// Sequential write, then three sequential reads of the cached file.
	var writes, reads []float64
	for i := 0; i < 3; i++ {
		p := fm.path(fmt.Sprintf("big%d", i))
		start := time.Now()
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		for n := 0; n < size; n += len(block) {
			if _, err := f.Write(block); err != nil {
				b.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		writes = append(writes, gbps(time.Since(start)))
	}
	waitComplete(b, m.Client(), "/big0")
	// MUST_CACHE files cannot be evicted: room for fio's.
	mustSh(b, fm.dir, "rm big1 big2")
	opens := w.Metric(b, "alluxio_worker_short_circuit_opens_total")
	buf := make([]byte, 1<<20)
	for i := 0; i < 3; i++ {
		start := time.Now()
		f, err := os.Open(fm.path("big0"))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			k, err := f.Read(buf)
			n += k
			if err != nil || k == 0 {
				break
			}
		}
		f.Close()
		if n != size {
			b.Fatalf("read %d bytes of %d", n, size)
		}
		reads = append(reads, gbps(time.Since(start)))
	}
	if w.Metric(b, "alluxio_worker_short_circuit_opens_total") == opens {
		b.Fatal("the reads did not take the short-circuit path")
	}
	b.ReportMetric(median(writes), "seq-write-GB/s")
	b.ReportMetric(median(reads), "seq-read-GB/s")
	b.Logf("sequential write GB/s %.2f, read GB/s %.2f (each run)", writes, reads)

	if _, err := exec.LookPath("fio"); err == nil {
		w, r := fio(b, m, fm, "fio")
		b.ReportMetric(w, "fio-write-GB/s")
		b.ReportMetric(r, "fio-read-GB/s")
	}

	// Creates of empty files: 32 threads (the journal commits what they
	// send together), 4,000 files; the files complete as the kernel
	// releases them, which the next measure waits for.
	mustSh(b, fm.dir, "mkdir -p meta")
	const files, threads = 4000, 32
	start := time.Now()
	var next atomic.Int64
	parallel(b, threads, func() error {
		for i := next.Add(1) - 1; i < files; i = next.Add(1) - 1 {
			f, err := os.Create(fm.path(fmt.Sprintf("meta/f%05d", i)))
			if err != nil {
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	b.ReportMetric(files/time.Since(start).Seconds(), "creates/s")
	waitComplete(b, m.Client(), fmt.Sprintf("/meta/f%05d", files-1))

	// stat of existing files, 4 threads, for 3 seconds each.
	stat := func(fm *fuseMount, threads int) float64 {
		var ops atomic.Int64
		deadline := time.Now().Add(3 * time.Second)
		start := time.Now()
		parallel(b, threads, func() error {
			r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
			for time.Now().Before(deadline) {
				for j := 0; j < 100; j++ {
					if _, err := os.Stat(fm.path(fmt.Sprintf("meta/f%05d", r.IntN(files)))); err != nil {
						return err
					}
				}
				ops.Add(100)
			}
			return nil
		})
		return float64(ops.Load()) / time.Since(start).Seconds()
	}
	stat(fm, 4) // fills the cache
	b.ReportMetric(stat(fm, 4), "stats/s")
	// The same with the kernel's caches as mounts have them by default
	// (a second for names and attributes), where most stats never reach
	// the mount.
	dm := mountFuse(b, m, "/", "alluxio.user.metadata.cache.enabled=true")
	stat(dm, 4)
	b.ReportMetric(stat(dm, 4), "stats-kernel-cache/s")
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// parallel runs fn in n goroutines and fails on the first error.
func parallel(b *testing.B, n int, fn func() error) {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// fio runs fio's sequential write (1 thread, 1 MiB blocks, 1 GiB, psync)
// of a new file through the mount, then its sequential read of that file,
// and returns their bandwidths in GB/s.
func fio(b *testing.B, m *cluster.Master, fm *fuseMount, name string) (write, read float64) {
	b.Helper()
	run := func(rw string) float64 {
		out, err := exec.Command("fio", "--name=fuse", "--filename="+fm.path(name), "--rw="+rw, "--bs=1M", "--size=1G",
			"--numjobs=1", "--ioengine=psync", "--fallocate=none", "--output-format=json").Output()
		if err != nil {
			b.Fatalf("fio %s: %v %s", rw, err, out)
		}
		var res struct {
			Jobs []struct {
				Read, Write struct {
					BwBytes float64 `json:"bw_bytes"`
				}
			}
		}
		if err := json.Unmarshal(out, &res); err != nil || len(res.Jobs) != 1 {
			b.Fatalf("fio output: %v %s", err, out)
		}
		return (res.Jobs[0].Read.BwBytes + res.Jobs[0].Write.BwBytes) / 1e9
	}
	write = run("write")
	waitComplete(b, m.Client(), "/"+name)
	return write, run("read")
}
