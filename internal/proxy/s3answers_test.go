package proxy

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestAuthErrorsAreS3s: a malformed signature is refused with the code
// and the words Amazon S3 uses, which clients show and conformance suites
// compare, and each names what was wrong.
func TestAuthErrorsAreS3s(t *testing.T) {
	sig := strings.Repeat("0", 64)
	for h, want := range map[string][2]string{
		"invalid_header": {"InvalidArgument", "Authorization header is invalid -- one and only one ' ' (space) required."},
		"AWS2-HMAC-SHA1 Credential=AK/20130524/us-east-1/s3/aws4_request": {"InvalidArgument", "Unsupported Authorization Type"},
		"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host": {"AuthorizationHeaderMalformed",
			"The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature."},
		"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,missing=" + sig: {"AuthorizationHeaderMalformed",
			"The authorization header is malformed; missing Signature."},
		"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws_request,SignedHeaders=host,Signature=" + sig: {"AuthorizationHeaderMalformed",
			`The authorization header is malformed; incorrect terminal "aws_request". This endpoint uses "aws4_request".`},
		"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/ec2/aws4_request,SignedHeaders=host,Signature=" + sig: {"AuthorizationHeaderMalformed",
			`The authorization header is malformed; incorrect service "ec2". This endpoint belongs to "s3".`},
		"AWS4-HMAC-SHA256 Credential=AK/2013052/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=" + sig: {"AuthorizationHeaderMalformed",
			`The authorization header is malformed; incorrect date format "2013052". This date in the credential must be in the format "yyyyMMdd".`},
		"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1,SignedHeaders=host,Signature=" + sig: {"AuthorizationHeaderMalformed",
			`The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
	} {
		_, e := parseAuthorization(h)
		if e == nil || e.Code != want[0] || e.message() != want[1] {
			t.Errorf("%q: %v, want %s: %s", h, e, want[0], want[1])
		}
	}

	// Headers the signature leaves out are refused before anything is
	// done, and the answer lists them.
	a := exampleAuth()
	r := exampleGet(exampleGetSig)
	r.Header.Set("X-Amz-Copy-Source", "b/k")
	r.Header.Set("X-Amz-Tagging", "a=b")
	_, e := a.authenticate(r)
	if e == nil || e.Code != "AccessDenied" || e.message() != "There were headers present in the request which were not signed" ||
		len(e.Fields) != 1 || e.Fields[0].Value != "x-amz-copy-source, x-amz-tagging" {
		t.Fatalf("unsigned x-amz-* headers: %+v", e)
	}
	// Other headers need no signature.
	r = exampleGet(exampleGetSig)
	r.Header.Set("X-Custom-Header", "v")
	if _, e := a.authenticate(r); e != nil {
		t.Fatalf("an unsigned header that is not x-amz-*: %v", e)
	}
}

// TestErrorDocumentWords: codes whose message S3 never varies answer with
// S3's message, and the extra elements follow it.
func TestErrorDocumentWords(t *testing.T) {
	c, _, url, ctx := testBucket(t, "words")
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("words"), Key: aws.String("missing")})
	apiCode(t, "a missing key", err, 404, "NoSuchKey")
	a := rawS3(t, "GET", url+"/nobucket/k", "", nil)
	if a.status != 404 || !strings.Contains(a.body, "<Message>The specified bucket does not exist.</Message>") {
		t.Fatalf("a missing bucket: %d %s", a.status, a.body)
	}
	a = rawS3(t, "PUT", url+"/words/k", "x", map[string]string{"X-Amz-Tagging": "=v"})
	if a.status != 400 || !strings.Contains(a.body, "<Code>InvalidArgument</Code>") ||
		!strings.Contains(a.body, "<ArgumentName>x-amz-tagging</ArgumentName><ArgumentValue>=v</ArgumentValue>") {
		t.Fatalf("a tag without a key: %d %s", a.status, a.body)
	}
}

// TestExpectedBucketOwner: x-amz-expected-bucket-owner and its copy-source
// twin refuse a request on a bucket someone else owns, and let the owner's
// through.
func TestExpectedBucketOwner(t *testing.T) {
	c, _, _, ctx := testBucket(t, "owned")
	b := aws.String("owned")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("x"), ExpectedBucketOwner: aws.String("tester")}); err != nil {
		t.Fatalf("the owner expected: %v", err)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k2"), Body: strings.NewReader("x"), ExpectedBucketOwner: aws.String("mallory")})
	apiCode(t, "another owner expected", err, 403, "AccessDenied")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("k3"), CopySource: aws.String("owned/k"), ExpectedSourceBucketOwner: aws.String("mallory")})
	apiCode(t, "another source owner expected", err, 403, "AccessDenied")
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("k2")}); err == nil {
		t.Fatal("a refused PUT stored its object")
	}
}

// TestCompleteAnswersAbsoluteLocation: CompleteMultipartUpload's Location
// is the object's URL, as S3 answers it.
func TestCompleteAnswersAbsoluteLocation(t *testing.T) {
	c, _, url, ctx := testBucket(t, "loc")
	b, k := aws.String("loc"), aws.String("dir/obj")
	up, p := onePartUpload(t, c, b, k, "part")
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}})
	if err != nil || aws.ToString(out.Location) != url+"/loc/dir/obj" {
		t.Fatalf("Location %q (%v), want %s/loc/dir/obj", aws.ToString(out.Location), err, url)
	}
	// A part of an upload in a bucket that does not exist: NoSuchBucket.
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("nobucket"), Key: k, UploadId: aws.String("x"), PartNumber: aws.Int32(1), Body: strings.NewReader("p")})
	apiCode(t, "a part in a missing bucket", err, http.StatusNotFound, "NoSuchBucket")
}

// TestListBucketsPages: ListBuckets filters by prefix and pages with
// max-buckets and the continuation token it gives.
func TestListBucketsPages(t *testing.T) {
	c, _, _, ctx := testBucket(t, "aa1")
	for _, b := range []string{"aa2", "aa3", "bb1"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	var token *string
	for page := 0; page < 3; page++ {
		out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String("aa"), MaxBuckets: aws.Int32(2), ContinuationToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name)+"@"+aws.ToString(b.BucketRegion))
		}
		if token = out.ContinuationToken; token == nil {
			break
		}
	}
	if strings.Join(got, " ") != "aa1@us-east-1 aa2@us-east-1 aa3@us-east-1" || token != nil {
		t.Fatalf("pages of the a buckets: %v (token %v)", got, aws.ToString(token))
	}
	_, err := c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(0)})
	apiCode(t, "max-buckets 0", err, 400, "InvalidArgument")
}

// TestPutOverAnAbandonedWrite: a file left incomplete at a key (a proxy
// that died writing it in place) is waited for a while, then replaced:
// it does not block the key for good.
func TestPutOverAnAbandonedWrite(t *testing.T) {
	defer func(d time.Duration) { inPlaceWait = d }(inPlaceWait)
	inPlaceWait = 300 * time.Millisecond
	c, fs, _, ctx := testBucket(t, "orphan")
	if _, err := fs.CreateFile(client.WithUser(ctx, "tester"), "/orphan/k", client.CreateFileOptions{WriteType: "MUST_CACHE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("orphan"), Key: aws.String("k"), Body: strings.NewReader("new")}); err != nil {
		t.Fatalf("PUT over an abandoned write: %v", err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("orphan"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if b, _ := io.ReadAll(out.Body); string(b) != "new" {
		t.Fatalf("the key holds %q", b)
	}
}

// TestCopyAndUploadArgumentsAreS3s: a malformed copy source or copy range,
// an upload id marker that is no id, and an abort for an upload started at
// another time are refused as S3 refuses them, before anything is done.
func TestCopyAndUploadArgumentsAreS3s(t *testing.T) {
	c, _, _, ctx := testBucket(t, "args")
	b := aws.String("args")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("src"), Body: strings.NewReader("0123456789")}); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"args/%ZZ", "args", "args/", "args/..", "args/a/./b", "/obj"} {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("dst"), CopySource: aws.String(src)})
		apiCode(t, "copy source "+src, err, 400, "InvalidArgument")
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	for _, rng := range []string{"bytes=0-10", "bytes=5-", "bytes=-3", "bytes=4-2", "byte=0-1"} {
		_, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
			CopySource: aws.String("args/src"), CopySourceRange: aws.String(rng)})
		apiCode(t, "copy range "+rng, err, 400, "InvalidArgument")
	}
	part, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("args/src"), CopySourceRange: aws.String("bytes=2-5")})
	if err != nil || part.CopyPartResult == nil {
		t.Fatalf("a good copy range: %v", err)
	}
	_, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b, KeyMarker: aws.String("a"), UploadIdMarker: aws.String("not-an-id")})
	apiCode(t, "an upload id marker that is no id", err, 400, "InvalidArgument")
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId,
		IfMatchInitiatedTime: aws.Time(time.Now().Add(-time.Hour))})
	apiCode(t, "an abort for another initiation time", err, 412, "PreconditionFailed")
	list, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
	if err != nil || len(list.Uploads) != 1 {
		t.Fatalf("the upload after a refused abort: %v %v", list, err)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId,
		IfMatchInitiatedTime: list.Uploads[0].Initiated}); err != nil {
		t.Fatalf("an abort at the upload's own initiation time: %v", err)
	}
}

// TestCompleteKeepalive: a CompleteMultipartUpload that outlasts the
// keepalive interval answers 200, spaces and then its result, which the
// SDK reads as S3's; one that does not answers at once, as any request.
func TestCompleteKeepalive(t *testing.T) {
	c, fs := testProxy(t)
	ctx := testCtx(t)
	slow := testClientOf(t, New(Config{FS: fs, WriteType: "MUST_CACHE", CompleteKeepalive: time.Millisecond, MinPartSize: 1}))
	b := aws.String("keepalive")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	for _, cl := range []*s3.Client{c, slow} {
		up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		var parts []types.CompletedPart
		for n := int32(1); n <= 3; n++ {
			p, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("k"), UploadId: up.UploadId, PartNumber: aws.Int32(n),
				Body: strings.NewReader(strings.Repeat("x", 5<<20))})
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: p.ETag})
		}
		out, err := cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("k"), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		if err != nil || !strings.HasSuffix(aws.ToString(out.ETag), `-3"`) {
			t.Fatalf("complete: %+v, %v", out, err)
		}
	}
}

