package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// TestRunUfsTestsOnS3 runs `alluxio runUfsTests` against a bucket prefix of
// a real S3 server: every check passes and is named, and the test folder
// is gone afterwards. With a wrong secret it fails, saying why.
func TestRunUfsTestsOnS3(t *testing.T) {
	t.Parallel()
	srv := testcluster.StartS3(t)
	srv.CreateBucket(t, "bucket")
	bin := testcluster.Binary(t)
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "ALLUXIO_CONF_DIR="+t.TempDir())
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run(append([]string{"runUfsTests", "--path", "s3://bucket/checks"}, srv.MountArgs()...)...)
	if err != nil {
		t.Fatalf("runUfsTests failed: %v\n%s", err, out)
	}
	for _, check := range []string{"PASS  CreateAndRead", "PASS  ListManyPages", "PASS  Staged", "PASS  Rename"} {
		if !strings.Contains(out, check) {
			t.Errorf("output lacks %q:\n%s", check, out)
		}
	}
	if !strings.Contains(out, " passed, 0 failed") {
		t.Errorf("output lacks the summary:\n%s", out)
	}
	entries, err := os.ReadDir(srv.Dir + "/bucket/checks")
	if err == nil && len(entries) > 0 {
		t.Errorf("runUfsTests left %d entries behind", len(entries))
	}
	args := []string{"runUfsTests", "--path", "s3://bucket/checks"}
	for _, a := range srv.MountArgs() {
		if strings.HasPrefix(a, "s3a.secretKey=") {
			a = "s3a.secretKey=wrong"
		}
		args = append(args, a)
	}
	out, err = run(args...)
	if err == nil || !strings.Contains(out, "s3a.secretKey") {
		t.Errorf("runUfsTests with a wrong secret = %v:\n%s", err, out)
	}
}
