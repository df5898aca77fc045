package e2e

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// Failover time, as users feel it: from the leader's death (or SIGTERM) to
// the first write acknowledged by the new leader, seen by a client that
// retries every few milliseconds. Run with
//
//	go test -run '^$' -bench Failover -benchtime 1x ./tests/e2e/
//
// FAILOVERS sets how many failovers each benchmark makes (default 10).
func failovers() int {
	if n, err := strconv.Atoi(os.Getenv("FAILOVERS")); err == nil && n > 0 {
		return n
	}
	return 10
}

func BenchmarkZKFailoverKill9(b *testing.B) {
	benchFailover(b, newZKCluster(b, 0, "5s"), syscall.SIGKILL)
}

func BenchmarkZKFailoverGraceful(b *testing.B) {
	benchFailover(b, newZKCluster(b, 0, "5s"), syscall.SIGTERM)
}

func BenchmarkEmbeddedFailoverKill9(b *testing.B) {
	benchFailover(b, newEmbeddedCluster(b, 0, electionTimeouts...), syscall.SIGKILL)
}

func BenchmarkEmbeddedFailoverGraceful(b *testing.B) {
	benchFailover(b, newEmbeddedCluster(b, 0, electionTimeouts...), syscall.SIGTERM)
}

func benchFailover(b *testing.B, c *cluster.HA, sig syscall.Signal) {
	cfg := client.Config{Masters: c.RPCs, RetryMaxDuration: 60 * time.Second,
		RetryBaseSleep: 5 * time.Millisecond, RetryMaxSleep: 20 * time.Millisecond, RPCTimeout: 2 * time.Second, User: "tester"}
	if c.ZK != nil {
		cfg.ZooKeeper = c.ZK.Servers()
	}
	fs, err := client.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer fs.Close()
	ctx := context.Background()
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < failovers(); i++ {
		if _, err := fs.CreateDirectory(ctx, fmt.Sprintf("/warm-%d", i), client.CreateDirectoryOptions{WriteType: "MUST_CACHE"}); err != nil {
			b.Fatal(err)
		}
		old := c.WaitLeader()
		start := time.Now()
		if err := old.Proc.Signal(sig); err != nil {
			b.Fatal(err)
		}
		// A write the old leader still took before it stopped does not
		// count: the clock stops at the first write the new leader takes.
		oldAddr := fmt.Sprintf("127.0.0.1:%d", old.RPCPort)
		for j := 0; ; j++ {
			if _, err := fs.CreateDirectory(ctx, fmt.Sprintf("/after-%d-%d", i, j), client.CreateDirectoryOptions{WriteType: "MUST_CACHE"}); err != nil {
				b.Fatal(err)
			}
			if leader, err := fs.Leader(ctx); err == nil && leader != oldAddr {
				break
			}
			if time.Since(start) > time.Minute {
				b.Fatal("no new leader took a write within a minute")
			}
		}
		took = append(took, time.Since(start))
		old.Proc.Wait()
		old.Proc.Restart(b)
		c.WaitStandbys()
	}
	b.StopTimer()
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	p := func(q float64) float64 { return took[min(len(took)-1, int(q*float64(len(took))))].Seconds() }
	b.ReportMetric(p(0.5), "p50-s")
	// A 99th percentile of fewer than 100 failovers is the slowest one:
	// say so.
	if len(took) >= 100 {
		b.ReportMetric(p(0.99), "p99-s")
	} else {
		b.ReportMetric(took[len(took)-1].Seconds(), "max-s")
	}
	b.ReportMetric(float64(len(took)), "failovers")
	b.Logf("failover times: %v", took)
}

// electionTimeouts lets the embedded benchmarks try other timeouts through
// ELECTION_TIMEOUT_MIN and ELECTION_TIMEOUT_MAX (default: the configured
// defaults).
var electionTimeouts = func() []string {
	var out []string
	if v := os.Getenv("ELECTION_TIMEOUT_MIN"); v != "" {
		out = append(out, "-Dalluxio.master.embedded.journal.election.timeout.min="+v)
	}
	if v := os.Getenv("ELECTION_TIMEOUT_MAX"); v != "" {
		out = append(out, "-Dalluxio.master.embedded.journal.election.timeout.max="+v)
	}
	return out
}()
