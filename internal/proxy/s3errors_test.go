package proxy

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The tests of this file send what clients get wrong and compare the
// answers with Amazon S3's: the code, and the elements S3 adds to it.

// TestCopySourceIsCheckedFirst: a malformed x-amz-copy-source is S3's
// InvalidArgument, naming the header and what in it is wrong, before the
// source or the upload is looked up.
func TestCopySourceIsCheckedFirst(t *testing.T) {
	c, _, url, ctx := testBucket(t, "csrc")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("csrc"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ src, msg, value string }{
		{"bucket/%ZZ", "Invalid copy source encoding", "bucket/%ZZ"},
		{"100%/foo/bar", "Invalid copy source encoding", "100%/foo/bar"},
		{"bucket/%C3%28", "Invalid copy source encoding", "bucket/%C3%28"}, // not UTF-8
		{"192.168.1.1/foo", "Invalid copy source bucket name", "192.168.1.1/foo"},
		{"my-buc@k&()t/obj", "Invalid copy source bucket name", "my-buc@k&()t/obj"},
		{"bucket", "Invalid copy source object key", ""},
		{"bucket/", "Invalid copy source object key", ""},
		{"bucket/../", "Invalid copy source object key", "../"},
		{"bucket/foo/ba/../../../r/baz", "Invalid copy source object key", "foo/ba/../../../r/baz"},
	} {
		hdr := map[string]string{"X-Amz-Copy-Source": tc.src}
		for _, target := range []string{url + "/csrc/dst", url + "/csrc/mp?partNumber=1&uploadId=" + strings.Repeat("0", 32), url + "/csrc/mp?partNumber=1&uploadId=" + aws.ToString(up.UploadId)} {
			a := rawS3(t, "PUT", target, "", hdr)
			if a.status != 400 || a.code != "InvalidArgument" || !hasElements([]byte(a.body), "Message", tc.msg, "ArgumentName", "x-amz-copy-source", "ArgumentValue", tc.value) {
				t.Errorf("%s to %s: %d %s", tc.src, target, a.status, a.body)
			}
		}
	}
	// A name S3 gave buckets in its older rules is well-formed: the
	// bucket is looked up.
	if a := rawS3(t, "PUT", url+"/csrc/dst", "", map[string]string{"X-Amz-Copy-Source": "Old_Bucket/k"}); a.status != 404 || a.code != "NoSuchBucket" {
		t.Errorf("an old-style bucket name: %d %s", a.status, a.body)
	}
}

// FuzzCopySource: a copy source is refused or names a bucket S3 could have
// made and a key that is a path below it; never a panic.
func FuzzCopySource(f *testing.F) {
	for _, s := range []string{"b/k", "/b/k", "b/k?versionId=null", "b/%2E%2E/k", "Old_B/a/b/", "192.168.1.1/k", "b/%C3", "%", "b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		b, k, e := copySource(h)
		if e != nil {
			if e.Code != "InvalidArgument" && e.Code != "NoSuchVersion" {
				t.Fatalf("%q: %v", h, e)
			}
			return
		}
		if !canBeS3Bucket(b) || strings.Trim(k, "/") == "" || slices.Contains(strings.Split(k, "/"), "..") || slices.Contains(strings.Split(k, "/"), ".") {
			t.Fatalf("%q taken as bucket %q key %q", h, b, k)
		}
	})
}

// TestDocumentBodyIsCheckedFirst: the body of a request that is not object
// data is checked against the SHA-256 the request signed before anything
// is looked up or done, and one that does not match is refused with both
// hashes.
func TestDocumentBodyIsCheckedFirst(t *testing.T) {
	c, _, url, ctx := testBucket(t, "docs")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("docs"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	hashOf := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	wrong := strings.Repeat("e3", 32)
	for _, tc := range []struct{ method, path, body string }{
		{"PUT", "/nobucket/obj?tagging", ""},
		{"PUT", "/docs/k?tagging", `<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`},
		{"POST", "/docs?delete", `<Delete><Object><Key>k</Key></Object></Delete>`},
	} {
		a := rawS3(t, tc.method, url+tc.path, tc.body, map[string]string{"X-Amz-Content-Sha256": wrong})
		if a.status != 400 || a.code != "XAmzContentSHA256Mismatch" ||
			!hasElements([]byte(a.body), "ClientComputedContentSHA256", wrong, "S3ComputedContentSHA256", hashOf(tc.body)) {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, a.status, a.body)
		}
	}
	// Nothing was done: the object is there, untagged.
	tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("docs"), Key: aws.String("k")})
	if err != nil || len(tags.TagSet) != 0 {
		t.Fatalf("after refused documents: %v %v", tags, err)
	}
	body := `<Delete><Object><Key>k</Key></Object></Delete>`
	if a := rawS3(t, "POST", url+"/docs?delete", body, map[string]string{"X-Amz-Content-Sha256": hashOf(body)}); a.status != 200 {
		t.Fatalf("a delete with the right hash: %d %s", a.status, a.body)
	}
}