// testClientOf serves h and returns an SDK client of it.
func testClientOf(t *testing.T, h http.Handler) *s3.Client {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return s3.New(s3.Options{BaseEndpoint: aws.String(ts.URL), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("tester", "x", ""), Retryer: aws.NopRetryer{}})
}

// TestCompleteRefusesMalformedParts: a Part without its ETag is
// MalformedXML, a negative PartNumber InvalidArgument, as in S3.
func TestCompleteRefusesMalformedParts(t *testing.T) {
	c, _, _, ctx := testBucket(t, "parts")
	b, k := aws.String("parts"), aws.String("k")
	up, p := onePartUpload(t, c, b, k, "p")
	for what, want := range map[string]struct {
		part types.CompletedPart
		code string
	}{
		"no ETag":           {types.CompletedPart{PartNumber: aws.Int32(1)}, "MalformedXML"},
		"a negative number": {types.CompletedPart{PartNumber: aws.Int32(-4), ETag: p.ETag}, "InvalidArgument"},
	} {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{want.part}}})
		apiCode(t, what, err, 400, want.code)
	}
	// The size the client says the object has must be the parts'.
	for _, size := range []int64{-1, 2} {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId, MpuObjectSize: aws.Int64(size),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}})
		apiCode(t, fmt.Sprint("x-amz-mp-object-size ", size), err, 400, "InvalidRequest")
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId, MpuObjectSize: aws.Int64(1),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}}); err != nil {
		t.Fatalf("complete with the right x-amz-mp-object-size: %v", err)
	}
}

