package testcluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// VersityGWEnv names the versitygw binary (an S3 gateway written in Go that
// serves a folder as buckets), for machines where it is installed somewhere
// the harness does not look. Without it the harness tries, in order,
// $XDG_CACHE_HOME/alluxio-tools/versitygw (where scripts/deps.sh installs
// it), $(go env GOPATH)/bin/versitygw and versitygw on $PATH.
const VersityGWEnv = "ALLUXIO_TEST_VERSITYGW"

// VersityGWVersion is the version scripts/deps.sh installs; the harness
// does not check it, but tests were written against its behaviour.
const VersityGWVersion = "v1.8.0"

// s3StopTimeout bounds a graceful stop of the gateway.
const s3StopTimeout = 10 * time.Second

// S3Server is a real S3 server (versitygw's posix backend) on a loopback
// port, serving a temporary folder: each top-level subfolder is a bucket.
// It runs until the test ends; Kill, Stop and Restart simulate an object
// store that goes away and comes back with its data.
type S3Server struct {
	// Endpoint is the server's URL, http://127.0.0.1:<port>.
	Endpoint string
	// AccessKey and SecretKey are the root account's credentials; any
	// other key is refused.
	AccessKey, SecretKey string
	// Region is what the server expects in signatures.
	Region string
	// Dir is the folder the server serves: Dir/<bucket>/<key>.
	Dir  string
	proc *Process
}

// StartS3 starts a versitygw server and waits until it answers. When the
// binary is missing the test is skipped, or fails when $CI is set so that CI
// cannot pass by skipping.
func StartS3(t testing.TB) *S3Server {
	t.Helper()
	return startS3(t, "127.0.0.1", filepath.Join(t.TempDir(), "s3"))
}

// StartS3In is StartS3 serving dir (created if missing), e.g. a folder in
// tmpfs for a benchmark.
func StartS3In(t testing.TB, dir string) *S3Server {
	t.Helper()
	return startS3(t, "127.0.0.1", dir)
}

// StartS3On is StartS3 listening on host: the address of a network the
// test made (Net.ClientGateway), for masters in network namespaces.
func StartS3On(t testing.TB, host string) *S3Server {
	t.Helper()
	return startS3(t, host, filepath.Join(t.TempDir(), "s3"))
}

// StartS3OnNet is StartS3 run on host i of nt, listening on its client
// address: a server across a network link from the test and the cluster
// (whose speed Net.LimitClient may bound).
func StartS3OnNet(t testing.TB, nt *Net, i int) *S3Server {
	t.Helper()
	return startS3In(t, nt, i, nt.ClientIP(i), filepath.Join(t.TempDir(), "s3"))
}

// StartS3WithUsers is StartS3 with versitygw's own IAM (users kept in a
// folder of the test), so that CreateUser can add accounts other than root.
func StartS3WithUsers(t testing.TB) *S3Server {
	t.Helper()
	iam := filepath.Join(t.TempDir(), "iam")
	if err := os.MkdirAll(iam, 0o700); err != nil {
		t.Fatalf("testcluster: %v", err)
	}
	return startS3(t, "127.0.0.1", filepath.Join(t.TempDir(), "s3"), "--iam-dir", iam)
}

// CreateUser adds an account of role "user" to a server StartS3WithUsers
// started, through versitygw's admin API; access is also its canonical id
// in ACLs. It can reach the buckets whose ACLs grant it access.
func (s *S3Server) CreateUser(t testing.TB, access, secret string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, VersityGW(t), "admin", "--endpoint-url", s.Endpoint, "--region", s.Region,
		"create-user", "--access", access, "--secret", secret, "--role", "user")
	// The admin's credentials in the environment, not in ps.
	cmd.Env = append(os.Environ(), "ADMIN_ACCESS_KEY_ID="+s.AccessKey, "ADMIN_SECRET_ACCESS_KEY="+s.SecretKey)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testcluster: creating S3 user %s: %v: %s", access, err, out)
	}
}

func startS3(t testing.TB, host, dir string, extra ...string) *S3Server {
	t.Helper()
	return startS3In(t, nil, 0, host, dir, extra...)
}

