package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// BenchmarkFuseCreate measures creates of empty files (open(O_CREAT),
// close) through a real mount with the options BenchmarkFuse uses, three
// ways: one thread; 32 threads in one directory (the kernel takes the
// directory's lock for each create, so they reach the mount one at a
// time); and 32 threads each in a directory of its own (mdtest's -u); then
// the last again with files of 4 KiB, which each take a block on the
// worker. For
// each it reports what one create costs: the master's calls by method, its
// journal entries and journal flushes (fsyncs), counted on the master's
// /metrics once every file has completed, and the CPU time of the master
// and the mount process, which on a shared machine say more than the rate.
//
//	make build && ALLUXIO_TEST_BINARY=$PWD/bin/alluxio go test -run '^$' -bench FuseCreate -benchtime 1x ./tests/e2e/
func BenchmarkFuseCreate(b *testing.B) {
	requireFuse(b)
	m := cluster.NewMaster(b)
	cluster.StartWorker(b, m, "worker", "64MB")
	fm := mountFuse(b, m, "/", "attr_timeout=0,entry_timeout=0", "alluxio.user.file.writetype.default=MUST_CACHE",
		"alluxio.user.metadata.cache.enabled=true")
	run := func(name string, files, threads int, content []byte, dirOf func(thread int) string) {
		for t := 0; t < threads; t++ {
			if err := os.MkdirAll(fm.path(dirOf(t)), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		before := m.Scrape(b)
		mountCPU := cpuSeconds(b, fm.proc.Pid())
		var next, thread atomic.Int64
		start := time.Now()
		parallel(b, threads, func() error {
			dir := dirOf(int(thread.Add(1) - 1))
			for i := next.Add(1) - 1; i < int64(files); i = next.Add(1) - 1 {
				f, err := os.Create(fm.path(fmt.Sprintf("%s/f%05d", dir, i)))
				if err != nil {
					return err
				}
				if _, err := f.Write(content); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
			}
			return nil
		})
		rate := float64(files) / time.Since(start).Seconds()
		// The kernel releases the handles after close(2) returns: the
		// costs are counted once every file has completed.
		completed := `alluxio_master_rpc_total{code="OK",method="CompleteFile"}`
		var after map[string]float64
		testcluster.WaitFor(b, time.Minute, 20*time.Millisecond, func() (bool, string) {
			after = m.Scrape(b)
			n := after[completed] - before[completed]
			return n >= float64(files), fmt.Sprintf("%v of %d files completed", n, files)
		})
		mountCPU = cpuSeconds(b, fm.proc.Pid()) - mountCPU
		per := func(series string) float64 { return (after[series] - before[series]) / float64(files) }
		total := 0.0
		for s := range after {
			labels, ok := strings.CutPrefix(s, `alluxio_master_rpc_total{code="`)
			if c := per(s); ok && c > 0 {
				code, method, _ := strings.Cut(strings.TrimSuffix(labels, `"}`), `",method="`)
				b.ReportMetric(c, method+"-"+code+"/create-"+name)
				total += c
			}
		}
		b.ReportMetric(rate, "creates/s-"+name)
		b.ReportMetric(total, "master-calls/create-"+name)
		b.ReportMetric(per("alluxio_master_journal_last_applied_sequence"), "journal-entries/create-"+name)
		b.ReportMetric(per("alluxio_master_journal_flushes_total"), "journal-flushes/create-"+name)
		b.ReportMetric(per("process_cpu_seconds_total")*1e3, "master-cpu-ms/create-"+name)
		b.ReportMetric(mountCPU/float64(files)*1e3, "mount-cpu-ms/create-"+name)
	}
	own := func(t int) string { return fmt.Sprintf("own/d%02d", t) }
	run("1thread", 500, 1, nil, func(int) string { return "one" })
	run("32threads", 2000, 32, nil, func(int) string { return "shared" })
	run("32dirs", 2000, 32, nil, own)
	run("4KiB-32dirs", 2000, 32, randomBytes(4<<10, 3), func(t int) string { return own(t) + "/small" })
}

// cpuSeconds is the CPU time (user and system) process pid has used.
func cpuSeconds(b *testing.B, pid int) float64 {
	b.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The fields after the command name, which is in parentheses and
	// may hold spaces: utime and stime are the 12th and 13th, in the
	// kernel's USER_HZ (100 a second on Linux).
	_, rest, _ := strings.Cut(string(stat), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		b.Fatalf("/proc/%d/stat: %q", pid, stat)
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("/proc/%d/stat: %q", pid, stat)
	}
	return (utime + stime) / 100
}
