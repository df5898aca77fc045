package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/fuse"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestFuseCommands runs `alluxio fuse mount` as users do, in the
// background, with `fuse stat` and `fuse unmount`, and the mount point
// checks: missing, not a directory, busy, not empty, an Alluxio path that
// is a file.
func TestFuseCommands(t *testing.T) {
	requireFuse(t)
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	m.Must("fs", "mkdir", "/sub")
	m.Must("fs", "touch", "/afile")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{filepath.Join(dir, "missing")}, "does not exist"},
		{[]string{"/etc/hostname"}, "is not a directory"},
		{[]string{dir, "/afile"}, "alluxio path /afile is not a directory"},
		{[]string{dir, "/nothing"}, "not found"},
		{[]string{dir, "-o", "attr_timeout=abc"}, "attr_timeout"},
		{[]string{dir, "-o", "no_such_option"}, `unknown mount option "no_such_option"`},
	} {
		out, code := m.Run(append([]string{"fuse", "mount"}, tc.args...)...)
		if code == 0 || !strings.Contains(out, tc.want) {
			t.Fatalf("fuse mount %v: exit %d, want an error with %q: %s", tc.args, code, tc.want, out)
		}
	}
	if mounted, _ := fuse.MountedAt(dir); mounted {
		t.Fatal("a refused mount left a mount")
	}

	out := m.Must("fuse", "mount", dir, "/sub")
	if !strings.Contains(out, "Mounted /sub at "+dir) {
		t.Fatalf("fuse mount: %s", out)
	}
	pid := pidOf(t, out)
	t.Cleanup(func() {
		fuse.Unmount(dir, true)
		syscall.Kill(pid, syscall.SIGKILL)
	})
	if !fuse.PidAlive(pid) {
		t.Fatalf("the mount process %d is not running", pid)
	}
	if err := os.WriteFile(filepath.Join(dir, "hello"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The file completes when the kernel releases the handle, just after
	// close(2) returns (docs/fuse.md); another client sees it then.
	testcluster.WaitFor(t, time.Minute, 20*time.Millisecond, func() (bool, string) {
		got, code := m.Run("fs", "cat", "/sub/hello")
		return code == 0 && got == "hi", fmt.Sprintf("fs cat of a file written through the mount: exit %d, %q", code, got)
	})
	stat := m.Must("fuse", "stat")
	if !statLists(stat, pid, dir, "/sub", "mounted") {
		t.Fatalf("fuse stat: %s", stat)
	}
	// A second mount at the same point is refused.
	if out, code := m.Run("fuse", "mount", dir); code == 0 || !strings.Contains(out, "busy") {
		t.Fatalf("a second mount at %s: exit %d: %s", dir, code, out)
	}
	// A non-empty directory is refused unless asked for.
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o644)
	if out, code := m.Run("fuse", "mount", full); code == 0 || !strings.Contains(out, "not empty") {
		t.Fatalf("mount over a non-empty directory: exit %d: %s", code, out)
	}

	// Unmount while a file is open: refused with the reason, then done
	// lazily; the open file is still read, and the process ends once it
	// is closed.
	f, err := os.Open(filepath.Join(dir, "hello"))
	if err != nil {
		t.Fatal(err)
	}
	if out, code := m.Run("fuse", "unmount", dir); code == 0 || !strings.Contains(out, "busy") {
		t.Fatalf("unmount with a file open: exit %d: %s", code, out)
	}
	if out := m.Must("fuse", "unmount", "-l", dir); !strings.Contains(out, "Unmounted") {
		t.Fatalf("unmount -l: %s", out)
	}
	if mounted, _ := fuse.MountedAt(dir); mounted {
		t.Fatal("still mounted after unmount -l")
	}
	if b, err := io.ReadAll(f); err != nil || string(b) != "hi" {
		t.Fatalf("reading an open file after a lazy unmount: %q %v", b, err)
	}
	if !fuse.PidAlive(pid) {
		t.Fatal("the process ended while a file of its mount was open")
	}
	f.Close()
	testcluster.WaitFor(t, 30*time.Second, 20*time.Millisecond, func() (bool, string) {
		return !fuse.PidAlive(pid), "the mount process still runs after the last file closed"
	})

	// Mount again, unmount normally: the command waits for the process.
	out = m.Must("fuse", "mount", dir)
	pid = pidOf(t, out)
	if b, err := os.ReadFile(filepath.Join(dir, "sub", "hello")); err != nil || string(b) != "hi" {
		t.Fatalf("read through the second mount: %q %v", b, err)
	}
	m.Must("fuse", "unmount", dir)
	if fuse.PidAlive(pid) {
		t.Fatal("fuse unmount returned while the process runs")
	}
	if out := m.Must("fuse", "stat"); strings.Contains(out, dir) {
		t.Fatalf("fuse stat lists an unmounted mount: %s", out)
	}
	if out, code := m.Run("fuse", "unmount", dir); code == 0 || !strings.Contains(out, "not an Alluxio FUSE mount point") {
		t.Fatalf("unmount of what is not mounted: exit %d: %s", code, out)
	}
}