// TestConditionalWriteHeaders: If-None-Match takes only * on a write, and
// not with If-Match; S3 answers both with NotImplemented, naming the
// headers, in its words.
func TestConditionalWriteHeaders(t *testing.T) {
	c, _, url, ctx := testBucket(t, "condh")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("condh"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/condh/k", "/condh/k?uploadId=" + aws.ToString(up.UploadId)} {
		method := "PUT"
		if strings.Contains(path, "uploadId") {
			method = "POST" // CompleteMultipartUpload
		}
		for hdr, want := range map[[2]string][2]string{
			{`"abc"`, "*"}:   {"If-Match,If-None-Match", "Multiple conditional request headers present in the request"},
			{"", `"abc"`}:    {"If-None-Match", `We don\'t accept the provided value of If-None-Match header for this API`},
			{`"abc"`, `"d"`}: {"If-None-Match", `We don\'t accept the provided value of If-None-Match header for this API`},
		} {
			h := map[string]string{"If-None-Match": hdr[1]}
			if hdr[0] != "" {
				h["If-Match"] = hdr[0]
			}
			a := rawS3(t, method, url+path, `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`, h)
			if a.status != 501 || !hasElements([]byte(a.body), "Code", "NotImplemented", "Message", "A header you provided implies functionality that is not implemented",
				"Header", want[0], "additionalMessage", want[1]) {
				t.Errorf("%s %s with %q: %d %s", method, path, hdr, a.status, a.body)
			}
		}
	}
}

// TestConditionalDeletes: DeleteObject with If-Match (an ETag, or * for
// any object) deletes only an object that has it; a key without one is
// NoSuchKey. x-amz-if-match-size and x-amz-if-match-last-modified-time are
// held to as well, and DeleteObjects takes an ETag per key.
func TestConditionalDeletes(t *testing.T) {
	c, _, url, ctx := testBucket(t, "cdel")
	b, k := aws.String("cdel"), aws.String("k")
	put := func() (etag string, size int64, mod time.Time) {
		t.Helper()
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("dummy")}); err != nil {
			t.Fatal(err)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(h.ETag), aws.ToInt64(h.ContentLength), aws.ToTime(h.LastModified)
	}
	exists := func() bool {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
		return err == nil
	}
	etag, size, mod := put()
	for what, in := range map[string]*s3.DeleteObjectInput{
		"another ETag":     {IfMatch: aws.String(`"0123"`)},
		"an ETag unquoted": {IfMatch: aws.String("incorrect_etag")},
		"another size":     {IfMatchSize: aws.Int64(size + 1)},
		"another time":     {IfMatchLastModifiedTime: aws.Time(mod.Add(-time.Hour))},
		"one of three off": {IfMatch: aws.String(etag), IfMatchSize: aws.Int64(size), IfMatchLastModifiedTime: aws.Time(mod.Add(time.Second))},
	} {
		in.Bucket, in.Key = b, k
		_, err := c.DeleteObject(ctx, in)
		apiCode(t, what, err, 412, "PreconditionFailed")
		if !exists() {
			t.Fatalf("%s: the object was deleted", what)
		}
	}
	for what, cond := range map[string]func(etag string, size int64, mod time.Time) *s3.DeleteObjectInput{
		"its ETag": func(e string, _ int64, _ time.Time) *s3.DeleteObjectInput {
			return &s3.DeleteObjectInput{IfMatch: aws.String(e)}
		},
		"its ETag unquoted": func(e string, _ int64, _ time.Time) *s3.DeleteObjectInput {
			return &s3.DeleteObjectInput{IfMatch: aws.String(strings.Trim(e, `"`))}
		},
		"any ETag": func(string, int64, time.Time) *s3.DeleteObjectInput {
			return &s3.DeleteObjectInput{IfMatch: aws.String("*")}
		},
		"its size and time": func(_ string, n int64, m time.Time) *s3.DeleteObjectInput {
			return &s3.DeleteObjectInput{IfMatchSize: aws.Int64(n), IfMatchLastModifiedTime: aws.Time(m)}
		},
		"all three": func(e string, n int64, m time.Time) *s3.DeleteObjectInput {
			return &s3.DeleteObjectInput{IfMatch: aws.String(e), IfMatchSize: aws.Int64(n), IfMatchLastModifiedTime: aws.Time(m)}
		},
	} {
		in := cond(put())
		in.Bucket, in.Key = b, k
		if _, err := c.DeleteObject(ctx, in); err != nil || exists() {
			t.Fatalf("%s: %v, the object is there: %v", what, err, exists())
		}
	}
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k, IfMatch: aws.String("*")})
	apiCode(t, "If-Match on a key without an object", err, 404, "NoSuchKey")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k}); err != nil {
		t.Fatalf("an unconditional delete of nothing: %v", err)
	}
	if a := rawS3(t, "DELETE", url+"/cdel/k", "", map[string]string{"X-Amz-If-Match-Size": "-1"}); a.status != 400 || a.code != "InvalidArgument" {
		t.Fatalf("a malformed size: %d %s", a.status, a.body)
	}

	etag, _, _ = put()
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: k, ETag: aws.String(`"0123"`)}}}})
	if err != nil || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "PreconditionFailed" || !exists() {
		t.Fatalf("DeleteObjects with another ETag: %v %+v, the object is there: %v", err, out, exists())
	}
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: k, ETag: aws.String(etag)}}}})
	if err != nil || len(out.Deleted) != 1 || exists() {
		t.Fatalf("DeleteObjects with its ETag: %v %+v", err, out)
	}
}

