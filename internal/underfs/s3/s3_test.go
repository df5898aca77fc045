package s3

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/underfs/underfstest"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// server starts one versitygw for a test (and its subtests) with a bucket.
func server(t *testing.T) (*testcluster.S3Server, string) {
	t.Helper()
	srv := testcluster.StartS3(t)
	srv.CreateBucket(t, "bucket")
	return srv, "bucket"
}

var roots atomic.Int64

// open returns an FS over a prefix of its own in bucket, with opts added
// to the server's properties.
func open(t *testing.T, srv *testcluster.S3Server, bucket string, opts map[string]string) *FS {
	t.Helper()
	props := srv.Properties()
	for k, v := range opts {
		props[k] = v
	}
	uri := fmt.Sprintf("s3://%s/root%d", bucket, roots.Add(1))
	fs, err := New(uri, underfs.Options{Properties: props})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	return fs
}

func TestConformance(t *testing.T) {
	srv, bucket := server(t)
	underfstest.Run(t, func(t *testing.T) underfs.UnderFileSystem {
		// Small parts, so that the suite's 3 MiB file is a multipart upload.
		return open(t, srv, bucket, map[string]string{KeyPartSize: "5MB"})
	})
}

func testclusterStartS3(tb testing.TB) map[string]string {
	tb.Helper()
	srv := testcluster.StartS3(tb)
	srv.CreateBucket(tb, "bucket")
	return srv.Properties()
}
