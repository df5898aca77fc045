package testcluster

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"
)

// RunCLI runs bin with args and env (added to the test's own) and returns
// its combined output and exit code; it fails t when bin cannot run.
func RunCLI(t testing.TB, bin string, args, env []string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("run %s %v: %v", bin, args, err)
	}
	return out.String(), 0
}
