package proxy

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/alluxio-go/alluxio/client"
)

// apiCode fails unless err is an S3 answer with status and code.
func apiCode(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	var ae smithy.APIError
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &ae) || !errors.As(err, &re) || ae.ErrorCode() != code || re.HTTPStatusCode() != status {
		t.Fatalf("%s: %v, want %d %s", what, err, status, code)
	}
}

// rawAnswer is an answer to a request the SDK would not send.
type rawAnswer struct {
	status int
	header http.Header
	body   string
	code   string // the error document's code
}

// rawS3 sends a request as the access key tester (a version 2
// Authorization, read for its key while signatures are not checked).
func rawS3(t *testing.T, method, url, body string, hdr map[string]string) rawAnswer {
	t.Helper()
	r, err := http.NewRequestWithContext(testCtx(t), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "AWS tester:unchecked")
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := rawAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
	var doc errorDoc
	if resp.StatusCode >= 300 && xml.Unmarshal(b, &doc) == nil {
		a.code = doc.Code
	}
	return a
}

func tagList(tags []types.Tag) string {
	var out []string
	for _, t := range tags {
		out = append(out, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	return strings.Join(out, "&")
}

func sdkTags(kv ...string) *types.Tagging {
	tg := &types.Tagging{TagSet: []types.Tag{}}
	for i := 0; i+1 < len(kv); i += 2 {
		tg.TagSet = append(tg.TagSet, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return tg
}

func TestObjectTagging(t *testing.T) {
	c, fs, url, ctx := testBucket(t, "tags")
	b := aws.String("tags")
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("data"),
		Tagging: aws.String("a=1&sp%20ace=x+y&empty=")})
	if err != nil {
		t.Fatal(err)
	}
	gt, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("k")})
	if err != nil || tagList(gt.TagSet) != "a=1&sp ace=x y&empty=" {
		t.Fatalf("tags from x-amz-tagging: %v %q", err, tagList(gt.TagSet))
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("k")})
	if err != nil || aws.ToInt32(get.TagCount) != 3 {
		t.Fatalf("GetObject's tag count: %v %d, want 3", err, aws.ToInt32(get.TagCount))
	}
	get.Body.Close()
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("k")})
	if err != nil || aws.ToInt32(head.TagCount) != 3 {
		t.Fatalf("HeadObject's tag count: %v %d, want 3", err, aws.ToInt32(head.TagCount))
	}
	// Tags are an attribute of the file, journaled with it.
	fi, err := fs.GetStatus(ctx, "/tags/k", client.StatusOptions{})
	if err != nil || len(fi.Xattr[xTags]) == 0 {
		t.Fatalf("the file keeps no tags: %v %v", err, fi)
	}

	// PutObjectTagging replaces the set; the object's ETag and
	// Last-Modified stay.
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("k"), Tagging: sdkTags("ü", "ß", "k2", "+-=._:/@")}); err != nil {
		t.Fatal(err)
	}
	gt, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("k")})
	if err != nil || tagList(gt.TagSet) != "ü=ß&k2=+-=._:/@" {
		t.Fatalf("after PutObjectTagging: %v %q", err, tagList(gt.TagSet))
	}
	// Last-Modified has seconds; the file's time has milliseconds.
	if fi2, err := fs.GetStatus(ctx, "/tags/k", client.StatusOptions{}); err != nil || !fi2.Modified.Equal(fi.Modified) {
		t.Fatalf("tagging changed the file's modification time: %v, %v → %v", err, fi.Modified, fi2.Modified)
	}
	head2, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("k")})
	if err != nil || aws.ToString(head2.ETag) != aws.ToString(put.ETag) || !head2.LastModified.Equal(*head.LastModified) || aws.ToInt32(head2.TagCount) != 2 {
		t.Fatalf("tagging changed the object: %v etag %s→%s, modified %v→%v", err, aws.ToString(put.ETag), aws.ToString(head2.ETag), head.LastModified, head2.LastModified)
	}
	// The exact document.
	a := rawS3(t, "GET", url+"/tags/k?tagging", "", nil)
	want := xml.Header + `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>ü</Key><Value>ß</Value></Tag><Tag><Key>k2</Key><Value>+-=._:/@</Value></Tag></TagSet></Tagging>`
	if a.status != 200 || strings.TrimSpace(a.body) != want {
		t.Fatalf("GetObjectTagging answered %d:\n%s\nwant\n%s", a.status, a.body, want)
	}

	many := []string{}
	for i := range 11 {
		many = append(many, fmt.Sprint("k", i), "v")
	}
	for what, tg := range map[string]*types.Tagging{
		"a repeated key":   sdkTags("a", "1", "a", "2"),
		"a key of 129":     sdkTags(strings.Repeat("k", 129), "v"),
		"a value of 257":   sdkTags("k", strings.Repeat("v", 257)),
		"an empty key":     sdkTags("", "v"),
		"an aws: key":      sdkTags("aws:x", "v"),
		"a forbidden char": sdkTags("k", "a&b"),
	} {
		_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("k"), Tagging: tg})
		apiCode(t, what, err, 400, "InvalidTag")
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("k"), Tagging: sdkTags(many...)})
	apiCode(t, "11 tags", err, 400, "BadRequest")
	// Limits count characters, not bytes.
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("k"),
		Tagging: sdkTags(strings.Repeat("é", 128), strings.Repeat("é", 256))}); err != nil {
		t.Fatalf("128 and 256 two-byte characters: %v", err)
	}
	for what, body := range map[string]string{
		"not XML":      "<Tagging><TagSet>",
		"no TagSet":    "<Tagging></Tagging>",
		"another root": "<Other><TagSet/></Other>",
		"no body":      "",
	} {
		a := rawS3(t, "PUT", url+"/tags/k?tagging", body, nil)
		if a.status != 400 || a.code != "MalformedXML" {
			t.Fatalf("%s: %d %s, want 400 MalformedXML", what, a.status, a.body)
		}
	}
	gt, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("k")})
	if err != nil || len(gt.TagSet) != 1 || len(aws.ToString(gt.TagSet[0].Key)) != 256 {
		t.Fatalf("refused requests changed the tags: %v %d", err, len(gt.TagSet))
	}

	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: b, Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if a := rawS3(t, "GET", url+"/tags/k?tagging", "", nil); a.status != 200 || !strings.Contains(a.body, "<TagSet></TagSet>") {
		t.Fatalf("tags after DeleteObjectTagging: %d %s", a.status, a.body)
	}
	if a := rawS3(t, "HEAD", url+"/tags/k", "", nil); a.header.Get("X-Amz-Tagging-Count") != "" {
		t.Fatalf("an untagged object's tag count: %q", a.header.Get("X-Amz-Tagging-Count"))
	}
	if a := rawS3(t, "DELETE", url+"/tags/k?tagging", "", nil); a.status != 204 {
		t.Fatalf("DeleteObjectTagging: %d, want 204", a.status)
	}
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("missing")})
	apiCode(t, "tags of a missing key", err, 404, "NoSuchKey")
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("no-bucket"), Key: aws.String("k"), Tagging: sdkTags("a", "b")})
	apiCode(t, "tags in a missing bucket", err, 404, "NoSuchBucket")

	// A bad x-amz-tagging header stores nothing.
	for what, h := range map[string]struct{ hdr, code string }{
		"11 tags":       {"a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1", "BadRequest"},
		"a repeated":    {"a=1&a=2", "InvalidArgument"},
		"a bad escape":  {"a=%zz", "InvalidArgument"},
		"a long value":  {"a=" + strings.Repeat("v", 257), "InvalidTag"},
		"a reserved":    {"aws%3Ax=1", "InvalidTag"},
		"a bad utf8":    {"a=%ff", "InvalidTag"},
		"a control":     {"a=%0a", "InvalidTag"},
		"an empty name": {"=v", "InvalidArgument"},
	} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("bad"), Body: strings.NewReader("x"), Tagging: aws.String(h.hdr)})
		apiCode(t, what, err, 400, h.code)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("bad")}); err == nil {
		t.Fatal("a PUT with bad tags stored the object")
	}

	// CopyObject: COPY (the default) keeps the source's tags, REPLACE
	// takes x-amz-tagging, whatever the metadata directive.
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("k"), Tagging: sdkTags("src", "1")}); err != nil {
		t.Fatal(err)
	}
	for _, cc := range []struct {
		in   s3.CopyObjectInput
		want string
	}{
		{s3.CopyObjectInput{}, "src=1"},
		{s3.CopyObjectInput{Tagging: aws.String("ignored=1")}, "src=1"},
		{s3.CopyObjectInput{MetadataDirective: types.MetadataDirectiveReplace}, "src=1"},
		{s3.CopyObjectInput{TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("new=2")}, "new=2"},
		{s3.CopyObjectInput{TaggingDirective: types.TaggingDirectiveReplace}, ""},
	} {
		in := cc.in
		in.Bucket, in.Key, in.CopySource = b, aws.String("copy"), aws.String("tags/k")
		if _, err := c.CopyObject(ctx, &in); err != nil {
			t.Fatal(err)
		}
		gt, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("copy")})
		if err != nil || tagList(gt.TagSet) != cc.want {
			t.Fatalf("copy with %s/%s: tags %q, want %q", in.MetadataDirective, in.TaggingDirective, tagList(gt.TagSet), cc.want)
		}
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy"), CopySource: aws.String("tags/k"), TaggingDirective: "MOVE"})
	apiCode(t, "a bad tagging directive", err, 400, "InvalidArgument")
	// Onto itself, replacing metadata: the tags stay.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("k"), CopySource: aws.String("tags/k"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"m": "1"}}); err != nil {
		t.Fatal(err)
	}
	if gt, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("k")}); err != nil || tagList(gt.TagSet) != "src=1" {
		t.Fatalf("tags after a copy onto itself: %v %q", err, tagList(gt.TagSet))
	}

	// The tags of CreateMultipartUpload land on the completed object.
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp"), Tagging: aws.String("mp=yes")})
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("mp"), UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("mp"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	if gt, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("mp")}); err != nil || tagList(gt.TagSet) != "mp=yes" {
		t.Fatalf("tags of a multipart object: %v %q", err, tagList(gt.TagSet))
	}
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp2"), Tagging: aws.String("a=1&a=1")})
	apiCode(t, "an upload with a repeated tag", err, 400, "InvalidArgument")

	// A folder object takes tags too.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("dir/"), Body: strings.NewReader(""), Tagging: aws.String("f=1")}); err != nil {
		t.Fatal(err)
	}
	if gt, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("dir/")}); err != nil || tagList(gt.TagSet) != "f=1" {
		t.Fatalf("tags of a folder object: %v %q", err, tagList(gt.TagSet))
	}
}

