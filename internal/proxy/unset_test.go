package proxy

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestUnsetBucketConfigurations: the configurations the proxy does not
// keep read as S3 reads them on a bucket without one (what the aws CLI
// and Terraform expect when they inspect a bucket), delete as a no-op,
// and cannot be set; the bucket is untouched by any of it, and a bucket
// that does not exist is NoSuchBucket.
func TestUnsetBucketConfigurations(t *testing.T) {
	c, _, _, ctx := testBucket(t, "plain")
	b := aws.String("plain")
	for _, check := range []struct {
		what string
		err  error
		code string
	}{
		{"GetBucketPolicy", second(c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})), "NoSuchBucketPolicy"},
		{"GetBucketLifecycleConfiguration", second(c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})), "NoSuchLifecycleConfiguration"},
		{"GetBucketEncryption", second(c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})), "ServerSideEncryptionConfigurationNotFoundError"},
		{"GetBucketWebsite", second(c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: b})), "NoSuchWebsiteConfiguration"},
		{"GetBucketReplication", second(c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: b})), "ReplicationConfigurationNotFoundError"},
		{"GetObjectLockConfiguration", second(c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b})), "ObjectLockConfigurationNotFoundError"},
		{"GetPublicAccessBlock", second(c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})), "NoSuchPublicAccessBlockConfiguration"},
		{"GetBucketOwnershipControls", second(c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})), "OwnershipControlsNotFoundError"},
		{"GetBucketPolicy of a missing bucket", second(c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("missing")})), "NoSuchBucket"},
	} {
		apiCode(t, check.what, check.err, 404, check.code)
	}
	logging, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: b})
	if err != nil || logging.LoggingEnabled != nil {
		t.Fatalf("GetBucketLogging: %+v %v", logging, err)
	}
	pay, err := c.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b})
	if err != nil || pay.Payer != types.PayerBucketOwner {
		t.Fatalf("GetBucketRequestPayment: %+v %v", pay, err)
	}
	if acc, err := c.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: b}); err != nil || acc.Status != "" {
		t.Fatalf("GetBucketAccelerateConfiguration: %+v %v", acc, err)
	}
	if n, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: b}); err != nil ||
		len(n.TopicConfigurations)+len(n.QueueConfigurations)+len(n.LambdaFunctionConfigurations) != 0 {
		t.Fatalf("GetBucketNotificationConfiguration: %+v %v", n, err)
	}
	if _, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b}); err != nil {
		t.Fatalf("DeleteBucketPolicy: %v", err)
	}
	if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: b}); err != nil {
		t.Fatalf("DeleteBucketEncryption: %v", err)
	}
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(`{"Version":"2012-10-17","Statement":[]}`)})
	apiCode(t, "PutBucketPolicy", err, 501, "NotImplemented")
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}})
	apiCode(t, "PutBucketEncryption", err, 501, "NotImplemented")
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}); err != nil {
		t.Fatalf("the bucket after all of it: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }
