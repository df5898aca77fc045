package e2e

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// conformanceAllEnv makes TestS3APIConformanceSuite run every test of its
// list (make s3-conformance) instead of every fourth.
const conformanceAllEnv = "ALLUXIO_S3_CONFORMANCE_ALL"

// conformanceList holds the versitygw integration tests the proxy passes,
// one name a line: the regressions this test catches. Tests of what the
// proxy does not do (versioning, object lock, bucket policies, IAM, ACL
// grants) and of versitygw's own posix rules are not in it; see
// docs/s3-api.md.
const conformanceList = "testdata/versitygw-conformance.txt"

var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestS3APIConformanceSuite runs a third-party S3 conformance suite, the
// integration tests that versitygw (the reference S3 server of these
// tests) ships and runs against Amazon S3 and its own gateway, against a
// proxy that checks signatures. Each test makes its own bucket, calls the
// proxy with aws-sdk-go-v2 or hand-signed HTTP, and compares codes,
// messages, headers and bytes with what S3 answers.
func TestS3APIConformanceSuite(t *testing.T) {
	gw := testcluster.VersityGW(t)
	names := readConformanceList(t)
	if os.Getenv(conformanceAllEnv) == "" {
		// Every fourth keeps make test's time; the whole list is one
		// command away.
		var some []string
		for i := 0; i < len(names); i += 4 {
			some = append(some, names[i])
		}
		names = some
	}
	// The suite's user is a plain one, as an S3 user of a cluster is (the
	// tests' own "tester" is a superuser, whom no permission stops), who
	// may make buckets under a root anyone may write.
	const user, secret = "s3user", "s3user-secret"
	creds := filepath.Join(t.TempDir(), "s3-credentials")
	if err := os.WriteFile(creds, []byte(user+" "+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cl := newProxyCluster(t, "-Dalluxio.proxy.s3.credentials.file="+creds)
	open := os.FileMode(0o777)
	if err := cl.m.Client().SetAttribute(ctxT(t), "/", client.SetAttributeOptions{Mode: &open}); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
	failed := 0
	for _, name := range names {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		cmd := exec.CommandContext(ctx, gw, "test", "-a", user, "-s", secret, "-e", cl.proxy.url(), name)
		cmd.Env, cmd.Dir = env, home
		out, _ := cmd.CombinedOutput()
		cancel()
		text := ansiEscape.ReplaceAllString(string(out), "")
		if strings.Contains(text, "PASS "+name) && !strings.Contains(text, "FAIL ") {
			continue
		}
		failed++
		t.Errorf("versitygw test %s:\n%s", name, lastLines(text, 8))
		// A failed test may leave its bucket, which the next one makes.
		removeBuckets(t, cl)
	}
	t.Logf("%d of %d versitygw tests passed", len(names)-failed, len(names))
}

func readConformanceList(t *testing.T) []string {
	f, err := os.Open(conformanceList)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			names = append(names, l)
		}
	}
	if err := sc.Err(); err != nil || len(names) == 0 {
		t.Fatalf("%s: %d names, %v", conformanceList, len(names), err)
	}
	return names
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// removeBuckets deletes every top-level directory of the cluster.
func removeBuckets(t *testing.T, cl *proxyCluster) {
	ctx := ctxT(t)
	fs := cl.m.Client()
	infos, err := fs.ListStatus(ctx, "/", false, client.StatusOptions{})
	if err != nil {
		t.Fatalf("listing the buckets left: %v", err)
	}
	for _, fi := range infos {
		if err := fs.Delete(ctx, fi.Path, client.DeleteOptions{Recursive: true}); err != nil {
			t.Fatalf("removing %s: %v", fi.Path, err)
		}
	}
}
