package e2e

import (
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// s3Endpoint is an S3 server the benchmarks drive with the same client.
type s3Endpoint struct {
	name  string
	url   string
	creds aws.Credentials
	pid   int
}

// startReference runs versitygw (the reference S3 server of the S3 under
// storage tests) over dir.
func startReference(t testing.TB, dir string) *s3Endpoint {
	t.Helper()
	s := testcluster.StartS3In(t, dir)
	return &s3Endpoint{name: "versitygw", url: s.Endpoint, pid: s.Process().Pid(),
		creds: aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey}}
}

// benchClient is one HTTP client for every server, with buffers sized for
// bulk transfers.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, WriteBufferSize: 1 << 20, ReadBufferSize: 1 << 20,
	DisableCompression: true}}

// do sends a request signed for e (UNSIGNED-PAYLOAD) and returns the
// answer, which the caller closes.
func (e *s3Endpoint) do(ctx context.Context, method, path string, body io.Reader, length int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, e.url+path, body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = length
	if body == nil {
		req.Body = http.NoBody
	}
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	if err := v4.NewSigner().SignHTTP(ctx, e.creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
		return nil, err
	}
	resp, err := benchClient.Do(req)
	if err == nil && resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return nil, fmt.Errorf("%s %s on %s: %d %s", method, path, e.name, resp.StatusCode, b)
	}
	return resp, err
}

func (e *s3Endpoint) put(ctx context.Context, path string, body io.Reader, n int64) error {
	resp, err := e.do(ctx, "PUT", path, body, n)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return err
}

// get reads an object and returns its length and CRC-32.
func (e *s3Endpoint) get(ctx context.Context, path string, buf []byte) (int64, uint32, error) {
	resp, err := e.do(ctx, "GET", path, nil, 0)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	h := crc32.NewIEEE()
	n, err := io.CopyBuffer(h, resp.Body, buf)
	return n, h.Sum32(), err
}

// pattern is cheap, incompressible-looking data of any length: a random
// block repeated.
type pattern struct {
	block []byte
	off   int64
	left  int64
}

// patternBlock is the random block every pattern repeats, made once.
var patternBlock = sync.OnceValue(func() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 4<<20)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
})

// newPattern is n bytes of the pattern, starting at a place seed picks.
func newPattern(n int64, seed uint64) *pattern {
	b := patternBlock()
	return &pattern{block: b, off: int64(seed*7919) % int64(len(b)), left: n}
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	i := p.off % int64(len(p.block))
	n := copy(b[:min(int64(len(b)), p.left)], p.block[i:])
	p.off += int64(n)
	p.left -= int64(n)
	return n, nil
}

func patternCRC(n int64, seed uint64) uint32 {
	h := crc32.NewIEEE()
	io.CopyBuffer(h, newPattern(n, seed), make([]byte, 1<<20))
	return h.Sum32()
}