// TestConditionalWrites: If-Match on PutObject and CompleteMultipartUpload
// writes only over the object of that ETag (NoSuchKey without one,
// PreconditionFailed for another), If-None-Match: * only a free key, and a
// refused write leaves the object as it was.
func TestConditionalWrites(t *testing.T) {
	c, _, _, ctx := testBucket(t, "cond")
	b, k := aws.String("cond"), aws.String("k")
	put := func(body string, match, noneMatch *string) (*s3.PutObjectOutput, error) {
		return c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader(body), IfMatch: match, IfNoneMatch: noneMatch})
	}
	_, err := put("x", aws.String(`"abc"`), nil)
	apiCode(t, "If-Match on a free key", err, 404, "NoSuchKey")
	first, err := put("first", nil, aws.String("*"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = put("x", nil, aws.String("*"))
	apiCode(t, "If-None-Match: * on a taken key", err, 412, "PreconditionFailed")
	_, err = put("x", aws.String(`"0123"`), nil)
	apiCode(t, "If-Match another ETag", err, 412, "PreconditionFailed")
	second, err := put("second", first.ETag, nil)
	if err != nil {
		t.Fatalf("If-Match the object's ETag: %v", err)
	}
	_, err = put("x", first.ETag, nil)
	apiCode(t, "If-Match the replaced ETag", err, 412, "PreconditionFailed")

	up, p := onePartUpload(t, c, b, k, "third")
	complete := func(match *string) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId, IfMatch: match,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}})
		return err
	}
	apiCode(t, "a complete If-Match another ETag", complete(first.ETag), 412, "PreconditionFailed")
	get := func() string {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
		if err != nil {
			t.Fatal(err)
		}
		defer out.Body.Close()
		data, _ := io.ReadAll(out.Body)
		return string(data)
	}
	if got := get(); got != "second" {
		t.Fatalf("after refused writes the key holds %q", got)
	}
	if err := complete(second.ETag); err != nil {
		t.Fatalf("a complete If-Match the object's ETag: %v", err)
	}
	if got := get(); got != "third" {
		t.Fatalf("after the conditional complete the key holds %q", got)
	}
}

