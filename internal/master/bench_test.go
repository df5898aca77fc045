package master

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/journal/ufsjournal"
)

// startTestMaster runs a master in this process on loopback ports with a
// journal in a temporary folder, and waits until it serves as primary.
// Its "/" is open to all (777), for the benchmarks' user.
func startTestMaster(tb testing.TB) *Server { return startBenchMaster(tb, true) }

func startBenchMaster(tb testing.TB, permissions bool) *Server {
	tb.Helper()
	dir := tb.TempDir()
	cfg := testConfig(dir, dir+"/ufs")
	cfg.RetryCacheSize, cfg.DefaultBlockSize = 100000, 64<<20
	cfg.PermissionEnabled = permissions
	if permissions {
		// Statuses and creates then sign block capabilities too.
		cfg.CapabilityLifetime = time.Hour
	}
	if err := ufsjournal.Format(cfg.JournalFolder); err != nil {
		tb.Fatal(err)
	}
	s, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Stop(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.WaitPrimary(ctx); err != nil {
		tb.Fatalf("master did not become primary: %v", err)
	}
	all := uint32(0o777)
	if err := s.fs.setAttribute(ctx, &alluxiopb.SetAttributeRequest{Path: "/", OpId: opID(), Mode: &all}); err != nil {
		tb.Fatal(err)
	}
	return s
}

// clients returns n client handles over conns connections: the threads of
// an application share a FileSystem (and its connection), as Alluxio's own
// stress benchmarks do.
func clients(tb testing.TB, s *Server, n, conns int) []*client.FileSystem {
	fss := make([]*client.FileSystem, conns)
	for i := range fss {
		c, err := client.New(client.Config{Masters: []string{s.cfg.RPCAddress()}, User: "bench"})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { c.Close() })
		fss[i] = c
	}
	out := make([]*client.FileSystem, n)
	for i := range out {
		out[i] = fss[i%conns]
	}
	return out
}

const benchClients = 16

// runClients splits b.N operations over benchClients goroutines, each with
// its own client, and reports operations per second.
func runClients(b *testing.B, cs []*client.FileSystem, op func(c *client.FileSystem, i int64) error) {
	var next atomic.Int64
	errc := make(chan error, len(cs))
	b.ResetTimer()
	start := time.Now()
	for _, c := range cs {
		go func(c *client.FileSystem) {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
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
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}

func BenchmarkGetStatus16Clients(b *testing.B) {
	for _, conns := range []int{1, benchClients} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) { benchGetStatus(b, conns) })
	}
}

func benchGetStatus(b *testing.B, conns int) {
	s := startTestMaster(b)
	cs := clients(b, s, benchClients, conns)
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		if _, err := cs[0].CreateDirectory(ctx, fmt.Sprintf("/d%d", i), client.CreateDirectoryOptions{WriteType: "MUST_CACHE"}); err != nil {
			b.Fatal(err)
		}
	}
	runClients(b, cs, func(c *client.FileSystem, i int64) error {
		_, err := c.GetStatus(ctx, fmt.Sprintf("/d%d", i%100), client.StatusOptions{})
		return err
	})
}

func BenchmarkCreateFile16Clients(b *testing.B) {
	for _, conns := range []int{1, benchClients} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) { benchCreate(b, conns) })
	}
}

func benchCreate(b *testing.B, conns int) {
	s := startTestMaster(b)
	cs := clients(b, s, benchClients, conns)
	ctx := context.Background()
	runClients(b, cs, func(c *client.FileSystem, i int64) error {
		_, err := c.CreateFile(ctx, fmt.Sprintf("/f%d", i), client.CreateFileOptions{WriteType: "MUST_CACHE"})
		return err
	})
}

// BenchmarkMkdirPersisted16Clients makes directories that go to the under
// storage too (every write type but MUST_CACHE): an entry, the mkdir, and
// the entry that records it done.
func BenchmarkMkdirPersisted16Clients(b *testing.B) {
	s := startTestMaster(b)
	cs := clients(b, s, benchClients, benchClients)
	ctx := context.Background()
	runClients(b, cs, func(c *client.FileSystem, i int64) error {
		_, err := c.CreateDirectory(ctx, fmt.Sprintf("/d%d", i), client.CreateDirectoryOptions{WriteType: "CACHE_THROUGH"})
		return err
	})
}
