package e2e

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// s3Proxy is an `alluxio proxy` process serving the S3 API of a cluster.
type s3Proxy struct {
	proc *testcluster.Process
	port int
}

func (p *s3Proxy) url() string { return fmt.Sprintf("http://127.0.0.1:%d", p.port) }

// startProxy starts a proxy with m's configuration (which names every
// master of an HA cluster) and extra -D flags, and waits until it listens.
// It logs in as cluster.ProxyUser and acts for the access keys' users.
// The S3 users (access keys) make buckets in "/", which the superuser
// first opens to all, as an administrator of an S3 deployment would.
func startProxy(t testing.TB, m *cluster.Master, name string, extra ...string) *s3Proxy {
	t.Helper()
	m.Must("fs", "chmod", "777", "/")
	p := &s3Proxy{port: testcluster.FreePort(t)}
	args := append([]string{"proxy"}, m.Defines()...)
	args = append(args, "-Dalluxio.proxy.web.bind.host=127.0.0.1", "-Dalluxio.proxy.web.port="+strconv.Itoa(p.port),
		"-Dalluxio.security.login.username="+cluster.ProxyUser)
	p.proc = testcluster.Start(t, name, m.Bin, append(args, extra...), m.Env())
	if !p.proc.WaitForLog(t, "proxy serving the S3 API", time.Minute) {
		t.Fatalf("proxy %s did not start; log %s", name, p.proc.LogPath())
	}
	return p
}

// proxyCluster is a master, a worker and a proxy, with small blocks so that
// objects span several.
type proxyCluster struct {
	m     *cluster.Master
	w     *cluster.Worker
	proxy *s3Proxy
}

func newProxyCluster(t testing.TB, proxyFlags ...string) *proxyCluster {
	t.Helper()
	m := cluster.NewMaster(t, "-Dalluxio.user.block.size.bytes.default=1MB")
	w := cluster.StartWorker(t, m, "worker", "256MB")
	return &proxyCluster{m: m, w: w, proxy: startProxy(t, m, "proxy", proxyFlags...)}
}

// sdk is an aws-sdk-go-v2 S3 client of the proxy at url, path style,
// signing as accessKey.
func sdk(url, accessKey, secret string) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(url), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		Retryer:     aws.NopRetryer{},
		// What the SDK does by default when configured from the
		// environment: a CRC32 with every upload.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
