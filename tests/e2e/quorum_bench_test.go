package e2e

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

// Durable create-file through the 3-master embedded quorum, as clients see
// it: 16 concurrent callers of one client process.
//
//	go test -run '^$' -bench EmbeddedCreate -benchtime 20000x ./tests/e2e/
func BenchmarkEmbeddedCreate16Clients(b *testing.B) {
	c := newEmbeddedCluster(b, 0, electionTimeouts...)
	fs := c.Client(30 * time.Second)
	ctx := context.Background()
	const clients = 16
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for g := 0; g < clients; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				if _, err := fs.CreateFile(ctx, fmt.Sprintf("/f%d", i), client.CreateFileOptions{WriteType: "MUST_CACHE"}); err != nil {
					b.Error(err)
					return
				}
				lat[g] = append(lat[g], time.Since(t0))
			}
		}(g)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) == 0 {
		return
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "creates/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}
