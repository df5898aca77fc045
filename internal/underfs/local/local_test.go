package local_test

import (
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/underfs/local"
	"github.com/alluxio-go/alluxio/internal/underfs/underfstest"
)

// testLog sends what the file system logs to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

func newFS(t *testing.T, dir string) *local.FS {
	t.Helper()
	fs, err := local.New(dir, underfs.Options{Logger: slog.New(slog.NewTextHandler(testLog{t}, nil))})
	if err != nil {
		t.Fatalf("New(%q): %v", dir, err)
	}
	return fs
}

func TestConformance(t *testing.T) {
	underfstest.Run(t, func(t *testing.T) underfs.UnderFileSystem {
		return newFS(t, t.TempDir())
	})
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{dir, dir + "/", "file://" + dir, "FILE://" + dir, "file://localhost" + dir, "file:" + dir} {
		fs, err := local.New(uri, underfs.Options{})
		if err != nil {
			t.Errorf("New(%q): %v", uri, err)
			continue
		}
		if fs.Root() != uri {
			t.Errorf("Root() = %q; want %q as given", fs.Root(), uri)
		}
	}
	missing := filepath.Join(dir, "missing")
	tests := []struct {
		uri      string
		sentinel error
		mention  string
	}{
		{missing, errs.ErrNotFound, missing},
		{"file://" + missing, errs.ErrNotFound, missing},
		{file, errs.ErrNotDirectory, file},
		{"relative/dir", errs.ErrInvalidArg, "relative/dir"},
		{"", errs.ErrInvalidArg, "no path"},
		{"file://", errs.ErrInvalidArg, "no path"},
		{"file://otherhost/data", errs.ErrInvalidArg, "otherhost"},
		{"s3://bucket/x", errs.ErrInvalidArg, "s3://bucket/x"},
	}
	for _, tt := range tests {
		_, err := local.New(tt.uri, underfs.Options{})
		if !errors.Is(err, tt.sentinel) || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("New(%q) = %v; want %v naming %q", tt.uri, err, tt.sentinel, tt.mention)
		}
	}
}

// TestNoEscape checks on the real disk that refused paths touched nothing
// outside the root.
func TestNoEscape(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(parent, "secret"), []byte("s"), 0o644); err != nil {
		t.Fatal(err)
	}
	fs := newFS(t, root)
	ctx := t.Context()
	for _, p := range []string{"../secret", "/../secret", "a/../../secret", ".."} {
		if _, err := fs.GetStatus(ctx, p); !errors.Is(err, errs.ErrInvalidPath) {
			t.Errorf("GetStatus(%q) = %v; want ErrInvalidPath", p, err)
		}
		if _, err := fs.Open(ctx, p, 0); !errors.Is(err, errs.ErrInvalidPath) {
			t.Errorf("Open(%q) = %v; want ErrInvalidPath", p, err)
		}
		if err := fs.Delete(ctx, p, true); !errors.Is(err, errs.ErrInvalidPath) {
			t.Errorf("Delete(%q) = %v; want ErrInvalidPath", p, err)
		}
		if err := fs.Mkdirs(ctx, p+"/x", 0o755); !errors.Is(err, errs.ErrInvalidPath) {
			t.Errorf("Mkdirs(%q) = %v; want ErrInvalidPath", p, err)
		}
	}
	entries, err := os.ReadDir(parent)
	if err != nil || len(entries) != 2 {
		t.Fatalf("parent of the root holds %v, %v; want root and secret only", entries, err)
	}
}

