package s3

import (
	"fmt"
	"os"
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
	return openWith(t, srv, bucket, opts, underfs.Options{})
}

// openWith is open with the rest of the store's options (temporary
// folders, a logger) from base.
func openWith(t *testing.T, srv *testcluster.S3Server, bucket string, opts map[string]string, base underfs.Options) *FS {
	t.Helper()
	props := srv.Properties()
	for k, v := range opts {
		props[k] = v
	}
	uri := fmt.Sprintf("s3://%s/root%d", bucket, roots.Add(1))
	base.Properties = props
	fs, err := New(uri, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	return fs
}

// TestConformance runs the suite with streaming writes (the default) and
// with writes buffered in a local file (streaming.upload.enabled=false),
// which must leave no temporary file behind, whatever the suite did.
func TestConformance(t *testing.T) {
	srv, bucket := server(t)
	t.Run("streaming", func(t *testing.T) {
		underfstest.Run(t, func(t *testing.T) underfs.UnderFileSystem {
			// Small parts, so that the suite's 3 MiB file is a multipart upload.
			return open(t, srv, bucket, map[string]string{KeyPartSize: "5MB"})
		})
	})
	t.Run("buffered", func(t *testing.T) {
		tmp := t.TempDir()
		underfstest.Run(t, func(t *testing.T) underfs.UnderFileSystem {
			return openWith(t, srv, bucket, map[string]string{KeyPartSize: "5MB", KeyStreamingUpload: "false"},
				underfs.Options{TempDirs: []string{tmp}})
		})
		if left := dirEntries(t, tmp); len(left) > 0 {
			t.Errorf("temporary files left after the suite: %v", left)
		}
	})
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func testclusterStartS3(tb testing.TB) map[string]string {
	tb.Helper()
	srv := testcluster.StartS3(tb)
	srv.CreateBucket(tb, "bucket")
	return srv.Properties()
}
