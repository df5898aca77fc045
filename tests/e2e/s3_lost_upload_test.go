package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/failpoint"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestS3LostUploadIsPersistedAgain: a CACHE_THROUGH file's completion
// commits, and before the master completes the multipart upload the
// worker left open, the upload is gone (aborted here, as a store that
// crashed mid-completion or an operator's cleanup loses it). The file was
// acknowledged and its blocks are cached: it must end up in the bucket
// with its bytes, persisted again from the cache, not left unpersisted.
// The chaos run on S3 found this (a leader killed with the publish
// pending, then the S3 server killed).
func TestS3LostUploadIsPersistedAgain(t *testing.T) {
	t.Parallel()
	bin := testcluster.BinaryWithTags(t, "failpoints")
	pause := fmt.Sprintf("ALLUXIO_FAILPOINTS=%s=8s:PUBLISH:/lost", failpoint.PauseBeforeUFSChange)
	cc := cluster.NewHA(t, cluster.WithS3Root(), cluster.WithWorkers(1, "256MB"), cluster.WithBinary(bin), cluster.WithEnv(pause))
	fs := cc.ClientWith(client.Config{RetryMaxDuration: 90 * time.Second, RPCTimeout: 30 * time.Second})
	ctx := context.Background()
	data := make([]byte, 5<<20+7)
	rand.Read(data)
	w, err := fs.Create(ctx, "/lost/f", client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20, Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- w.Close() }()
	leader := cc.WaitLeader()
	if !leader.Proc.WaitForLog(t, "failpoint: pausing before an under storage change", 60*time.Second) {
		t.Fatal("the leader did not pause before the publish")
	}
	s3c := cc.S3.Client()
	bucket, key := aws.String(cc.S3Bucket), cc.S3Prefix+"/lost/f"
	ups, err := s3c.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: bucket, Prefix: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 1 {
		t.Fatalf("%d uploads open for %s while the publish waits, want 1", len(ups.Uploads), key)
	}
	if _, err := s3c.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: bucket, Key: aws.String(key),
		UploadId: ups.Uploads[0].UploadId}); err != nil {
		t.Fatal(err)
	}
	if err := <-closed; err != nil {
		t.Fatalf("the completion, acknowledged by its commit: %v", err)
	}
	var last *client.FileInfo
	testcluster.WaitFor(t, 90*time.Second, 100*time.Millisecond, func() (bool, string) {
		fi, err := fs.GetStatus(ctx, "/lost/f", client.StatusOptions{})
		if err != nil {
			return false, err.Error()
		}
		last = fi
		return fi.Persisted, fmt.Sprintf("%s, error %q", fi.PersistenceState, fi.UfsError)
	})
	if last.UfsError != "" || last.Length != int64(len(data)) {
		t.Fatalf("persisted again: error %q, length %d", last.UfsError, last.Length)
	}
	if !leader.Proc.WaitForLog(t, "under storage change failed for good", time.Second) {
		t.Fatal("the lost upload's publish did not fail")
	}
	obj, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the bucket holds %d bytes (%v), want the file's %d", len(got), err, len(data))
	}
	if got := readFile(t, fs, "/lost/f", "NO_CACHE"); !bytes.Equal(got, data) {
		t.Fatalf("reading the file back: %d bytes differ", len(got))
	}
	rest, err := s3c.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: bucket, Prefix: aws.String(key)})
	if err != nil || len(rest.Uploads) != 0 {
		t.Fatalf("uploads left open: %v, %v", rest.Uploads, err)
	}
}
