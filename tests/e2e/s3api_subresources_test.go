package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/alluxio-go/alluxio/client"
)

// sdkSubresources is TestS3APISDK's part on tagging, ACLs, versioning
// reads and GET by part number, in bucket b, which holds the object
// "mp/big object" of its multipart subtest (parts of 5 MiB, 5 MiB + 7 and
// 1000 bytes).
func sdkSubresources(t *testing.T, cl *proxyCluster, c *s3.Client, b string) {
	ctx := ctxT(t)
	data := randomData(t, 5000)
	key := aws.String("tagged/obj")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: key, Body: bytes.NewReader(data),
		Tagging: aws.String("team=data&stage=raw"), ACL: types.ObjectCannedACLPrivate}); err != nil {
		t.Fatal(err)
	}
	gt, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: key})
	if err != nil || len(gt.TagSet) != 2 || aws.ToString(gt.TagSet[0].Key) != "team" || aws.ToString(gt.TagSet[1].Value) != "raw" {
		t.Fatalf("tags: %v %+v", err, gt)
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: key,
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("stage"), Value: aws.String("clean")}}}}); err != nil {
		t.Fatal(err)
	}
	_, out := getAll(t, c, b, "tagged/obj", nil)
	if aws.ToInt32(out.TagCount) != 1 {
		t.Fatalf("tag count %d, want 1", aws.ToInt32(out.TagCount))
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: key,
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("a"), Value: aws.String("2")}}}})
	wantCode(t, "a repeated tag key", err, "InvalidTag")
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: key}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
	wantCode(t, "tags of an untagged bucket", err, "NoSuchTagSet")
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("cost"), Value: aws.String("42")}}}}); err != nil {
		t.Fatal(err)
	}
	if bt, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)}); err != nil || len(bt.TagSet) != 1 {
		t.Fatalf("bucket tags: %v %+v", err, bt)
	}
	// The tags are the bucket directory's attribute, journaled.
	if fi, err := cl.m.Client().GetStatus(ctx, "/"+b, client.StatusOptions{}); err != nil || len(fi.Xattr["s3.tags"]) == 0 {
		t.Fatalf("the bucket's directory keeps no tags: %v", err)
	}

	acl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(b), Key: key})
	if err != nil || aws.ToString(acl.Owner.ID) != "alice" || len(acl.Grants) != 1 || acl.Grants[0].Permission != types.PermissionFullControl {
		t.Fatalf("object ACL: %v %+v", err, acl)
	}
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(b), ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(b), Key: key, ACL: types.ObjectCannedACLPublicRead})
	wantCode(t, "a public-read ACL", err, "NotImplemented")

	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(b)})
	if err != nil || v.Status != "" {
		t.Fatalf("versioning: %v %+v", err, v)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	wantCode(t, "enabling versioning", err, "NotImplemented")
	lv, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String("tagged/")})
	if err != nil || len(lv.Versions) != 1 || aws.ToString(lv.Versions[0].VersionId) != "null" || aws.ToString(lv.Versions[0].Key) != "tagged/obj" {
		t.Fatalf("versions: %v %+v", err, lv)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: key, VersionId: aws.String("3sL4kqtJlcpXroDTDmJ-rmSpXd3dIbrH")})
	wantCode(t, "another version", err, "NoSuchVersion")

	// The multipart object's second part, by number.
	got, out := getAll(t, c, b, "mp/big object", func(in *s3.GetObjectInput) { in.PartNumber = aws.Int32(2) })
	if len(got) != 5<<20+7 || aws.ToInt32(out.PartsCount) != 3 || aws.ToString(out.ContentRange) != fmt.Sprintf("bytes %d-%d/%d", 5<<20, 10<<20+6, 10<<20+1007) {
		t.Fatalf("part 2: %d bytes, parts count %d, range %q", len(got), aws.ToInt32(out.PartsCount), aws.ToString(out.ContentRange))
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("mp/big object"), PartNumber: aws.Int32(4)})
	wantCode(t, "part 4 of 3", err, "InvalidPartNumber")
	wantHTTPStatus(t, "part 4 of 3", err, http.StatusRequestedRangeNotSatisfiable)
}
