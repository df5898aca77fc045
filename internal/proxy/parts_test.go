package proxy

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestGetByPartNumber(t *testing.T) {
	c, _, url, ctx := testBucket(t, "parts")
	b := aws.String("parts")
	single := []byte("a single PUT")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("one"), Body: bytes.NewReader(single)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("one"), PartNumber: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, single) || out.PartsCount != nil || aws.ToString(out.ContentRange) != fmt.Sprintf("bytes 0-%d/%d", len(single)-1, len(single)) {
		t.Fatalf("part 1 of a single PUT: %q, parts count %v, range %q", got, out.PartsCount, aws.ToString(out.ContentRange))
	}
	if a := rawS3(t, "GET", url+"/parts/one?partNumber=1", "", nil); a.status != 206 || a.header.Get("X-Amz-Mp-Parts-Count") != "" {
		t.Fatalf("part 1 of a single PUT: %d, parts count %q", a.status, a.header.Get("X-Amz-Mp-Parts-Count"))
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("one"), PartNumber: aws.Int32(2)})
	apiCode(t, "part 2 of a single PUT", err, 416, "InvalidPartNumber")
	for _, n := range []string{"0", "10001", "x"} {
		if a := rawS3(t, "GET", url+"/parts/one?partNumber="+n, "", nil); a.status != 400 || a.code != "InvalidArgument" {
			t.Fatalf("partNumber=%s: %d %s", n, a.status, a.body)
		}
	}
	if a := rawS3(t, "GET", url+"/parts/one?partNumber=1", "", map[string]string{"Range": "bytes=0-1"}); a.status != 400 || a.code != "InvalidRequest" {
		t.Fatalf("partNumber and Range: %d %s", a.status, a.body)
	}

	// A multipart object: each part's bytes, with the count of parts.
	sizes := []int{5 << 20, 5<<20 + 3, 1000}
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	var parts [][]byte
	var done []types.CompletedPart
	for i, n := range sizes {
		p := make([]byte, n)
		rand.Read(p)
		parts = append(parts, p)
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("mp"), UploadId: cr.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag})
	}
	cm, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("mp"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatal(err)
	}
	total := sizes[0] + sizes[1] + sizes[2]
	start := 0
	for i, p := range parts {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("mp"), PartNumber: aws.Int32(int32(i + 1))})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		wantRange := fmt.Sprintf("bytes %d-%d/%d", start, start+len(p)-1, total)
		if !bytes.Equal(got, p) || aws.ToInt32(out.PartsCount) != 3 || aws.ToString(out.ContentRange) != wantRange || aws.ToString(out.ETag) != aws.ToString(cm.ETag) {
			t.Fatalf("part %d: %d bytes (want %d), parts count %d, range %q (want %q)", i+1, len(got), len(p), aws.ToInt32(out.PartsCount), aws.ToString(out.ContentRange), wantRange)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("mp"), PartNumber: aws.Int32(int32(i + 1))})
		if err != nil || aws.ToInt64(h.ContentLength) != int64(len(p)) || aws.ToInt32(h.PartsCount) != 3 {
			t.Fatalf("HEAD of part %d: %v", i+1, err)
		}
		start += len(p)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("mp"), PartNumber: aws.Int32(4)})
	apiCode(t, "part 4 of 3", err, 416, "InvalidPartNumber")
	// A copy onto itself keeps the parts; a copy elsewhere is one part.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("mp"), CopySource: aws.String("parts/mp"),
		MetadataDirective: types.MetadataDirectiveReplace}); err != nil {
		t.Fatal(err)
	}
	if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("mp"), PartNumber: aws.Int32(2)}); err != nil || aws.ToInt32(h.PartsCount) != 3 {
		t.Fatalf("parts after a copy onto itself: %v", err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("cp"), CopySource: aws.String("parts/mp")}); err != nil {
		t.Fatal(err)
	}
	if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("cp"), PartNumber: aws.Int32(1)}); err != nil || h.PartsCount != nil || aws.ToInt64(h.ContentLength) != int64(total) {
		t.Fatalf("part 1 of a copy: %v", err)
	}
}

