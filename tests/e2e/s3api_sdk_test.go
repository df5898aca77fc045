package e2e

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/alluxio-go/alluxio/client"
)

// wantCode fails unless err is an S3 error with code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: %v, want S3 error %s", what, err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("%s: error %s (%s), want %s", what, ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}

func randomData(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// getAll reads an object whole through the SDK and returns its bytes.
func getAll(t *testing.T, c *s3.Client, bucket, key string, mod func(*s3.GetObjectInput)) ([]byte, *s3.GetObjectOutput) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if mod != nil {
		mod(in)
	}
	out, err := c.GetObject(ctxT(t), in)
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read %s/%s: %v", bucket, key, err)
	}
	return b, out
}

// TestS3APISDK drives every operation of the S3 API with aws-sdk-go-v2
// (checksums on, as the SDK sends them by default) and checks every byte.
func TestS3APISDK(t *testing.T) {
	cl := newProxyCluster(t)
	c := sdk(cl.proxy.url(), "alice", "secret-unchecked")
	ctx := ctxT(t)
	const b = "sdk-bucket"

	t.Run("buckets", func(t *testing.T) {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
		wantCode(t, "create twice", err, "BucketAlreadyOwnedByYou")
		_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
		wantCode(t, "bad name", err, "InvalidBucketName")
		if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("no-such-bucket")})
		var nf *types.NotFound
		if !errors.As(err, &nf) {
			t.Fatalf("head of a missing bucket: %v, want NotFound", err)
		}
		lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil || len(lb.Buckets) != 1 || aws.ToString(lb.Buckets[0].Name) != b {
			t.Fatalf("list buckets: %v %+v", err, lb)
		}
		loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(b)})
		if err != nil || loc.LocationConstraint != "" {
			t.Fatalf("location: %v %+v", err, loc)
		}
	})

	data := randomData(t, 3<<20+12345) // spans four 1 MiB blocks
	t.Run("put get head", func(t *testing.T) {
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("dir/obj.bin"),
			Body: bytes.NewReader(data), ContentType: aws.String("application/x-test"),
			Metadata: map[string]string{"color": "blue", "Mixed-Case": "v"}})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(put.ETag) != `"`+md5hex(data)+`"` {
			t.Fatalf("ETag %s, want the MD5 %s", aws.ToString(put.ETag), md5hex(data))
		}
		// The SDK sends a CRC32 of the body (a trailer of an aws-chunked
		// body, or a header); the proxy checked it and says so.
		crc := crc32.ChecksumIEEE(data)
		if want := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)}); aws.ToString(put.ChecksumCRC32) != want {
			t.Fatalf("PutObject's CRC32 %q, want %q", aws.ToString(put.ChecksumCRC32), want)
		}
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("dir/obj.bin"),
			Body: bytes.NewReader(data[:1000]), ChecksumCRC32: aws.String("AAAAAA==")})
		wantCode(t, "a wrong CRC32", err, "BadDigest")
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("dir/obj.bin"),
			Body: bytes.NewReader(data[:1000]), IfNoneMatch: aws.String("*")})
		wantCode(t, "If-None-Match * on an existing key", err, "PreconditionFailed")
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("dir/only-new"),
			Body: bytes.NewReader(data[:1000]), IfNoneMatch: aws.String("*")}); err != nil {
			t.Fatalf("If-None-Match * on a free key: %v", err)
		}
		// The proxy shares the worker's host: it reads the cached blocks
		// from the worker's files, not over the worker's stream.
		opens, streamed := cl.w.Metric(t, "alluxio_worker_short_circuit_opens_total"), cl.w.Metric(t, "alluxio_worker_bytes_read_cache_total")
		got, out := getAll(t, c, b, "dir/obj.bin", nil)
		if n := cl.w.Metric(t, "alluxio_worker_short_circuit_opens_total"); n < opens+4 {
			t.Fatalf("short-circuit opens went from %v to %v for a GET of 4 cached blocks", opens, n)
		}
		if n := cl.w.Metric(t, "alluxio_worker_bytes_read_cache_total"); n != streamed {
			t.Fatalf("the GET streamed %v bytes from the worker instead of reading its files", n-streamed)
		}
		if sum(got) != sum(data) || aws.ToString(out.ETag) != aws.ToString(put.ETag) || aws.ToString(out.ContentType) != "application/x-test" {
			t.Fatalf("get: %d bytes (want %d), etag %s, type %s", len(got), len(data), aws.ToString(out.ETag), aws.ToString(out.ContentType))
		}
		if out.Metadata["color"] != "blue" || out.Metadata["mixed-case"] != "v" {
			t.Fatalf("metadata %v", out.Metadata)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("dir/obj.bin")})
		if err != nil || aws.ToInt64(h.ContentLength) != int64(len(data)) || aws.ToString(h.ETag) != aws.ToString(put.ETag) {
			t.Fatalf("head: %v %+v", err, h)
		}
		// The owner is the access key.
		fi, err := cl.m.Client().GetStatus(ctx, "/"+b+"/dir/obj.bin", client.StatusOptions{})
		if err != nil || fi.Owner != "alice" {
			t.Fatalf("owner of the object's file: %v %q, want alice", err, fi.Owner)
		}
		// The ETag is the same on every read.
		for range 2 {
			h2, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("dir/obj.bin")})
			if err != nil || aws.ToString(h2.ETag) != aws.ToString(put.ETag) {
				t.Fatalf("etag changed: %v %v", err, h2)
			}
		}
	})

	t.Run("ranges and conditions", func(t *testing.T) {
		n := int64(len(data))
		for rng, want := range map[string][]byte{
			"bytes=0-9":                            data[:10],
			"bytes=-5":                             data[n-5:],
			"bytes=1048570-":                       data[1048570:],
			"bytes=1048570-2097160":                data[1048570:2097161],
			fmt.Sprintf("bytes=%d-%d", n-3, n+100): data[n-3:],
		} {
			got, out := getAll(t, c, b, "dir/obj.bin", func(in *s3.GetObjectInput) { in.Range = aws.String(rng) })
			if !bytes.Equal(got, want) {
				t.Fatalf("range %s: %d bytes, want %d", rng, len(got), len(want))
			}
			if !strings.HasPrefix(aws.ToString(out.ContentRange), "bytes ") {
				t.Fatalf("range %s: Content-Range %q", rng, aws.ToString(out.ContentRange))
			}
		}
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("dir/obj.bin"), Range: aws.String(fmt.Sprintf("bytes=%d-", n))})
		wantCode(t, "range past the end", err, "InvalidRange")
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("dir/obj.bin"), IfMatch: aws.String(`"0000"`)})
		wantCode(t, "If-Match another ETag", err, "PreconditionFailed")
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("dir/obj.bin"), IfNoneMatch: aws.String(`"` + md5hex(data) + `"`)})
		wantHTTPStatus(t, "If-None-Match the ETag", err, http.StatusNotModified)
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("dir/obj.bin"), IfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
		wantHTTPStatus(t, "If-Modified-Since later", err, http.StatusNotModified)
		got, _ := getAll(t, c, b, "dir/obj.bin", func(in *s3.GetObjectInput) {
			in.IfMatch = aws.String(`"` + md5hex(data) + `"`)
			in.IfModifiedSince = aws.Time(time.Now().Add(-time.Hour))
		})
		if sum(got) != sum(data) {
			t.Fatal("conditional get that holds returned other bytes")
		}
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("missing")})
		wantCode(t, "missing key", err, "NoSuchKey")
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k")})
		wantCode(t, "missing bucket", err, "NoSuchBucket")
	})

	t.Run("copy", func(t *testing.T) {
		cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/of obj"),
			CopySource: aws.String(b + "/dir/obj.bin")})
		if err != nil {
			t.Fatal(err)
		}
		got, out := getAll(t, c, b, "copy/of obj", nil)
		if sum(got) != sum(data) || out.Metadata["color"] != "blue" || aws.ToString(cp.CopyObjectResult.ETag) != `"`+md5hex(data)+`"` {
			t.Fatalf("copy: %d bytes, meta %v, etag %s", len(got), out.Metadata, aws.ToString(cp.CopyObjectResult.ETag))
		}
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/of obj"), CopySource: aws.String(b + "/copy/of obj")})
		wantCode(t, "copy onto itself without a change", err, "InvalidRequest")
		// Onto itself to replace the metadata: content and ETag stay.
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/of obj"),
			CopySource: aws.String(b + "/copy/of%20obj"), MetadataDirective: types.MetadataDirectiveReplace,
			Metadata: map[string]string{"color": "red"}, ContentType: aws.String("text/plain")})
		if err != nil {
			t.Fatal(err)
		}
		got, out = getAll(t, c, b, "copy/of obj", nil)
		if sum(got) != sum(data) || out.Metadata["color"] != "red" || aws.ToString(out.ContentType) != "text/plain" || aws.ToString(out.ETag) != `"`+md5hex(data)+`"` {
			t.Fatalf("after replacing metadata: meta %v type %s etag %s", out.Metadata, aws.ToString(out.ContentType), aws.ToString(out.ETag))
		}
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("x"), CopySource: aws.String(b + "/missing")})
		wantCode(t, "copy of a missing key", err, "NoSuchKey")
	})

	keys := []string{"list/a", "list/b/c", "list/b/d", "list/b-e", "list/sp ace", "list/ünï/cødé", "list/per%cent", "list/z+plus", "list/folder/"}
	t.Run("list", func(t *testing.T) {
		for _, k := range keys {
			body := k
			if strings.HasSuffix(k, "/") {
				body = "" // a folder object holds no data here
			}
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: strings.NewReader(body)}); err != nil {
				t.Fatalf("put %q: %v", k, err)
			}
		}
		for _, k := range keys {
			if got, _ := getAll(t, c, b, k, nil); k[len(k)-1] != '/' && string(got) != k {
				t.Fatalf("key %q holds %q", k, got)
			}
		}
		sorted := slices.Clone(keys)
		slices.Sort(sorted)
		// Every key, one per page, through the paginator.
		var all []string
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("list/"), MaxKeys: aws.Int32(1)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Contents {
				all = append(all, aws.ToString(o.Key))
			}
		}
		if !slices.Equal(all, sorted) {
			t.Fatalf("v2 pages:\n%q\nwant\n%q", all, sorted)
		}
		// Delimiter: common prefixes.
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("list/"), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatal(err)
		}
		var objs, cps []string
		for _, o := range out.Contents {
			objs = append(objs, aws.ToString(o.Key))
		}
		for _, cp := range out.CommonPrefixes {
			cps = append(cps, aws.ToString(cp.Prefix))
		}
		if want := []string{"list/a", "list/b-e", "list/per%cent", "list/sp ace", "list/z+plus"}; !slices.Equal(objs, want) {
			t.Fatalf("objects %q, want %q", objs, want)
		}
		if want := []string{"list/b/", "list/folder/", "list/ünï/"}; !slices.Equal(cps, want) {
			t.Fatalf("common prefixes %q, want %q", cps, want)
		}
		// The folder object is listed under its own prefix.
		out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("list/folder/"), Delimiter: aws.String("/")})
		if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "list/folder/" {
			t.Fatalf("folder object: %v %+v", err, out.Contents)
		}
		// start-after, and v1 with a marker and URL encoding.
		out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("list/"), StartAfter: aws.String("list/sp ace")})
		if err != nil || len(out.Contents) != 2 || aws.ToString(out.Contents[0].Key) != "list/z+plus" {
			t.Fatalf("start-after: %v %d", err, len(out.Contents))
		}
		v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(b), Prefix: aws.String("list/"), Marker: aws.String("list/per%cent"),
			EncodingType: types.EncodingTypeUrl, MaxKeys: aws.Int32(2)})
		if err != nil || len(v1.Contents) != 2 || !aws.ToBool(v1.IsTruncated) {
			t.Fatalf("v1: %v %+v", err, v1)
		}
		if k := aws.ToString(v1.Contents[0].Key); k != "list/sp+ace" {
			t.Fatalf("v1 url-encoded key %q, want list/sp+ace", k)
		}
	})

	t.Run("multipart", func(t *testing.T) {
		key := "mp/big object"
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key),
			ContentType: aws.String("video/test"), Metadata: map[string]string{"m": "1"}})
		if err != nil {
			t.Fatal(err)
		}
		id := cr.UploadId
		p1, p2, p3 := randomData(t, 5<<20), randomData(t, 5<<20+7), randomData(t, 1000)
		var done []types.CompletedPart
		for i, p := range [][]byte{p1, p2, p3} {
			up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: id,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
			if err != nil {
				t.Fatalf("part %d: %v", i+1, err)
			}
			if aws.ToString(up.ETag) != `"`+md5hex(p)+`"` {
				t.Fatalf("part %d ETag %s", i+1, aws.ToString(up.ETag))
			}
			done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag})
		}
		// Part 4 copied from a range of another object.
		pc, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: id,
			PartNumber: aws.Int32(4), CopySource: aws.String(b + "/dir/obj.bin"), CopySourceRange: aws.String("bytes=100-199")})
		if err != nil {
			t.Fatal(err)
		}
		lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: id})
		if err != nil || len(lp.Parts) != 4 || aws.ToInt64(lp.Parts[1].Size) != int64(len(p2)) {
			t.Fatalf("list parts: %v %+v", err, lp)
		}
		lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(b)})
		if err != nil || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].Key) != key || aws.ToString(lu.Uploads[0].UploadId) != aws.ToString(id) {
			t.Fatalf("list uploads: %v %+v", err, lu)
		}
		complete := func(parts []types.CompletedPart) error {
			_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: id,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
			return err
		}
		wantCode(t, "parts out of order", complete([]types.CompletedPart{done[1], done[0]}), "InvalidPartOrder")
		wantCode(t, "a wrong ETag", complete([]types.CompletedPart{done[0], {PartNumber: aws.Int32(2), ETag: aws.String(`"abc"`)}}), "InvalidPart")
		wantCode(t, "a small part before the last", complete([]types.CompletedPart{done[2], {PartNumber: aws.Int32(4), ETag: pc.CopyPartResult.ETag}}), "EntityTooSmall")
		cm, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
		if err != nil {
			t.Fatal(err)
		}
		whole := slices.Concat(p1, p2, p3)
		sums := md5.New()
		for _, p := range [][]byte{p1, p2, p3} {
			s := md5.Sum(p)
			sums.Write(s[:])
		}
		wantETag := fmt.Sprintf(`"%s-3"`, hex.EncodeToString(sums.Sum(nil)))
		if aws.ToString(cm.ETag) != wantETag {
			t.Fatalf("multipart ETag %s, want %s", aws.ToString(cm.ETag), wantETag)
		}
		got, out := getAll(t, c, b, key, nil)
		if sum(got) != sum(whole) || aws.ToString(out.ETag) != wantETag || out.Metadata["m"] != "1" || aws.ToString(out.ContentType) != "video/test" {
			t.Fatalf("assembled object: %d bytes (want %d), etag %s, meta %v", len(got), len(whole), aws.ToString(out.ETag), out.Metadata)
		}
		_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: id})
		wantCode(t, "parts of a completed upload", err, "NoSuchUpload")
		// Abort.
		cr2, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp/aborted")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp/aborted"), UploadId: cr2.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader(p3)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp/aborted"), UploadId: cr2.UploadId}); err != nil {
			t.Fatal(err)
		}
		_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp/aborted"), UploadId: cr2.UploadId,
			PartNumber: aws.Int32(2), Body: bytes.NewReader(p3)})
		wantCode(t, "a part of an aborted upload", err, "NoSuchUpload")
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("mp/aborted")})
		var nf *types.NotFound
		if !errors.As(err, &nf) {
			t.Fatalf("aborted upload's key: %v, want not found", err)
		}
		lu, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(b)})
		if err != nil || len(lu.Uploads) != 0 {
			t.Fatalf("uploads left: %v %+v", err, lu.Uploads)
		}
	})

	t.Run("tagging acl versions parts", func(t *testing.T) { sdkSubresources(t, cl, c, b) })

	t.Run("presigned", func(t *testing.T) {
		ps := s3.NewPresignClient(c)
		body := randomData(t, 100000)
		req, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("presigned/obj")}, s3.WithPresignExpires(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		hr, _ := http.NewRequest(req.Method, req.URL, bytes.NewReader(body))
		for k, v := range req.SignedHeader {
			hr.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(hr)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("presigned put: %v %v", err, resp)
		}
		resp.Body.Close()
		get, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("presigned/obj")})
		if err != nil {
			t.Fatal(err)
		}
		resp, err = http.Get(get.URL)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("presigned get: %v %v", err, resp)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if sum(got) != sum(body) {
			t.Fatal("presigned get returned other bytes")
		}
	})

	t.Run("delete", func(t *testing.T) {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("copy/of obj")}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("copy/of obj")})
		wantCode(t, "deleted key", err, "NoSuchKey")
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("never/was")}); err != nil {
			t.Fatalf("deleting a missing key: %v, want success as in S3", err)
		}
		_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b)})
		wantCode(t, "non-empty bucket", err, "BucketNotEmpty")
		var ids []types.ObjectIdentifier
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Contents {
				ids = append(ids, types.ObjectIdentifier{Key: o.Key})
			}
		}
		del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: ids}})
		if err != nil || len(del.Deleted) != len(ids) || len(del.Errors) != 0 {
			t.Fatalf("delete objects: %v deleted %d of %d, errors %+v", err, len(del.Deleted), len(ids), del.Errors)
		}
		left, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		if err != nil || len(left.Contents)+len(left.CommonPrefixes) != 0 {
			t.Fatalf("left after delete objects: %v %+v %+v", err, left.Contents, left.CommonPrefixes)
		}
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		wantCode(t, "list of a deleted bucket", err, "NoSuchBucket")
	})
}

// wantHTTPStatus fails unless err is an HTTP answer with status.
func wantHTTPStatus(t *testing.T, what string, err error, status int) {
	t.Helper()
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("%s: %v, want HTTP %d", what, err, status)
	}
}