// startS3In starts the server on host i of nt, or in the test's own
// namespace when nt is nil.
func startS3In(t testing.TB, nt *Net, i int, host, dir string, extra ...string) *S3Server {
	t.Helper()
	bin := VersityGW(t)
	s := &S3Server{
		AccessKey: "alluxiotestkey",
		SecretKey: "alluxio-test-secret-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		Region:    "us-east-1",
		Dir:       dir,
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		t.Fatalf("testcluster: %v", err)
	}
	port := FreePort(t)
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	s.Endpoint = "http://" + addr
	name := "s3"
	for k := 1; ; k++ {
		if _, err := os.Stat(filepath.Join(LogDir(t), name+".log")); os.IsNotExist(err) {
			break
		}
		name = fmt.Sprintf("s3-%d", k)
	}
	// Credentials go in the environment, not on the command line, where
	// any user of the machine could read them in ps.
	env := []string{"ROOT_ACCESS_KEY_ID=" + s.AccessKey, "ROOT_SECRET_ACCESS_KEY=" + s.SecretKey}
	args := append([]string{"--port", addr, "--region", s.Region, "--quiet"}, extra...)
	args = append(args, "posix", s.Dir)
	if nt != nil {
		bin, args = nt.Command(i, bin, args...)
	}
	s.proc = Start(t, name, bin, args, env)
	s.WaitReady(t, time.Minute)
	return s
}

// VersityGW returns the path of the versitygw binary, or skips the test
// (fails it under $CI) saying how to install it.
func VersityGW(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(VersityGWEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("testcluster: %s=%s: %v", VersityGWEnv, p, err)
		}
		return p
	}
	var candidates []string
	if cache, err := os.UserCacheDir(); err == nil {
		candidates = append(candidates, filepath.Join(cache, "alluxio-tools", "versitygw"))
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			candidates = append(candidates, filepath.Join(dir, "bin", "versitygw"))
		}
	}
	for _, c := range candidates {
		if info, err := os.Stat(c); err == nil && !info.IsDir() {
			return c
		}
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	msg := "testcluster: the versitygw S3 server is not installed; `make deps` installs it " +
		"(go install github.com/versity/versitygw/cmd/versitygw@" + VersityGWVersion + "), or set " + VersityGWEnv
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// CreateBucket makes an empty bucket. The posix backend takes a folder as a
// bucket, so this works while the server is down too.
func (s *S3Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	if err := os.Mkdir(filepath.Join(s.Dir, name), 0o755); err != nil {
		t.Fatalf("testcluster: creating bucket %s: %v", name, err)
	}
}

// Process returns the server's process, for its log and signals.
func (s *S3Server) Process() *Process { return s.proc }

// Kill kills the server with SIGKILL: connections in progress break.
func (s *S3Server) Kill() { s.proc.Kill() }

// Stop stops the server with SIGTERM (SIGKILL after a while).
func (s *S3Server) Stop() { s.proc.Stop(s3StopTimeout) }

// Restart starts the server again on the same port and folder after Kill or
// Stop, and waits until it answers.
func (s *S3Server) Restart(t testing.TB) {
	t.Helper()
	s.proc.Restart(t)
	s.WaitReady(t, time.Minute)
}

// WaitReady waits until the server accepts HTTP requests: an unsigned
// request gets an S3 error document, which is enough to know it serves.
func (s *S3Server) WaitReady(t testing.TB, timeout time.Duration) {
	t.Helper()
	addr := strings.TrimPrefix(s.Endpoint, "http://")
	WaitFor(t, timeout, 20*time.Millisecond, func() (bool, string) {
		if s.proc.Exited() {
			t.Fatalf("testcluster: the S3 server exited: %v", s.proc.ExitErr())
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false, "S3 server not listening: " + err.Error()
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", addr); err != nil {
			return false, err.Error()
		}
		buf := make([]byte, 12)
		n, _ := conn.Read(buf)
		if !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 ") {
			return false, fmt.Sprintf("S3 server answered %q", buf[:n])
		}
		return true, ""
	})
}

// Properties returns the mount options that reach a bucket of this server:
// credentials, endpoint and path-style addressing.
func (s *S3Server) Properties() map[string]string {
	return map[string]string{
		"s3a.accessKeyId":                        s.AccessKey,
		"s3a.secretKey":                          s.SecretKey,
		"alluxio.underfs.s3.endpoint":            s.Endpoint,
		"alluxio.underfs.s3.endpoint.region":     s.Region,
		"alluxio.underfs.s3.disable.dns.buckets": "true",
	}
}

// MountArgs returns Properties as `alluxio fs mount` options, sorted.
func (s *S3Server) MountArgs() []string {
	p := s.Properties()
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		out = append(out, "--option", k+"="+p[k])
	}
	return out
}

// Client returns an S3 client of the SDK for this server (path style, the
// root credentials): a view of the store that does not go through the code
// under test.
func (s *S3Server) Client() *awss3.Client {
	return awss3.New(awss3.Options{Region: s.Region, BaseEndpoint: aws.String(s.Endpoint), UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey}, nil
		})})
}
