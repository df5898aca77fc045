package e2e

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestS3APIProxiesRideFailover runs two proxies on a cluster with the
// embedded journal, as behind a load balancer: a multipart upload hops
// between them (its state lives in the namespace), the leader is killed
// mid-way, and every request still succeeds and every byte reads back from
// either proxy.
func TestS3APIProxiesRideFailover(t *testing.T) {
	c := cluster.NewHA(t, cluster.WithJournal(cluster.JournalEmbedded), cluster.WithWorkers(1, "64MB"),
		cluster.WithDefines("-Dalluxio.user.block.size.bytes.default=1MB"))
	a := sdk(startProxy(t, c.Masters[0], "proxyA").url(), "erin", "x")
	b := sdk(startProxy(t, c.Masters[1], "proxyB").url(), "erin", "x")
	ctx := ctxT(t)
	if _, err := a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ha-bucket")}); err != nil {
		t.Fatal(err)
	}
	objects := map[string][]byte{}
	put := func(c *s3.Client, i int) {
		t.Helper()
		key := fmt.Sprintf("obj/%03d", i)
		data := randomData(t, 100000+i*1000)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ha-bucket"), Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
		objects[key] = data
	}
	cr, err := a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ha-bucket"), Key: aws.String("mp"), Tagging: aws.String("upload=ha")})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{randomData(t, 5<<20), randomData(t, 5<<20), randomData(t, 12345)}
	var done []types.CompletedPart
	upload := func(c *s3.Client, n int) {
		t.Helper()
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ha-bucket"), Key: aws.String("mp"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(int32(n)), Body: bytes.NewReader(parts[n-1])})
		if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(n)), ETag: up.ETag})
	}
	upload(b, 1)
	upload(a, 2)
	for i := range 5 {
		put([]*s3.Client{a, b}[i%2], i)
	}
	// Tags set before the failover are journaled with their files.
	tags := &types.Tagging{TagSet: []types.Tag{{Key: aws.String("set"), Value: aws.String("before")}}}
	if _, err := a.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("ha-bucket"), Key: aws.String("obj/000"), Tagging: tags}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("ha-bucket"), Tagging: tags}); err != nil {
		t.Fatal(err)
	}
	leader := c.WaitLeader()
	leader.Proc.Kill()
	upload(b, 3)
	for i := 5; i < 10; i++ {
		put([]*s3.Client{a, b}[i%2], i)
	}
	lp, err := a.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("ha-bucket"), Key: aws.String("mp"), UploadId: cr.UploadId})
	if err != nil || len(lp.Parts) != 3 {
		t.Fatalf("parts seen by the other proxy: %v %+v", err, lp)
	}
	if _, err := b.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ha-bucket"), Key: aws.String("mp"),
		UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatal(err)
	}
	objects["mp"] = bytes.Join(parts, nil)
	for what, get := range map[string]func() ([]types.Tag, error){
		"obj/000": func() ([]types.Tag, error) {
			o, err := b.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("ha-bucket"), Key: aws.String("obj/000")})
			if err != nil {
				return nil, err
			}
			return o.TagSet, nil
		},
		"the bucket": func() ([]types.Tag, error) {
			o, err := b.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("ha-bucket")})
			if err != nil {
				return nil, err
			}
			return o.TagSet, nil
		},
		"mp": func() ([]types.Tag, error) {
			o, err := b.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("ha-bucket"), Key: aws.String("mp")})
			if err != nil {
				return nil, err
			}
			return o.TagSet, nil
		},
	} {
		want := "set=before"
		if what == "mp" {
			want = "upload=ha"
		}
		got, err := get()
		if err != nil || len(got) != 1 || aws.ToString(got[0].Key)+"="+aws.ToString(got[0].Value) != want {
			t.Fatalf("tags of %s after the failover: %v %+v", what, err, got)
		}
	}
	// The part sizes are kept with the object: part 3, by number.
	if got, out := getAll(t, a, "ha-bucket", "mp", func(in *s3.GetObjectInput) { in.PartNumber = aws.Int32(3) }); !bytes.Equal(got, parts[2]) || aws.ToInt32(out.PartsCount) != 3 {
		t.Fatalf("part 3 of mp: %d bytes, parts count %d", len(got), aws.ToInt32(out.PartsCount))
	}
	for key, want := range objects {
		for _, c := range []*s3.Client{a, b} {
			if got, _ := getAll(t, c, "ha-bucket", key, nil); !bytes.Equal(got, want) {
				t.Fatalf("%s reads back %d bytes, want %d", key, len(got), len(want))
			}
		}
	}
}