func TestPartSizesEncoding(t *testing.T) {
	for _, sizes := range [][]int64{{5}, {5, 5, 5, 2}, {1, 2, 2, 1}, {0}} {
		got, ok := decodePartSizes(encodePartSizes(sizes))
		if !ok || !slices.Equal(got, sizes) {
			t.Errorf("%v → %q → %v %v", sizes, encodePartSizes(sizes), got, ok)
		}
	}
	if b := encodePartSizes(slices.Repeat([]int64{5 << 20}, 10000)); string(b) != "5242880*10000" {
		t.Errorf("10,000 equal parts stored as %q", b)
	}
	for _, bad := range []string{"", "5", "5*0", "-1*2", "5*10001", "5*5000,5*5001", "a*1", "1*1,"} {
		if _, ok := decodePartSizes([]byte(bad)); ok {
			t.Errorf("%q decoded", bad)
		}
	}
}

func FuzzPartSizes(f *testing.F) {
	f.Add([]byte("5242880*3,1000*1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sizes, ok := decodePartSizes(b)
		if !ok {
			return
		}
		if len(sizes) == 0 || len(sizes) > maxParts {
			t.Fatalf("%q: %d parts", b, len(sizes))
		}
		again, ok := decodePartSizes(encodePartSizes(sizes))
		if !ok || !slices.Equal(again, sizes) {
			t.Fatalf("%q does not round-trip", b)
		}
	})
}

// TestHeadersRoundTrip checks what SDKs send with an object and read back:
// the stored headers, response-* overrides, the owner only when asked
// (ListObjectsV2 fetch-owner), the region.
func TestHeadersRoundTrip(t *testing.T) {
	c, _, _, ctx := testBucket(t, "hdrs")
	b := aws.String("hdrs")
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("x"),
		CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String(`attachment; filename="a b.txt"`),
		ContentEncoding: aws.String("gzip"), ContentLanguage: aws.String("de-CH"), Expires: aws.Time(expires),
		ContentType: aws.String("text/x-k")}); err != nil {
		t.Fatal(err)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("k")})
	if err != nil || aws.ToString(h.CacheControl) != "max-age=60" || aws.ToString(h.ContentDisposition) != `attachment; filename="a b.txt"` ||
		aws.ToString(h.ContentEncoding) != "gzip" || aws.ToString(h.ContentLanguage) != "de-CH" || aws.ToString(h.ExpiresString) != expires.Format(http.TimeFormat) ||
		aws.ToString(h.ContentType) != "text/x-k" {
		t.Fatalf("stored headers: %v %+v", err, h)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("k"), ResponseCacheControl: aws.String("no-cache"),
		ResponseContentType: aws.String("text/plain"), ResponseContentLanguage: aws.String("fr"), ResponseContentDisposition: aws.String("inline"),
		ResponseContentEncoding: aws.String("identity"), ResponseExpires: aws.Time(expires.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if aws.ToString(out.CacheControl) != "no-cache" || aws.ToString(out.ContentType) != "text/plain" || aws.ToString(out.ContentLanguage) != "fr" ||
		aws.ToString(out.ContentDisposition) != "inline" || aws.ToString(out.ContentEncoding) != "identity" || aws.ToString(out.ExpiresString) != expires.Add(time.Hour).Format(http.TimeFormat) {
		t.Fatalf("response-* overrides: %+v", out)
	}
	v2, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
	if err != nil || len(v2.Contents) != 1 || v2.Contents[0].Owner != nil {
		t.Fatalf("ListObjectsV2 without fetch-owner: %v %+v", err, v2.Contents)
	}
	v2, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, FetchOwner: aws.Bool(true)})
	if err != nil || len(v2.Contents) != 1 || v2.Contents[0].Owner == nil || aws.ToString(v2.Contents[0].Owner.ID) != "tester" {
		t.Fatalf("ListObjectsV2 with fetch-owner: %v %+v", err, v2.Contents)
	}
	v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: b})
	if err != nil || len(v1.Contents) != 1 || v1.Contents[0].Owner == nil || aws.ToString(v1.Contents[0].Owner.ID) != "tester" {
		t.Fatalf("ListObjects' owner: %v %+v", err, v1.Contents)
	}
	hb, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
	if err != nil || aws.ToString(hb.BucketRegion) != "us-east-1" {
		t.Fatalf("HeadBucket's region: %v %+v", err, hb)
	}
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("GetBucketLocation: %v %+v", err, loc)
	}
}
