package s3

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/internal/underfs"
)

type discardAt struct{}

func (discardAt) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }

// BenchmarkRead compares a sequential read of a 256 MiB object through the
// store's reader (first GET, then parallel ranged GETs ahead) with the
// SDK's download manager, in one run:
//
//	go test -run '^$' -bench Read -benchtime 3x ./internal/underfs/s3/
func BenchmarkRead(b *testing.B) {
	const size = 256 << 20
	srv := startBenchServer(b)
	fs, err := New("s3://bucket/bench", underfs.Options{Properties: srv})
	if err != nil {
		b.Fatal(err)
	}
	defer fs.Close()
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	if _, err := manager.NewUploader(fs.client).Upload(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bucket"),
		Key: aws.String("bench/obj"), Body: bytes.NewReader(data)}); err != nil {
		b.Fatal(err)
	}
	var ours, sdk time.Duration
	readOurs := func() {
		start := time.Now()
		r, err := fs.OpenRange(context.Background(), "obj", 0, size)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, r, make([]byte, 1<<20))
		r.Close()
		if err != nil || n != size {
			b.Fatalf("read %d, %v", n, err)
		}
		ours += time.Since(start)
	}
	readSDK := func() {
		start := time.Now()
		d := manager.NewDownloader(fs.client, func(d *manager.Downloader) { d.PartSize, d.Concurrency = readChunk, fs.cfg.ReadParallelism })
		if _, err := d.Download(context.Background(), discardAt{}, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("bench/obj")}); err != nil {
			b.Fatal(err)
		}
		sdk += time.Since(start)
	}
	readSDK() // warm the connections and the server's page cache
	sdk = 0
	i := 0
	for b.Loop() {
		// Alternate the order: on a shared machine the second of two
		// back-to-back reads is often faster.
		if i%2 == 0 {
			readOurs()
			readSDK()
		} else {
			readSDK()
			readOurs()
		}
		i++
	}
	b.ReportMetric(float64(size)*float64(b.N)/ours.Seconds()/1e9, "ours-GB/s")
	b.ReportMetric(float64(size)*float64(b.N)/sdk.Seconds()/1e9, "sdk-GB/s")
}

func startBenchServer(b *testing.B) map[string]string {
	b.Helper()
	srv := testclusterStartS3(b)
	return srv
}
