package e2e

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// TestS3APICleanerRemovesStaleUploads leaves a multipart upload unfinished
// and a temporary object behind (as a proxy that died mid-write would) and
// waits for the cleaner to remove both once they are older than its
// timeout, while an object and a fresh upload stay.
func TestS3APICleanerRemovesStaleUploads(t *testing.T) {
	cl := newProxyCluster(t, "-Dalluxio.proxy.s3.multipart.upload.cleaner.timeout=3s")
	c := sdk(cl.proxy.url(), "frank", "x")
	fs := cl.m.Client()
	ctx := ctxT(t)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("clean")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("clean"), Key: aws.String("kept"), Body: bytes.NewReader([]byte("x"))}); err != nil {
		t.Fatal(err)
	}
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("clean"), Key: aws.String("abandoned")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("clean"), Key: aws.String("abandoned"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(randomData(t, 1000))}); err != nil {
		t.Fatal(err)
	}
	tmp := "/clean/.alluxio_s3_api_metadata/tmp/left-by-a-dead-proxy"
	w, err := fs.Create(context.Background(), tmp, client.CreateFileOptions{WriteType: "MUST_CACHE", Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("half"))
	w.Cancel()
	testcluster.WaitFor(t, time.Minute, 100*time.Millisecond, func() (bool, string) {
		lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("clean")})
		if err != nil {
			return false, err.Error()
		}
		left := tmpLeft(t, fs, "clean")
		return len(lu.Uploads) == 0 && len(left) == 0, fmt.Sprintf("uploads %d, temporary files %v", len(lu.Uploads), left)
	})
	if !cl.proxy.proc.WaitForLog(t, "S3 cleaner removed", time.Second) {
		t.Fatal("the proxy did not log what its cleaner removed")
	}
	if got, _ := getAll(t, c, "clean", "kept", nil); string(got) != "x" {
		t.Fatalf("the cleaner touched an object: %q", got)
	}
}