// benchCluster is a master, a worker whose memory tier is in tmpfs, and a
// proxy writing MUST_CACHE on the same host (so GETs read the worker's
// block files directly), beside versitygw serving a tmpfs folder.
func benchCluster(b *testing.B, quota string) (alluxio, ref *s3Endpoint) {
	m := cluster.NewMaster(b, "-Dalluxio.user.file.writetype.default=MUST_CACHE")
	shm, err := os.MkdirTemp("/dev/shm", "alluxio-s3bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(shm) })
	cluster.StartWorkerIn(b, m, "worker", quota, filepath.Join(shm, "worker"))
	p := startProxy(b, m, "proxy", "-Dalluxio.proxy.s3.writetype=MUST_CACHE")
	alluxio = &s3Endpoint{name: "alluxio", url: p.url(), creds: aws.Credentials{AccessKeyID: "bench", SecretAccessKey: "x"}, pid: p.proc.Pid()}
	refDir := filepath.Join(shm, "versitygw")
	if err := os.MkdirAll(refDir, 0o755); err != nil {
		b.Fatal(err)
	}
	ref = startReference(b, refDir)
	ctx := context.Background()
	for _, e := range []*s3Endpoint{alluxio, ref} {
		if err := e.put(ctx, "/bench-bucket", nil, 0); err != nil {
			b.Fatal(err)
		}
	}
	return alluxio, ref
}

// BenchmarkS3APILarge puts and gets a 1 GiB object through the proxy and
// through versitygw, both over tmpfs, in one run: three rounds, each
// server in turn, so a busy moment of the machine hits both alike; the
// best round of each counts.
//
//	make build && ALLUXIO_TEST_BINARY=$PWD/bin/alluxio go test -run '^$' -bench 'BenchmarkS3APILarge' -benchtime 1x ./tests/e2e/
func BenchmarkS3APILarge(b *testing.B) {
	const size, rounds = 1 << 30, 3
	alluxio, ref := benchCluster(b, "3GB")
	ctx := context.Background()
	buf := make([]byte, 1<<20)
	want := patternCRC(size, 1)
	for range b.N {
		put, get := map[string]float64{}, map[string]float64{}
		for range rounds {
			for _, e := range []*s3Endpoint{alluxio, ref} {
				start := time.Now()
				if err := e.put(ctx, "/bench-bucket/large", newPattern(size, 1), size); err != nil {
					b.Fatal(err)
				}
				put[e.name] = max(put[e.name], size/time.Since(start).Seconds()/1e9)
				start = time.Now()
				n, crc, err := e.get(ctx, "/bench-bucket/large", buf)
				if err != nil || n != size || crc != want {
					b.Fatalf("%s GET: %d bytes, crc %x (want %x), %v", e.name, n, crc, want, err)
				}
				get[e.name] = max(get[e.name], size/time.Since(start).Seconds()/1e9)
			}
		}
		for _, e := range []*s3Endpoint{alluxio, ref} {
			b.ReportMetric(put[e.name], e.name+"-put-GB/s")
			b.ReportMetric(get[e.name], e.name+"-get-GB/s")
			b.Logf("%s: PUT 1 GiB %.2f GB/s, GET %.2f GB/s (best of %d), server peak RSS %d MiB", e.name, put[e.name], get[e.name], rounds, peakRSS(b, e.pid)>>20)
		}
	}
}

// BenchmarkS3APISmall runs 16 clients doing 4 KiB PUTs, then GETs of what
// they put, for a few seconds each, against the proxy and versitygw.
//
//	make build && ALLUXIO_TEST_BINARY=$PWD/bin/alluxio go test -run '^$' -bench 'BenchmarkS3APISmall' -benchtime 1x ./tests/e2e/
func BenchmarkS3APISmall(b *testing.B) {
	const (
		clients = 16
		size    = 4 << 10
		phase   = 5 * time.Second
	)
	alluxio, ref := benchCluster(b, "1GB")
	ctx := context.Background()
	for range b.N {
		for _, e := range []*s3Endpoint{alluxio, ref} {
			var puts atomic.Int64
			var wg sync.WaitGroup
			counts := make([]int, clients)
			deadline := time.Now().Add(phase)
			start := time.Now()
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; time.Now().Before(deadline); i++ {
						if err := e.put(ctx, fmt.Sprintf("/bench-bucket/small/%d/%d", c, i), newPattern(size, uint64(c)), size); err != nil {
							b.Error(err)
							return
						}
						counts[c] = i + 1
						puts.Add(1)
					}
				}()
			}
			wg.Wait()
			putRate := float64(puts.Load()) / time.Since(start).Seconds()
			var gets atomic.Int64
			want := patternCRC(size, 0)
			deadline = time.Now().Add(phase)
			start = time.Now()
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					buf := make([]byte, 64<<10)
					want := patternCRC(size, uint64(c))
					for i := 0; time.Now().Before(deadline); i++ {
						n, crc, err := e.get(ctx, fmt.Sprintf("/bench-bucket/small/%d/%d", c, i%max(counts[c], 1)), buf)
						if err != nil || n != size || crc != want {
							b.Errorf("%s GET: %d bytes, crc %x, %v", e.name, n, crc, err)
							return
						}
						gets.Add(1)
					}
				}()
			}
			wg.Wait()
			_ = want
			getRate := float64(gets.Load()) / time.Since(start).Seconds()
			b.ReportMetric(putRate, e.name+"-put-obj/s")
			b.ReportMetric(getRate, e.name+"-get-obj/s")
			b.Logf("%s: 4 KiB x %d clients: PUT %.0f objects/s, GET %.0f objects/s", e.name, clients, putRate, getRate)
		}
	}
}

// BenchmarkS3APIMemory puts and gets a 5 GiB object (S3's largest single PUT)
// through the proxy, the worker's cache on disk, and reports the proxy's
// peak resident memory, which stays bounded however large the object.
//
//	make build && ALLUXIO_TEST_BINARY=$PWD/bin/alluxio go test -run '^$' -bench 'BenchmarkS3APIMemory' -benchtime 1x ./tests/e2e/
func BenchmarkS3APIMemory(b *testing.B) {
	const size = 5 << 30
	m := cluster.NewMaster(b, "-Dalluxio.user.file.writetype.default=MUST_CACHE")
	cluster.StartWorkerIn(b, m, "worker", "6GB", filepath.Join(b.TempDir(), "cache"))
	p := startProxy(b, m, "proxy", "-Dalluxio.proxy.s3.writetype=MUST_CACHE")
	e := &s3Endpoint{name: "alluxio", url: p.url(), creds: aws.Credentials{AccessKeyID: "bench", SecretAccessKey: "x"}, pid: p.proc.Pid()}
	ctx := context.Background()
	if err := e.put(ctx, "/bench-bucket", nil, 0); err != nil {
		b.Fatal(err)
	}
	b.Logf("proxy peak RSS after start: %d MiB", peakRSS(b, e.pid)>>20)
	want := patternCRC(size, 3)
	for range b.N {
		start := time.Now()
		if err := e.put(ctx, "/bench-bucket/huge", newPattern(size, 3), size); err != nil {
			b.Fatal(err)
		}
		b.Logf("PUT 5 GiB: %.2f GB/s, proxy peak RSS %d MiB", size/time.Since(start).Seconds()/1e9, peakRSS(b, e.pid)>>20)
		start = time.Now()
		n, crc, err := e.get(ctx, "/bench-bucket/huge", make([]byte, 1<<20))
		if err != nil || n != size || crc != want {
			b.Fatalf("GET: %d bytes, crc %x (want %x): %v", n, crc, want, err)
		}
		b.Logf("GET 5 GiB: %.2f GB/s, proxy peak RSS %d MiB", size/time.Since(start).Seconds()/1e9, peakRSS(b, e.pid)>>20)
	}
}
