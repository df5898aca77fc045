package proxy

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestStorageClassAndEncryption: STANDARD is what every object is; other
// classes and every kind of server-side encryption are refused on each
// write, so no client believes its data archived or encrypted at rest,
// and nothing is stored by a refused write.
func TestStorageClassAndEncryption(t *testing.T) {
	c, _, _ := testProxyURL(t)
	ctx := testCtx(t)
	b := aws.String("classes")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("std"), Body: strings.NewReader("x"),
		StorageClass: types.StorageClassStandard}); err != nil {
		t.Fatalf("PutObject STANDARD: %v", err)
	}
	refused := func(what string, err error, status int, code string) {
		t.Helper()
		apiCode(t, what, err, status, code)
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("no")}); err == nil {
			t.Fatalf("%s: the refused write stored the object", what)
		}
	}
	put := func(in *s3.PutObjectInput) error {
		in.Bucket, in.Key, in.Body = b, aws.String("no"), strings.NewReader("x")
		_, err := c.PutObject(ctx, in)
		return err
	}
	refused("PutObject GLACIER", put(&s3.PutObjectInput{StorageClass: types.StorageClassGlacier}), 501, "NotImplemented")
	refused("PutObject of an unknown class", put(&s3.PutObjectInput{StorageClass: types.StorageClass("COLD_AS_ICE")}), 400, "InvalidStorageClass")
	refused("PutObject SSE-S3", put(&s3.PutObjectInput{ServerSideEncryption: types.ServerSideEncryptionAes256}), 501, "NotImplemented")
	refused("PutObject SSE-KMS", put(&s3.PutObjectInput{ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("k")}), 501, "NotImplemented")
	key := "0123456789abcdef0123456789abcdef" // SSE-C sends it base64'd, with its MD5
	refused("PutObject SSE-C", put(&s3.PutObjectInput{SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key)}), 501, "NotImplemented")
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("no"), CopySource: aws.String("classes/std"), StorageClass: types.StorageClassDeepArchive})
	refused("CopyObject DEEP_ARCHIVE", err, 501, "NotImplemented")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("no"), CopySource: aws.String("classes/std"), ServerSideEncryption: types.ServerSideEncryptionAes256})
	refused("CopyObject SSE-S3", err, 501, "NotImplemented")
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("no"), ServerSideEncryption: types.ServerSideEncryptionAes256})
	refused("CreateMultipartUpload SSE-S3", err, 501, "NotImplemented")

	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		Body: strings.NewReader("x"), SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key)})
	apiCode(t, "UploadPart SSE-C", err, 501, "NotImplemented")

	// A read naming a customer key would get bytes no key protected.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("std"), SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key)})
	apiCode(t, "GetObject SSE-C", err, 501, "NotImplemented")
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("std")}); err != nil {
		t.Fatalf("GetObject: %v", err)
	}
}
