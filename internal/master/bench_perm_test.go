package master

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

// BenchmarkPermissionCost measures getStatus and create by 16 clients of
// a non-superuser (SIMPLE authentication) on two masters of one process,
// one checking permissions (and signing block capabilities) and one not, in alternating rounds so that
// both see the same machine load. It reports both rates and on/off, the
// figure the issue bounds (≥ 0.9). Paths are four levels deep, so a check
// looks at five inodes.
func BenchmarkPermissionCost(b *testing.B) {
	for _, op := range []string{"getStatus", "create"} {
		b.Run(op, func(b *testing.B) {
			ctx := context.Background()
			type side struct {
				cs      []*client.FileSystem
				took    time.Duration
				ops     int64
				created int64
			}
			var sides [2]*side
			for i, on := range []bool{true, false} {
				s := startBenchMaster(b, on)
				cs := clients(b, s, benchClients, benchClients)
				for d := range 100 {
					if _, err := cs[0].CreateDirectory(ctx, fmt.Sprintf("/a/b/c/d%d", d),
						client.CreateDirectoryOptions{WriteType: "MUST_CACHE", Recursive: true}); err != nil {
						b.Fatal(err)
					}
				}
				sides[i] = &side{cs: cs}
			}
			const round = 500
			b.ResetTimer()
			for done, r := int64(0), 0; done < int64(b.N); r++ {
				n := min(int64(round), int64(b.N)-done)
				for k := range 2 {
					sd := sides[(r+k)%2]
					base := sd.created
					start := time.Now()
					runOps(b, sd.cs, n, func(c *client.FileSystem, i int64) error {
						if op == "getStatus" {
							_, err := c.GetStatus(ctx, fmt.Sprintf("/a/b/c/d%d", i%100), client.StatusOptions{})
							return err
						}
						_, err := c.CreateFile(ctx, fmt.Sprintf("/a/b/c/d%d/f%d", i%100, base+i), client.CreateFileOptions{WriteType: "MUST_CACHE"})
						return err
					})
					sd.took += time.Since(start)
					sd.ops += n
					sd.created += n
				}
				done += n
			}
			on := float64(sides[0].ops) / sides[0].took.Seconds()
			off := float64(sides[1].ops) / sides[1].took.Seconds()
			b.ReportMetric(on, "on-ops/s")
			b.ReportMetric(off, "off-ops/s")
			b.ReportMetric(on/off, "on/off")
		})
	}
}

// runOps runs n operations over the clients' goroutines.
func runOps(b *testing.B, cs []*client.FileSystem, n int64, op func(c *client.FileSystem, i int64) error) {
	var next atomic.Int64
	errc := make(chan error, len(cs))
	for _, c := range cs {
		go func(c *client.FileSystem) {
			for {
				i := next.Add(1) - 1
				if i >= n {
					errc <- nil
					return
				}
				if err := op(c, i); err != nil {
					errc <- err
					return
				}
			}
		}(c)
	}
	for range cs {
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	}
}
