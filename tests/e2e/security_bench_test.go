package e2e

import (
	"context"
	"crypto/tls"
	"io"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/security/securitytest"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// BenchmarkTLSStreamRead compares, in one run, reads of a file cached in a
// worker's memory tier (/dev/shm) streamed over gRPC from two clusters
// side by side: one with mutual TLS on every port, one without. Reads
// alternate between them, each going first in turn, so that load from
// elsewhere on the machine falls on both; the figures are the medians.
//
//	go test -run '^$' -bench TLSStreamRead -benchtime 1x ./tests/e2e/
func BenchmarkTLSStreamRead(b *testing.B) {
	const size, rounds = 512 << 20, 9
	if _, err := os.Stat("/dev/shm"); err != nil {
		b.Skip("no /dev/shm")
	}
	ca := securitytest.NewCA(b, "bench")
	tlsDefs := ca.Defines(ca.Issue("alluxio", securitytest.Options{}))
	// The reader is the cluster's superuser (the masters' certificate
	// user), who may write the file to / under permission checks.
	clientTLS := loadClientTLS(b, ca, ca.Issue("alluxio", securitytest.Options{}))
	type side struct {
		name string
		w    *cluster.Worker
		c    *client.FileSystem
		secs []float64
	}
	start := func(name string, defs []string, cfg *tls.Config) *side {
		m := cluster.NewMasterNamed(b, name+"-master", defs...)
		m.WebTLS = cfg
		tier, err := os.MkdirTemp("/dev/shm", "alluxio-bench-")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(tier) })
		w := cluster.StartWorkerIn(b, m, name+"-worker", "1GB", tier)
		c, err := client.New(client.Config{Masters: []string{m.RPCAddress()}, NoShortCircuit: true, TLS: cfg})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		return &side{name: name, w: w, c: c}
	}
	plain, secure := start("plain", nil, nil), start("tls", tlsDefs, clientTLS)
	ctx := context.Background()
	chunk := randomBytes(4<<20, 7)
	for _, s := range []*side{plain, secure} {
		writeRepeated(b, s.c, "/f", client.CreateFileOptions{WriteType: "MUST_CACHE"}, chunk, size)
	}
	read := func(s *side) float64 {
		r, err := s.c.OpenFile(ctx, "/f", client.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		start := time.Now()
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, make([]byte, 4<<20))
		if err != nil || n != size {
			b.Fatalf("%s: read %d bytes, %v", s.name, n, err)
		}
		return time.Since(start).Seconds()
	}
	for _, s := range []*side{plain, secure} {
		read(s) // warm up connections
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for r := 0; r < rounds; r++ {
			// Each goes first in turn.
			order := []*side{plain, secure}
			if r%2 == 1 {
				order[0], order[1] = secure, plain
			}
			for _, s := range order {
				s.secs = append(s.secs, read(s))
			}
		}
	}
	b.StopTimer()
	// The figures count only if the bytes came over the stream.
	for _, s := range []*side{plain, secure} {
		if n := s.w.Metric(b, "alluxio_worker_short_circuit_opens_total"); n != 0 {
			b.Fatalf("%s: the client opened %v block files directly; the benchmark is of the stream", s.name, n)
		}
	}
	median := func(v []float64) float64 { sort.Float64s(v); return v[len(v)/2] }
	p, t := float64(size)/median(plain.secs)/1e9, float64(size)/median(secure.secs)/1e9
	b.ReportMetric(p, "plain-GB/s")
	b.ReportMetric(t, "tls-GB/s")
	b.ReportMetric(t/p, "tls/plain")
}