// TestListUploadsMarkers: with a key marker, an upload id marker must name
// an upload of the first key at or after it, and the listing goes on
// after that upload (S3's answers); a page that ends in a common prefix
// gives the upload id marker to go on from, and paging through with the
// markers each page gives lists every upload and prefix.
func TestListUploadsMarkers(t *testing.T) {
	c, _, _, ctx := testBucket(t, "mpl")
	b := aws.String("mpl")
	ids := map[string][]string{}
	var keys []string
	for _, k := range []string{"bar", "bar", "baz", "baz", "baz", "foo", "abc/x", "foo/bar/baz", "foo/quxx", "foo/quxx", "xyz/hello"} {
		out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		if len(ids[k]) == 0 {
			keys = append(keys, k)
		}
		ids[k] = append(ids[k], aws.ToString(out.UploadId))
	}
	slices.Sort(keys)
	list := func(in *s3.ListMultipartUploadsInput) (*s3.ListMultipartUploadsOutput, error) {
		in.Bucket = b
		return c.ListMultipartUploads(ctx, in)
	}
	uploadIDs := func(out *s3.ListMultipartUploadsOutput) []string {
		var got []string
		for _, u := range out.Uploads {
			got = append(got, aws.ToString(u.UploadId))
		}
		return got
	}
	for what, marker := range map[string][2]string{
		"an id of no upload":       {"baz", strings.Repeat("0", 32)},
		"an id of a later key":     {"bar", ids["baz"][0]},
		"an id of an earlier key":  {"baz", ids["bar"][0]},
		"an id of the key after 2": {"bat", ids["foo"][0]},
	} {
		_, err := list(&s3.ListMultipartUploadsInput{KeyMarker: aws.String(marker[0]), UploadIdMarker: aws.String(marker[1])})
		apiCode(t, what, err, 400, "InvalidArgument")
	}
	// "bat" is no key: the first key after it is baz, and the listing
	// goes on after its second upload.
	out, err := list(&s3.ListMultipartUploadsInput{KeyMarker: aws.String("bat"), UploadIdMarker: aws.String(ids["baz"][1])})
	want := []string{ids["baz"][2], ids["foo"][0]}
	if err != nil || !slices.Equal(uploadIDs(out)[:2], want) {
		t.Fatalf("after baz's second upload: %v %v, want %v first", uploadIDs(out), err, want)
	}
	// Without a key marker an upload id marker is ignored, and not shown.
	out, err = list(&s3.ListMultipartUploadsInput{UploadIdMarker: aws.String("anything")})
	if err != nil || len(out.Uploads) != 11 || aws.ToString(out.UploadIdMarker) != "" {
		t.Fatalf("an upload id marker alone: %v %d uploads, marker %q", err, len(out.Uploads), aws.ToString(out.UploadIdMarker))
	}
	// A page that ends in a prefix names the upload that made it.
	out, err = list(&s3.ListMultipartUploadsInput{Delimiter: aws.String("/"), MaxUploads: aws.Int32(1)})
	if err != nil || len(out.CommonPrefixes) != 1 || aws.ToString(out.NextKeyMarker) != "abc/" || aws.ToString(out.NextUploadIdMarker) != ids["abc/x"][0] {
		t.Fatalf("a page of a prefix: %v %+v", err, out)
	}
	// Paging through with the markers each page gives lists everything.
	for _, delim := range []string{"", "/"} {
		for _, max := range []int32{1, 2, 3} {
			seen := map[string]bool{}
			in := &s3.ListMultipartUploadsInput{MaxUploads: aws.Int32(max)}
			if delim != "" {
				in.Delimiter = aws.String(delim)
			}
			for range 50 {
				out, err := list(in)
				if err != nil {
					t.Fatalf("delimiter %q, %d a page, after %q %q: %v", delim, max, aws.ToString(in.KeyMarker), aws.ToString(in.UploadIdMarker), err)
				}
				for _, u := range out.Uploads {
					seen[aws.ToString(u.UploadId)] = true
				}
				for _, p := range out.CommonPrefixes {
					seen[aws.ToString(p.Prefix)] = true
				}
				if !aws.ToBool(out.IsTruncated) {
					break
				}
				in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
			}
			for _, k := range keys {
				if i := strings.Index(k, delim); delim != "" && i >= 0 {
					if p := k[:i+1]; !seen[p] {
						t.Errorf("delimiter %q, %d a page: prefix %s not listed", delim, max, p)
					}
					continue
				}
				for _, id := range ids[k] {
					if !seen[id] {
						t.Errorf("delimiter %q, %d a page: an upload of %s not listed", delim, max, k)
					}
				}
			}
		}
	}
}

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