func TestBucketTagging(t *testing.T) {
	c, _, url, ctx := testBucket(t, "btags")
	b := aws.String("btags")
	_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	apiCode(t, "tags of an untagged bucket", err, 404, "NoSuchTagSet")
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: sdkTags("team", "data", "env", "test")}); err != nil {
		t.Fatal(err)
	}
	gt, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	if err != nil || tagList(gt.TagSet) != "team=data&env=test" {
		t.Fatalf("bucket tags: %v %q", err, tagList(gt.TagSet))
	}
	// A bucket takes 50 tags, not 51.
	many := []string{}
	for i := range 51 {
		many = append(many, fmt.Sprint("k", i), "v")
	}
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: sdkTags(many...)})
	apiCode(t, "51 bucket tags", err, 400, "BadRequest")
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: sdkTags(many[:100]...)}); err != nil {
		t.Fatalf("50 bucket tags: %v", err)
	}
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: sdkTags("a", "1", "a", "2")})
	apiCode(t, "a repeated bucket tag", err, 400, "InvalidTag")
	if a := rawS3(t, "PUT", url+"/btags?tagging", "<Tagging>", nil); a.status != 400 || a.code != "MalformedXML" {
		t.Fatalf("malformed bucket tagging: %d %s", a.status, a.body)
	}
	if a := rawS3(t, "DELETE", url+"/btags?tagging", "", nil); a.status != 204 {
		t.Fatalf("DeleteBucketTagging: %d, want 204", a.status)
	}
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	apiCode(t, "tags after DeleteBucketTagging", err, 404, "NoSuchTagSet")
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("no-bucket")})
	apiCode(t, "tags of a missing bucket", err, 404, "NoSuchBucket")
	// Bucket tags are no object's: the bucket lists nothing.
	if l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b}); err != nil || len(l.Contents) != 0 {
		t.Fatalf("list of a tagged bucket: %v %d", err, len(l.Contents))
	}
}

