package raftjournal

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkProposeParallel measures 16 clients proposing small entries
// through a 3-master cluster on loopback: every entry is fsynced by a
// majority before it is answered, and Raft commits concurrent proposals in
// batches.
func BenchmarkProposeParallel(b *testing.B) {
	c := newCluster(b, 3, func(o *Options) { o.ElectionTimeoutMin = time.Second })
	leader := c.waitLeader()
	const workers = 16
	lat := make([][]time.Duration, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				t0 := time.Now()
				r, err := leader.sys.Propose(context.Background(), mkdir(fmt.Sprintf("/w%d/d%d", w, i)))
				if err != nil || r.Err != nil {
					b.Errorf("propose: %v / %v", err, r.Err)
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "entries/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkCheckPrimaryParallel measures linearizable read checks: each asks
// a quorum, and Raft answers concurrent ones with one heartbeat round.
func BenchmarkCheckPrimaryParallel(b *testing.B) {
	c := newCluster(b, 3, func(o *Options) { o.ElectionTimeoutMin = time.Second })
	leader := c.waitLeader()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := leader.sys.CheckPrimary(context.Background()); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