// TestRacingConditionalWrites: of writers racing with If-Match on the same
// ETag, exactly one replaces the object; the others are refused.
func TestRacingConditionalWrites(t *testing.T) {
	c, _, _, ctx := testBucket(t, "race-cond")
	b, k := aws.String("race-cond"), aws.String("k")
	first, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("first")})
	if err != nil {
		t.Fatal(err)
	}
	const writers = 6
	errs := make(chan error, writers)
	for i := range writers {
		go func() {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader(fmt.Sprint("writer ", i)), IfMatch: first.ETag})
			errs <- err
		}()
	}
	won := 0
	for range writers {
		if err := <-errs; err == nil {
			won++
		} else {
			apiCode(t, "a racing If-Match writer", err, 412, "PreconditionFailed")
		}
	}
	if won != 1 {
		t.Fatalf("%d writers replaced the object, want 1", won)
	}
}

// onePartUpload starts an upload of bucket/key and uploads its part 1.
func onePartUpload(t *testing.T, c *s3.Client, bucket, key *string, body string) (*s3.CreateMultipartUploadOutput, *s3.UploadPartOutput) {
	t.Helper()
	ctx := testCtx(t)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	return up, p
}

// TestWebsiteRedirectLocation: an object keeps the redirect S3 keeps,
// which must be a URL or an absolute path.
func TestWebsiteRedirectLocation(t *testing.T) {
	c, _, _, ctx := testBucket(t, "redirects")
	b := aws.String("redirects")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("x"), WebsiteRedirectLocation: aws.String("/elsewhere")}); err != nil {
		t.Fatal(err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("k")})
	if err != nil || aws.ToString(head.WebsiteRedirectLocation) != "/elsewhere" {
		t.Fatalf("HeadObject: %v %v", head, err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k2"), Body: strings.NewReader("x"), WebsiteRedirectLocation: aws.String("ftp://x")})
	apiCode(t, "a redirect that is no URL", err, 400, "InvalidRedirectLocation")
	// A copy keeps the metadata but not the redirect, unless it names one.
	for key, redirect := range map[string]*string{"plain-copy": nil, "redirected-copy": aws.String("/there")} {
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String(key), CopySource: aws.String("redirects/k"), WebsiteRedirectLocation: redirect}); err != nil {
			t.Fatal(err)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String(key)})
		if err != nil || aws.ToString(head.WebsiteRedirectLocation) != aws.ToString(redirect) {
			t.Fatalf("%s: redirect %q (%v), want %q", key, aws.ToString(head.WebsiteRedirectLocation), err, aws.ToString(redirect))
		}
	}
}

// TestRepeatedCompleteAnswersAgain: a complete repeated after it succeeded
// (a client's retry after a lost answer) is answered as the first was, as
// S3 does, while the key holds the object it made; then NoSuchUpload.
func TestRepeatedCompleteAnswersAgain(t *testing.T) {
	c, _, _, ctx := testBucket(t, "again")
	b, k := aws.String("again"), aws.String("obj")
	up, p := onePartUpload(t, c, b, k, "part")
	in := &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}}
	first, err := c.CompleteMultipartUpload(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.CompleteMultipartUpload(ctx, in)
	if err != nil {
		t.Fatalf("a repeated complete: %v", err)
	}
	if aws.ToString(second.ETag) != aws.ToString(first.ETag) || aws.ToString(second.Location) != aws.ToString(first.Location) ||
		aws.ToString(second.Key) != "obj" || aws.ToString(second.ChecksumCRC64NVME) != aws.ToString(first.ChecksumCRC64NVME) {
		t.Fatalf("the repeated complete answered %+v, the first %+v", second, first)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
	if err != nil || len(head.Metadata) != 0 {
		t.Fatalf("the object shows metadata %v (%v): the upload id is the proxy's own", head.Metadata, err)
	}
	// Another upload's id, and the same once the key holds another object.
	other, _ := onePartUpload(t, c, b, aws.String("other"), "part")
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: other.UploadId,
		MultipartUpload: in.MultipartUpload})
	apiCode(t, "a complete naming another key's upload", err, http.StatusNotFound, "NoSuchUpload")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("new")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteMultipartUpload(ctx, in)
	apiCode(t, "a complete repeated after the object was replaced", err, http.StatusNotFound, "NoSuchUpload")
}
