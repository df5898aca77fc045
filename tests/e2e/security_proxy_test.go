package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/internal/security/securitytest"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestTLSProxy: with TLS on, the S3 proxy serves HTTPS (an SDK client that
// trusts the cluster's authority puts and gets an object, without a
// certificate of its own: signatures say who it is) and talks to the
// cluster with its certificate; plain HTTP gets no S3 answer.
func TestTLSProxy(t *testing.T) {
	ca := securitytest.NewCA(t, "cluster")
	defs := ca.Defines(ca.Issue("alluxio", securitytest.Options{}))
	m := cluster.NewMaster(t, append(defs, "-Dalluxio.user.block.size.bytes.default=1MB")...)
	m.WebTLS = loadClientTLS(t, ca, ca.Issue("tester", securitytest.Options{}))
	cluster.StartWorker(t, m, "worker", "64MB")
	p := startProxy(t, m, "proxy", ca.Defines(ca.Issue(cluster.ProxyUser, securitytest.Options{}))...)

	trust := loadClientTLS(t, ca, ca.Issue("unused", securitytest.Options{}))
	trust.Certificates = nil
	url := fmt.Sprintf("https://127.0.0.1:%d", p.port)
	cl := s3.New(s3.Options{BaseEndpoint: aws.String(url), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("erin", "x", ""), Retryer: aws.NopRetryer{},
		HTTPClient: &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: trust}}})
	ctx := ctxT(t)
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tls")}); err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("over https ", 300000)
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tls"), Key: aws.String("k"), Body: strings.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tls"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || string(got) != body {
		t.Fatalf("GET over HTTPS: %d bytes, %v; want %d", len(got), err, len(body))
	}
	ls := m.Must(append([]string{"fs", "ls", "/tls"}, ca.Defines(ca.Issue("admin", securitytest.Options{}))...)...)
	if !strings.Contains(ls, "erin") {
		t.Fatalf("the object is not erin's (the access key's user, impersonated by the proxy):\n%s", ls)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(p.url() + "/tls/k")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("plain HTTP to the TLS proxy: %s", resp.Status)
		}
	}
}
