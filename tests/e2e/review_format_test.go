package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// refusedNaming checks that a command failed, naming the process that
// holds what it wanted to remove.
func refusedNaming(t *testing.T, what, out string, code int, holder string, pid int) {
	t.Helper()
	want := fmt.Sprintf("%s (pid %d on ", holder, pid)
	if code == 0 || !strings.Contains(out, "in use") || !strings.Contains(out, want) {
		t.Errorf("%s while in use: exit %d, want a refusal naming %q:\n%s", what, code, want, out)
	}
}

// TestFormatRefusesARunningMaster: alluxio format leaves the journal of a
// running master alone and names it; once the master is gone (kill -9
// included) it formats.
func TestFormatRefusesARunningMaster(t *testing.T) {
	t.Parallel()
	t.Run("UFS", func(t *testing.T) {
		t.Parallel()
		m := cluster.NewMaster(t)
		m.Must("fs", "mkdir", "/kept", "-Dalluxio.user.file.writetype.default=MUST_CACHE") // only in the journal
		out, code := m.Run("format")
		refusedNaming(t, "format", out, code, "master "+rpcAddr(m)+" (UFS journal)", m.Proc.Pid())
		if out := m.Must("fs", "ls", "/"); !strings.Contains(out, "/kept") {
			t.Fatalf("the namespace changed after a refused format:\n%s", out)
		}
		m.Proc.Kill()
		if out := m.Must("format"); !strings.Contains(out, "Formatted journal") {
			t.Fatalf("format after the master died: %s", out)
		}
		m.Restart()
		if out := m.Must("fs", "ls", "/"); strings.Contains(out, "/kept") {
			t.Fatalf("format did not empty the journal:\n%s", out)
		}
	})
	t.Run("EMBEDDED", func(t *testing.T) {
		t.Parallel()
		c := newEmbeddedCluster(t, 0)
		fs := c.Client(30 * time.Second)
		if _, err := fs.CreateDirectory(t.Context(), "/kept", client.CreateDirectoryOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, m := range c.Masters {
			out, code := m.Run("format")
			refusedNaming(t, "format of "+rpcAddr(m), out, code, "master "+embeddedAddr(t, m)+" (embedded journal)", m.Proc.Pid())
		}
		c.Converge()
		if _, err := fs.GetStatus(t.Context(), "/kept", client.StatusOptions{}); err != nil {
			t.Fatalf("after refused formats: %v", err)
		}
	})
}

// TestFormatWorkerRefusesARunningWorker: formatWorker leaves a running
// worker's blocks alone and names it; after the worker stops it formats.
func TestFormatWorkerRefusesARunningWorker(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	w := cluster.StartWorker(t, m, "worker", "64MB")
	writeFile(t, m.Client(), "/cached", randomBytes(1<<20, 3), client.CreateFileOptions{WriteType: "MUST_CACHE", BlockSize: 1 << 20})
	layout := filepath.Join(w.Dir, "alluxioworker")
	blocks := func() int {
		entries, _ := os.ReadDir(layout)
		n := 0
		for _, e := range entries {
			if !strings.Contains(e.Name(), ".") && e.Name() != "LOCK" {
				n++
			}
		}
		return n
	}
	if blocks() != 1 {
		t.Fatalf("%d blocks in %s, want 1", blocks(), layout)
	}
	args := w.Args()[1:] // the worker's own configuration
	run := func() (string, int) { return cliAs(t, m, func([]string) []string { return args }, "formatWorker") }
	out, code := run()
	refusedNaming(t, "formatWorker", out, code, "worker "+w.Address(), w.Proc.Pid())
	if blocks() != 1 {
		t.Fatal("a refused formatWorker removed blocks")
	}
	if got := readFile(t, m.Client(), "/cached", "NO_CACHE"); len(got) != 1<<20 {
		t.Fatal("the cached file is no longer readable")
	}
	if err := w.Proc.Stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	if out, code := run(); code != 0 || !strings.Contains(out, "Formatted worker storage "+layout) {
		t.Fatalf("formatWorker after the worker stopped: exit %d: %s", code, out)
	}
	if _, err := os.Stat(layout); !os.IsNotExist(err) {
		t.Fatalf("layout directory after formatWorker: %v", err)
	}
}