// statLists reports whether `fuse stat` output has the line pid,
// mount point, Alluxio path, state.
func statLists(out string, pid int, dir, alluxioPath, state string) bool {
	for _, l := range lines(out) {
		if f := strings.Fields(l); len(f) >= 4 && f[0] == strconv.Itoa(pid) && f[1] == dir && f[2] == alluxioPath && f[3] == state {
			return true
		}
	}
	return false
}

func pidOf(t testing.TB, mountOut string) int {
	t.Helper()
	i := strings.Index(mountOut, "(pid ")
	if i < 0 {
		t.Fatalf("no pid in %q", mountOut)
	}
	pid, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(mountOut[i+5:]), ")"))
	if err != nil {
		t.Fatalf("pid in %q: %v", mountOut, err)
	}
	return pid
}

// TestFuseProcessKilled kills the mount process with SIGKILL: the mount
// point then fails with ENOTCONN, `fuse stat` says it is stale, and both
// the next `fuse mount` and `fuse unmount` release it.
func TestFuseProcessKilled(t *testing.T) {
	requireFuse(t)
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	fm := mountFuse(t, m, "/")
	mustSh(t, fm.dir, "echo data > f")
	// The file completes when the kernel releases it, just after echo's
	// close; killed before that, it would stay incomplete.
	waitComplete(t, m.Client(), "/f")
	fm.proc.Kill()
	_, err := os.Stat(fm.path("f"))
	wantErrno(t, "stat in the mount of a killed process", errors.Unwrap(err), syscall.ENOTCONN)
	if out := m.Must("fuse", "stat"); !strings.Contains(out, fm.dir) || !strings.Contains(out, "stale") {
		t.Fatalf("fuse stat after the kill: %s", out)
	}

	// The next mount releases the stale mount point and mounts.
	out := m.Must("fuse", "mount", fm.dir)
	if !strings.Contains(out, "left by a mount process that is gone") {
		t.Fatalf("fuse mount over a stale mount point: %s", out)
	}
	pid := pidOf(t, out)
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if b, err := os.ReadFile(fm.path("f")); err != nil || string(b) != "data\n" {
		t.Fatalf("read after mounting again: %q %v", b, err)
	}
	// Killed again: unmount releases it.
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	testcluster.WaitFor(t, 30*time.Second, 20*time.Millisecond, func() (bool, string) {
		return fuse.IsStale(fm.dir), "the mount point did not go stale"
	})
	if out := m.Must("fuse", "unmount", fm.dir); !strings.Contains(out, "process was gone") {
		t.Fatalf("fuse unmount of a stale mount: %s", out)
	}
	if mounted, _ := fuse.MountedAt(fm.dir); mounted || fuse.IsStale(fm.dir) {
		t.Fatal("the stale mount point is still mounted")
	}
}

// TestFuseWorkerDiesDuringRead kills the worker a file is read from in the
// middle of a read through the mount: the read goes on from the under
// storage through the other worker, or fails with EIO; it never returns
// wrong bytes.
func TestFuseWorkerDiesDuringRead(t *testing.T) {
	requireFuse(t)
	m := cluster.NewMaster(t)
	w1 := cluster.StartWorker(t, m, "worker1", "256MB")
	c := m.Client()
	data := randomBytes(48<<20, 11)
	// Persisted and cached on worker1, the only worker then.
	writeFile(t, c, "/f", data, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 8 << 20})
	cluster.StartWorker(t, m, "worker2", "256MB")
	// Streamed from the worker, not read from its files: short-circuit
	// reads would go on from the open file of a dead worker.
	fm := mountFuse(t, m, "/", "alluxio.user.short.circuit.enabled=false", "direct_io")

	f, err := os.Open(fm.path("f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := make([]byte, 0, len(data))
	buf := make([]byte, 1<<20)
	killed, readAfterKill, eio := false, 0, false
	for {
		n, err := f.Read(buf)
		got = append(got, buf[:n]...)
		if killed {
			readAfterKill += n
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			wantErrno(t, "read after the worker died", errors.Unwrap(err), syscall.EIO)
			eio = true
			break
		}
		if !killed && len(got) >= 4<<20 {
			w1.Proc.Kill()
			killed = true
		}
	}
	if !killed {
		t.Fatal("the read ended before the worker was killed")
	}
	if !bytes.Equal(got, data[:len(got)]) {
		t.Fatalf("the read returned wrong bytes after the worker died (%d bytes read)", len(got))
	}
	if !eio && len(got) != len(data) {
		t.Fatalf("the read ended early without an error: %d of %d bytes", len(got), len(data))
	}
	t.Logf("read %d bytes after the worker was killed (EIO: %v)", readAfterKill, eio)
	if eio {
		return
	}
	// Read again from the start: whole and right.
	b, err := os.ReadFile(fm.path("f"))
	if err != nil || !bytes.Equal(b, data) {
		t.Fatalf("a second read after the worker died: %d bytes, %v", len(b), err)
	}
}