// CreateBucket takes a first tag set (S3's CreateBucketConfiguration
// Tags), checked as PutBucketTagging checks one; a refused set makes no
// bucket.
func TestCreateBucketWithTags(t *testing.T) {
	c, _, _ := testProxyURL(t)
	ctx := testCtx(t)
	create := func(name string, kv ...string) (*s3.CreateBucketOutput, error) {
		return c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name),
			CreateBucketConfiguration: &types.CreateBucketConfiguration{Tags: sdkTags(kv...).TagSet}})
	}
	out, err := create("ctags", "team", "data", "env", "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.BucketArn); got != "arn:aws:s3:::ctags" {
		t.Errorf("BucketArn %q", got)
	}
	gt, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("ctags")})
	if err != nil || tagList(gt.TagSet) != "team=data&env=test" {
		t.Fatalf("tags given at creation: %v %q", err, tagList(gt.TagSet))
	}
	many := []string{}
	for i := range 51 {
		many = append(many, fmt.Sprint("k", i), "v")
	}
	for _, tc := range []struct {
		what   string
		kv     []string
		status int
		code   string
	}{
		{"a key with '!'", []string{"user!name", "v"}, 400, "InvalidTag"},
		{"a value with ','", []string{"k", "a,b"}, 400, "InvalidTag"},
		{"a key of 200 characters", []string{strings.Repeat("k", 200), "v"}, 400, "InvalidTag"},
		{"a repeated key", []string{"k", "1", "k", "2"}, 400, "InvalidTag"},
		{"51 tags", many, 400, "BadRequest"},
	} {
		_, err := create("ctags-bad", tc.kv...)
		apiCode(t, tc.what, err, tc.status, tc.code)
		if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("ctags-bad")}); err == nil {
			t.Fatalf("%s: the refused CreateBucket made the bucket", tc.what)
		}
	}
}

// CreateBucket's object ownership: objects belong to their writers here
// (ObjectWriter); the settings that give them to the bucket's owner are
// refused by name, and unknown ones are bad arguments. So is a canned ACL
// S3 does not know.
func TestCreateBucketOwnershipAndACLArguments(t *testing.T) {
	c, _, _ := testProxyURL(t)
	ctx := testCtx(t)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("own-writer"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatalf("ObjectWriter: %v", err)
	}
	for _, tc := range []struct {
		what   string
		in     s3.CreateBucketInput
		status int
		code   string
	}{
		{"BucketOwnerEnforced", s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}, 501, "NotImplemented"},
		{"an unknown ownership", s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnership("mine")}, 400, "InvalidArgument"},
		{"an unknown canned ACL", s3.CreateBucketInput{ACL: types.BucketCannedACL("invalid_acl")}, 400, "InvalidArgument"},
	} {
		in := tc.in
		in.Bucket = aws.String("own-bad")
		_, err := c.CreateBucket(ctx, &in)
		apiCode(t, tc.what, err, tc.status, tc.code)
		if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: in.Bucket}); err == nil {
			t.Fatalf("%s: the refused CreateBucket made the bucket", tc.what)
		}
	}
}
