package chaos

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/chaos/history"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// clientConfig is a client with retry budget retry.
func clientConfig(retry time.Duration) client.Config {
	return client.Config{RetryMaxDuration: retry, RPCTimeout: 10 * time.Second}
}

// keep arranges for the run's folder (process logs, history, seed,
// schedule) to outlive a failing test, and returns where it will be. The
// cleanup is registered before any process starts, so it runs after they
// are all killed and their logs complete: a run stopped early by a failure
// still has its logs scanned (unless *scanned) and its history kept.
func keep(t *testing.T, res *Result, rec **history.Recorder, scanned *bool) string {
	t.Helper()
	keep := res.Dir // under $ALLUXIO_TEST_KEEP_LOGS, kept anyway
	if os.Getenv(testcluster.KeepLogsEnv) == "" {
		var err error
		keep, err = os.MkdirTemp("", fmt.Sprintf("alluxio-chaos-%s-seed%d-", strings.ReplaceAll(t.Name(), "/", "_"), res.Seed))
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if !t.Failed() {
			if keep != res.Dir {
				os.RemoveAll(keep)
			}
			return
		}
		if !*scanned {
			reportLogs(t, res.Dir)
		}
		if _, err := os.Stat(filepath.Join(res.Dir, "history.json")); os.IsNotExist(err) && *rec != nil {
			// The run stopped early: keep what was recorded so far.
			ops, dropped := (*rec).History()
			save(t, res.Dir, ops, dropped)
		}
		if keep != res.Dir {
			if err := copyDir(res.Dir, keep); err != nil {
				t.Errorf("chaos: keeping the run in %s: %v", keep, err)
			}
		}
		t.Logf("chaos: seed %d; history, schedule and every process's log are kept in %s", res.Seed, keep)
	})
	return keep
}

func save(t testing.TB, dir string, ops, dropped []porcupine.Operation) {
	for name, v := range map[string][]porcupine.Operation{"history.json": ops, "dropped.json": dropped} {
		if err := history.Save(filepath.Join(dir, name), v); err != nil {
			t.Errorf("chaos: %s: %v", name, err)
		}
	}
}

func writeFile(t testing.TB, p string, b []byte) {
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Errorf("chaos: %v", err)
	}
}

// copyDir copies the regular files of src (one level) into dst.
func copyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
