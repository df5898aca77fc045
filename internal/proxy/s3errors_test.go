package proxy

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The tests of this file send what clients get wrong and compare the
// answers with Amazon S3's: the code, and the elements S3 adds to it.

// TestCompleteNamesTheSmallPart: EntityTooSmall names the part, its size
// and the least allowed, as S3's does.
func TestCompleteNamesTheSmallPart(t *testing.T) {
	_, fs, _ := testProxyURL(t)
	h := New(Config{FS: fs, WriteType: "MUST_CACHE", MinPartSize: 10})
	c := testClientOf(t, h)
	ctx := testCtx(t)
	b, k := aws.String("small"), aws.String("k")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	doc := `<CompleteMultipartUpload>`
	var small string
	for i, body := range []string{"0123456789", "small", "last"} {
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		doc += "<Part><PartNumber>" + strconv.Itoa(i+1) + "</PartNumber><ETag>" + aws.ToString(p.ETag) + "</ETag></Part>"
		if body == "small" {
			small = strings.Trim(aws.ToString(p.ETag), `"`)
		}
	}
	doc += `</CompleteMultipartUpload>`
	r := httptest.NewRequestWithContext(ctx, "POST", "/small/k?uploadId="+aws.ToString(up.UploadId), strings.NewReader(doc))
	r.Header.Set("Authorization", "AWS tester:unchecked")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 400 || !hasElements(w.Body.Bytes(), "Code", "EntityTooSmall", "Message", "Your proposed upload is smaller than the minimum allowed size",
		"ProposedSize", "5", "MinSizeAllowed", "10", "PartNumber", "2", "ETag", small) {
		t.Fatalf("a small part: %d %s", w.Code, w.Body)
	}
}
