package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/alluxio-go/alluxio/client"
)

// b64sum is h's checksum of data, in base64 as S3 gives it.
func b64sum(h hash.Hash, data []byte) string {
	h.Write(data)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func crc64nvme() hash.Hash { return crc64.New(crc64.MakeTable(0x9a6c9329ac4bc9b5)) }

// TestS3APIChecksums checks S3's flexible checksums with aws-sdk-go-v2:
// what PutObject and multipart uploads store, what GET, HEAD and
// GetObjectAttributes return, and the SDK validating a GET by it.
func TestS3APIChecksums(t *testing.T) {
	cl := newProxyCluster(t, "-Dalluxio.proxy.s3.complete.multipart.upload.min.part.size=64KB")
	c := sdk(cl.proxy.url(), "alice", "secret-unchecked")
	noSums := s3.New(c.Options(), func(o *s3.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired })
	ctx := ctxT(t)
	const b = "sums"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
		t.Fatal(err)
	}
	// Over pipeMinBytes, so the checksum is also computed on the pipeline.
	big := randomData(t, 5<<20+123)

	t.Run("put with the SDK's CRC32", func(t *testing.T) {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("crc32"), Body: bytes.NewReader(big)})
		if err != nil {
			t.Fatal(err)
		}
		want := b64sum(crc32.NewIEEE(), big)
		if aws.ToString(out.ChecksumCRC32) != want || out.ChecksumType != types.ChecksumTypeFullObject || aws.ToInt64(out.Size) != int64(len(big)) {
			t.Fatalf("put: crc32 %q type %q size %d, want %q FULL_OBJECT %d", aws.ToString(out.ChecksumCRC32), out.ChecksumType, aws.ToInt64(out.Size), want, len(big))
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("crc32"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(head.ChecksumCRC32) != want || head.ChecksumType != types.ChecksumTypeFullObject {
			t.Fatalf("head: crc32 %q type %q, want %q FULL_OBJECT", aws.ToString(head.ChecksumCRC32), head.ChecksumType, want)
		}
		// Without checksum mode, none.
		head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("crc32")})
		if err != nil || head.ChecksumCRC32 != nil {
			t.Fatalf("head without checksum mode: %v, crc32 %v", err, head.ChecksumCRC32)
		}
		got, gout := getAll(t, c, b, "crc32", func(in *s3.GetObjectInput) { in.ChecksumMode = types.ChecksumModeEnabled })
		if !bytes.Equal(got, big) || aws.ToString(gout.ChecksumCRC32) != want {
			t.Fatalf("get: %d bytes, crc32 %q, want %d bytes, %q", len(got), aws.ToString(gout.ChecksumCRC32), len(big), want)
		}
		// A range has no checksum.
		_, gout = getAll(t, c, b, "crc32", func(in *s3.GetObjectInput) {
			in.ChecksumMode, in.Range = types.ChecksumModeEnabled, aws.String("bytes=0-99")
		})
		if gout.ChecksumCRC32 != nil {
			t.Fatalf("ranged get has checksum %q", aws.ToString(gout.ChecksumCRC32))
		}
	})

	t.Run("the SDK validates a GET by the checksum", func(t *testing.T) {
		// An object whose stored checksum is not its content's: the
		// SDK's validation must refuse the body.
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("tampered"), Body: bytes.NewReader([]byte("content"))}); err != nil {
			t.Fatal(err)
		}
		wrong := b64sum(crc32.NewIEEE(), []byte("other content"))
		if err := cl.m.Client().SetAttribute(ctx, "/"+b+"/tampered", client.SetAttributeOptions{
			Xattr: map[string][]byte{"s3.checksum": []byte("CRC32 FULL_OBJECT " + wrong)}}); err != nil {
			t.Fatal(err)
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("tampered"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(out.Body)
		out.Body.Close()
		if err == nil {
			t.Fatal("the SDK read a body that does not match its checksum without error")
		}
	})

	t.Run("put without a checksum gets CRC64NVME", func(t *testing.T) {
		data := []byte("no checksum sent")
		out, err := noSums.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("default"), Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatal(err)
		}
		want := b64sum(crc64nvme(), data)
		if aws.ToString(out.ChecksumCRC64NVME) != want {
			t.Fatalf("put: crc64nvme %q, want %q", aws.ToString(out.ChecksumCRC64NVME), want)
		}
		attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(b), Key: aws.String("default"),
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesChecksum, types.ObjectAttributesObjectSize, types.ObjectAttributesEtag}})
		if err != nil {
			t.Fatal(err)
		}
		if attrs.Checksum == nil || aws.ToString(attrs.Checksum.ChecksumCRC64NVME) != want || aws.ToInt64(attrs.ObjectSize) != int64(len(data)) || aws.ToString(attrs.ETag) == "" {
			t.Fatalf("attributes: %+v %+v", attrs, attrs.Checksum)
		}
		_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(b), Key: aws.String("default"),
			ObjectAttributes: []types.ObjectAttributes{"Nonsense"}})
		wantCode(t, "attributes Nonsense", err, "InvalidArgument")
	})

	// Parts of 70 KiB and a last one of 100 bytes.
	data := randomData(t, 3*70<<10+100)
	partsOf := func() [][]byte {
		return [][]byte{data[:70<<10], data[70<<10 : 140<<10], data[140<<10 : 210<<10], data[210<<10:]}
	}

	// upload makes a multipart upload of data with alg and typ and
	// returns its id and its parts as CompleteMultipartUpload lists them.
	upload := func(t *testing.T, cli *s3.Client, key string, alg types.ChecksumAlgorithm, typ types.ChecksumType) (string, []types.CompletedPart) {
		t.Helper()
		mp, err := cli.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumAlgorithm: alg, ChecksumType: typ})
		if err != nil {
			t.Fatal(err)
		}
		var done []types.CompletedPart
		for i, p := range partsOf() {
			out, err := cli.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: mp.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag,
				ChecksumSHA256: out.ChecksumSHA256, ChecksumCRC32C: out.ChecksumCRC32C})
		}
		return aws.ToString(mp.UploadId), done
	}
	complete := func(cli *s3.Client, key, id string, parts []types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
		return cli.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: aws.String(id),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}

	t.Run("multipart COMPOSITE SHA256", func(t *testing.T) {
		id, parts := upload(t, c, "composite", types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite)
		ls, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("composite"), UploadId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		cat := sha256.New()
		for i, p := range partsOf() {
			s := sha256.Sum256(p)
			cat.Write(s[:])
			if want := base64.StdEncoding.EncodeToString(s[:]); aws.ToString(ls.Parts[i].ChecksumSHA256) != want || aws.ToString(parts[i].ChecksumSHA256) != want {
				t.Fatalf("part %d: listed sha256 %q, uploaded %q, want %q", i+1, aws.ToString(ls.Parts[i].ChecksumSHA256), aws.ToString(parts[i].ChecksumSHA256), want)
			}
		}
		if ls.ChecksumAlgorithm != types.ChecksumAlgorithmSha256 || ls.ChecksumType != types.ChecksumTypeComposite {
			t.Fatalf("list parts: algorithm %q type %q", ls.ChecksumAlgorithm, ls.ChecksumType)
		}
		want := base64.StdEncoding.EncodeToString(cat.Sum(nil)) + "-4"
		out, err := complete(c, "composite", id, parts)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ChecksumSHA256) != want || out.ChecksumType != types.ChecksumTypeComposite {
			t.Fatalf("complete: sha256 %q type %q, want %q COMPOSITE", aws.ToString(out.ChecksumSHA256), out.ChecksumType, want)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("composite"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil || aws.ToString(head.ChecksumSHA256) != want {
			t.Fatalf("head: %v, sha256 %q, want %q", err, aws.ToString(head.ChecksumSHA256), want)
		}
		attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(b), Key: aws.String("composite"),
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts}})
		if err != nil {
			t.Fatal(err)
		}
		if attrs.Checksum == nil || aws.ToString(attrs.Checksum.ChecksumSHA256) != want || attrs.Checksum.ChecksumType != types.ChecksumTypeComposite {
			t.Fatalf("attributes checksum %+v, want %q", attrs.Checksum, want)
		}
		if attrs.ObjectParts == nil || aws.ToInt32(attrs.ObjectParts.TotalPartsCount) != 4 || len(attrs.ObjectParts.Parts) != 4 || aws.ToInt64(attrs.ObjectParts.Parts[3].Size) != 100 {
			t.Fatalf("attributes parts %+v", attrs.ObjectParts)
		}
		got, _ := getAll(t, c, b, "composite", func(in *s3.GetObjectInput) { in.ChecksumMode = types.ChecksumModeEnabled })
		if !bytes.Equal(got, data) {
			t.Fatal("composite object's content differs")
		}
	})

	t.Run("multipart FULL_OBJECT CRC32C", func(t *testing.T) {
		id, parts := upload(t, c, "full", types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject)
		out, err := complete(c, "full", id, parts)
		if err != nil {
			t.Fatal(err)
		}
		want := b64sum(crc32.New(crc32.MakeTable(crc32.Castagnoli)), data)
		if aws.ToString(out.ChecksumCRC32C) != want || out.ChecksumType != types.ChecksumTypeFullObject {
			t.Fatalf("complete: crc32c %q type %q, want %q FULL_OBJECT", aws.ToString(out.ChecksumCRC32C), out.ChecksumType, want)
		}
		// The SDK validates a full-object CRC on GET.
		got, gout := getAll(t, c, b, "full", func(in *s3.GetObjectInput) { in.ChecksumMode = types.ChecksumModeEnabled })
		if !bytes.Equal(got, data) || aws.ToString(gout.ChecksumCRC32C) != want {
			t.Fatalf("get: crc32c %q, want %q", aws.ToString(gout.ChecksumCRC32C), want)
		}
	})

	t.Run("multipart without an algorithm gets CRC64NVME", func(t *testing.T) {
		id, parts := upload(t, noSums, "nvme", "", "")
		out, err := complete(noSums, "nvme", id, parts)
		if err != nil {
			t.Fatal(err)
		}
		if want := b64sum(crc64nvme(), data); aws.ToString(out.ChecksumCRC64NVME) != want || out.ChecksumType != types.ChecksumTypeFullObject {
			t.Fatalf("complete: crc64nvme %q type %q, want %q FULL_OBJECT", aws.ToString(out.ChecksumCRC64NVME), out.ChecksumType, want)
		}
	})

	t.Run("a wrong part checksum at complete", func(t *testing.T) {
		id, parts := upload(t, c, "wrong", types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite)
		other := sha256.Sum256([]byte("not the part"))
		parts[1].ChecksumSHA256 = aws.String(base64.StdEncoding.EncodeToString(other[:]))
		_, err := complete(c, "wrong", id, parts)
		wantCode(t, "complete with a wrong part checksum", err, "InvalidPart")
		parts[1].ChecksumSHA256 = nil
		_, err = complete(c, "wrong", id, parts)
		wantCode(t, "complete without a part checksum", err, "InvalidRequest")
		// Nothing was made.
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("wrong")})
		wantHTTPStatus(t, "head of the refused object", err, 404)
	})

	t.Run("invalid checksum algorithm and type", func(t *testing.T) {
		_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("x"),
			ChecksumAlgorithm: types.ChecksumAlgorithmSha1, ChecksumType: types.ChecksumTypeFullObject})
		wantCode(t, "SHA1 FULL_OBJECT", err, "InvalidRequest")
		_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("x"),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme, ChecksumType: types.ChecksumTypeComposite})
		wantCode(t, "CRC64NVME COMPOSITE", err, "InvalidRequest")
	})

	t.Run("UploadPartCopy computes the part checksum", func(t *testing.T) {
		mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("copied"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(b), Key: aws.String("copied"), UploadId: mp.UploadId,
			PartNumber: aws.Int32(1), CopySource: aws.String(b + "/crc32"), CopySourceRange: aws.String(fmt.Sprintf("bytes=10-%d", 10+999))})
		if err != nil {
			t.Fatal(err)
		}
		if want := b64sum(crc32.NewIEEE(), big[10:1010]); aws.ToString(out.CopyPartResult.ChecksumCRC32) != want {
			t.Fatalf("copied part crc32 %q, want %q", aws.ToString(out.CopyPartResult.ChecksumCRC32), want)
		}
	})
}
