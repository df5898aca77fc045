package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/fuse"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// fuseCluster starts a master and a worker with mem of memory, and mounts
// the namespace's root with opts; it returns the mount and a client of
// the cluster.
func fuseCluster(t testing.TB, mem string, opts ...string) (*fuseMount, *client.FileSystem) {
	t.Helper()
	requireFuse(t)
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", mem)
	return mountFuse(t, m, "/", opts...), m.Client()
}

// requireFuse skips a test that needs a real FUSE mount where the machine
// cannot make one (no /dev/fuse, no fusermount3 for a non-root user), and
// fails it instead under CI, where the suite must run.
func requireFuse(t testing.TB) {
	t.Helper()
	if why := testcluster.FuseMissing(); why != "" {
		testcluster.SkipOrFail(t, why)
	}
}

// fuseMounts numbers the mount processes, whose names must differ
// within a test.
var fuseMounts atomic.Int64

// fuseMount is one `alluxio fuse mount -f` process and its mount point.
type fuseMount struct {
	t    testing.TB
	dir  string
	proc *testcluster.Process
	bin  string
	env  []string
}

// mountFuse mounts alluxioPath of the cluster m belongs to at a new
// directory, served by `alluxio fuse mount -f` (a real process, with the
// master's configuration and -o opts), and waits until it serves. Cleanup
// unmounts it (lazily if something still holds it) and stops the process.
func mountFuse(t testing.TB, m *cluster.Master, alluxioPath string, opts ...string) *fuseMount {
	t.Helper()
	requireFuse(t)
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return startFuse(t, m, dir, alluxioPath, opts...)
}

// startFuse serves alluxioPath at dir with `alluxio fuse mount -f`.
func startFuse(t testing.TB, m *cluster.Master, dir, alluxioPath string, opts ...string) *fuseMount {
	t.Helper()
	requireFuse(t)
	args := append([]string{"fuse", "mount", "-f"}, m.Defines()...)
	if os.Getenv("ALLUXIO_TEST_FUSE_DEBUG") != "" {
		opts = append(opts, "debug") // every FUSE request in the mount's log
	}
	for _, o := range opts {
		args = append(args, "-o", o)
	}
	args = append(args, dir, alluxioPath)
	fm := &fuseMount{t: t, dir: dir, bin: m.Bin, env: m.Env()}
	fm.proc = testcluster.Start(t, fmt.Sprintf("fuse%d", fuseMounts.Add(1)), m.Bin, args, m.Env())
	// Registered after Start's own cleanup, so it runs first: the mount
	// goes before the process is killed.
	t.Cleanup(fm.cleanup)
	if !fm.proc.WaitForLog(t, "msg=mounted", 90*time.Second) {
		t.Fatalf("fuse mount did not come up; log %s", fm.proc.LogPath())
	}
	return fm
}

// path is name inside the mount.
func (fm *fuseMount) path(name string) string { return filepath.Join(fm.dir, name) }

// cleanup unmounts the mount (lazily if something holds it) and expects
// the process to end by itself once the mount is gone; one that does not
// is made to print its goroutines (SIGQUIT) and fails the test.
func (fm *fuseMount) cleanup() {
	start := time.Now()
	defer func() {
		fm.t.Logf("unmounted; the fuse process ended %v later", time.Since(start).Round(time.Millisecond))
	}()
	if mounted, _ := fuse.MountedAt(fm.dir); mounted {
		if err := fuse.Unmount(fm.dir, false); err != nil {
			fm.t.Logf("unmount %s: %v; detaching it", fm.dir, err)
			if err := fuse.Unmount(fm.dir, true); err != nil {
				fm.t.Errorf("lazy unmount %s: %v", fm.dir, err)
			}
		}
	}
	if !fm.waitExit(30 * time.Second) {
		fm.proc.Signal(syscall.SIGQUIT)
		fm.waitExit(5 * time.Second)
		fm.t.Errorf("the fuse process did not exit after its mount was unmounted; log %s", fm.proc.LogPath())
	}
	fm.proc.Stop(10 * time.Second)
}

// waitExit waits up to d for the mount process to exit.
func (fm *fuseMount) waitExit(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if fm.proc.Signal(0) != nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// sh runs a shell command line in dir and returns its combined output
// and exit code.
func sh(t testing.TB, dir, script string) (string, int) {
	t.Helper()
	if dir != "" {
		script = fmt.Sprintf("cd %q && %s", dir, script)
	}
	return testcluster.RunCLI(t, "bash", []string{"-c", script}, nil)
}

// mustSh runs a shell command line that has to succeed.
func mustSh(t testing.TB, dir, script string) string {
	t.Helper()
	out, code := sh(t, dir, script)
	if code != 0 {
		t.Fatalf("%s: exit %d: %s", script, code, out)
	}
	return out
}

// wantErrno checks that err is a failure with errno want.
func wantErrno(t testing.TB, what string, err error, want syscall.Errno) {
	t.Helper()
	var got syscall.Errno
	if !errors.As(err, &got) || got != want {
		t.Fatalf("%s: got %v, want %v (%d)", what, err, want.Error(), int(want))
	}
}

// lines splits command output into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