func TestTempFilesHiddenAndReserved(t *testing.T) {
	root := t.TempDir()
	fs := newFS(t, root)
	ctx := t.Context()
	w, err := fs.Create(ctx, "d/f", underfs.CreateOptions{CreateParents: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()
	temps, _ := filepath.Glob(filepath.Join(root, "d", local.TempPrefix+"*"))
	if len(temps) != 1 {
		t.Fatalf("temporary files in d: %q; want one", temps)
	}
	if list, err := fs.List(ctx, "d"); err != nil || len(list) != 0 {
		t.Errorf("List(d) = %v, %v; want empty while f is written", list, err)
	}
	name := filepath.Base(temps[0])
	if _, err := fs.GetStatus(ctx, "d/"+name); !errors.Is(err, errs.ErrInvalidPath) {
		t.Errorf("GetStatus of a temporary file = %v; want ErrInvalidPath", err)
	}
	// A directory that holds only temporary files looks empty, so it
	// deletes like one, taking them along.
	if err := fs.Delete(ctx, "d", false); err != nil {
		t.Errorf("Delete of a directory holding only a temporary file: %v", err)
	}
	if err := w.Close(); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("Close after its directory was deleted = %v; want ErrNotFound", err)
	}
}

func TestCrashLeavesNoPartialFile(t *testing.T) {
	root := t.TempDir()
	fs := newFS(t, root)
	w, err := fs.Create(t.Context(), "f", underfs.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("half")); err != nil {
		t.Fatal(err)
	}
	// Abandoned without Close or Cancel, as by a crash: nothing at f.
	if _, err := os.Stat(filepath.Join(root, "f")); !os.IsNotExist(err) {
		t.Errorf("an unfinished file is visible: %v", err)
	}
	_ = w.Cancel()
}

func TestOwnerNames(t *testing.T) {
	me, err := user.Current()
	if err != nil {
		t.Skip("no current user:", err)
	}
	fs := newFS(t, t.TempDir())
	if err := fs.Mkdirs(t.Context(), "d", 0); err != nil {
		t.Fatal(err)
	}
	st, err := fs.GetStatus(t.Context(), "d")
	if err != nil {
		t.Fatal(err)
	}
	if st.Owner != me.Username && st.Owner != me.Uid {
		t.Errorf("Owner = %q; want %q (or uid %s)", st.Owner, me.Username, me.Uid)
	}
	if st.Group == "" {
		t.Error("Group is empty")
	}
}

func TestSymlinksAndSpecialFiles(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "data"), []byte("linked"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"disk2":    outside,
		"dangling": filepath.Join(outside, "missing"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Skip("symlinks not supported:", err)
		}
	}
	fs := newFS(t, root)
	ctx := t.Context()
	list, err := fs.List(ctx, "")
	if err != nil || len(list) != 1 || list[0].Name != "disk2" || !list[0].IsDir {
		t.Fatalf("List = %+v, %v; want only disk2, a directory", list, err)
	}
	r, err := fs.Open(ctx, "disk2/data", 0)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if err := fs.Delete(ctx, "disk2", false); err != nil {
		t.Fatalf("Delete of a link: %v", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "data")); err != nil {
		t.Errorf("deleting a link harmed its target: %v", err)
	}
}

func TestSetOwnerBestEffort(t *testing.T) {
	// Someone other than us: root may give files to nobody; anyone else
	// tries to give them to root and is refused. As root, the refusal is
	// checked too, by this test run again as nobody.
	target := "nobody"
	if os.Geteuid() != 0 {
		target = "root"
	}
	other, err := user.Lookup(target)
	if err != nil {
		t.Fatalf("no user %s: %v", target, err)
	}
	var logs strings.Builder
	fs, err := local.New(t.TempDir(), underfs.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := fs.Mkdirs(ctx, "d", 0); err != nil {
		t.Fatal(err)
	}
	before, _ := fs.GetStatus(ctx, "d")
	if err := fs.SetOwner(ctx, "d", "alluxio-no-such-user-4711", ""); err != nil {
		t.Errorf("SetOwner to an unknown user = %v; want nil", err)
	}
	if !strings.Contains(logs.String(), "unknown user") {
		t.Errorf("skipping an unknown user was not logged: %q", logs.String())
	}
	if err := fs.SetOwner(ctx, "d", other.Uid, ""); err != nil {
		t.Fatalf("SetOwner(%s) = %v; want nil either way", other.Uid, err)
	}
	after, _ := fs.GetStatus(ctx, "d")
	if os.Geteuid() == 0 {
		if after.Owner != other.Username {
			t.Errorf("as root, owner is %q after SetOwner; want %q", after.Owner, other.Username)
		}
		if os.Getenv(asNobodyEnv) == "" {
			runAsNobody(t, "TestSetOwnerBestEffort")
		}
	} else if after.Owner != before.Owner || !strings.Contains(logs.String(), "not allowed") {
		t.Errorf("as a user, owner changed to %q or the skip was not logged: %q", after.Owner, logs.String())
	}
}

// asNobodyEnv marks a run of this test binary as nobody (runAsNobody).
const asNobodyEnv = "ALLUXIO_TEST_AS_NOBODY"

// runAsNobody runs the test named test again in a copy of this test binary
// as the user nobody, and fails t if it fails there: the way a root test
// run checks what happens to an unprivileged user.
func runAsNobody(t *testing.T, test string) {
	t.Helper()
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatalf("no user nobody: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	// The go tool's build folder is root's alone: copy the binary where
	// nobody may run it.
	dir, err := os.MkdirTemp("", "alluxio-as-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "test")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), asNobodyEnv+"=1", "HOME="+dir, "GOCOVERDIR=", "TMPDIR=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("%s as nobody: %v\n%s", test, err, out)
	}
}
