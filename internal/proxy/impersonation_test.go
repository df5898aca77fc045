package proxy

import (
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/inproc"
)

// TestProxyActsForTheAccessKeyUser: the proxy logs in as itself and
// impersonates each request's user; the master allows it only as
// configured, so objects are owned by the users who put them, and a proxy
// that may not act for a user gets AccessDenied for that user's requests.
func TestProxyActsForTheAccessKeyUser(t *testing.T) {
	c := inproc.Start(t, inproc.Options{Properties: map[string]string{conf.ImpersonationPrefix + "s3proxy.users": "alice,bob"}})
	serve := func(login string) string {
		ts := httptest.NewServer(New(Config{FS: c.ClientWith(func(cfg *client.Config) { cfg.User = login }), WriteType: "MUST_CACHE"}))
		t.Cleanup(ts.Close)
		return ts.URL
	}
	as := func(url, user string) *s3.Client {
		return s3.New(s3.Options{BaseEndpoint: aws.String(url), UsePathStyle: true, Region: "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider(user, "x", ""), Retryer: aws.NopRetryer{}})
	}
	ctx := testCtx(t)
	// Buckets are directories in "/", which the superuser (the test's OS
	// user) opens to the S3 users.
	all := os.FileMode(0o777)
	if err := c.Client().SetAttribute(ctx, "/", client.SetAttributeOptions{Mode: &all}); err != nil {
		t.Fatal(err)
	}
	proxy := serve("s3proxy")
	for _, user := range []string{"alice", "bob"} {
		cl := as(proxy, user)
		if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("b-" + user)}); err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b-" + user), Key: aws.String("k"),
			Body: strings.NewReader("data")}); err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		fi, err := c.Client().GetStatus(ctx, "/b-"+user+"/k", client.StatusOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if fi.Owner != user {
			t.Fatalf("object put as %s is owned by %q", user, fi.Owner)
		}
	}
	for _, tc := range []struct{ proxy, user string }{{proxy, "carol"}, {serve("intruder"), "alice"}} {
		_, err := as(tc.proxy, tc.user).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("b-carol")})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "AccessDenied" || !strings.Contains(api.ErrorMessage(), "may not impersonate "+tc.user) {
			t.Fatalf("acting for %s: %v, want AccessDenied saying the proxy may not impersonate them", tc.user, err)
		}
	}
	if _, err := c.Client().GetStatus(ctx, "/b-carol", client.StatusOptions{}); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("a refused CreateBucket made the bucket: %v", err)
	}
}
