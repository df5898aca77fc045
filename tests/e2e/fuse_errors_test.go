package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestFuseErrors checks that each failure reaches the application as the
// errno POSIX tools expect.
func TestFuseErrors(t *testing.T) {
	requireFuse(t)
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	fm := mountFuse(t, m, "/")
	c := m.Client()
	ctx := context.Background()
	mustSh(t, fm.dir, "mkdir -p d/full && echo x > d/full/f && echo y > file")

	cases := []struct {
		name string
		err  func() error
		want syscall.Errno
	}{
		{"open a missing file", func() error { _, err := os.Open(fm.path("missing")); return err }, syscall.ENOENT},
		{"mkdir an existing directory", func() error { return syscall.Mkdir(fm.path("d"), 0o755) }, syscall.EEXIST},
		{"create O_EXCL an existing file", func() error {
			_, err := syscall.Open(fm.path("file"), syscall.O_CREAT|syscall.O_EXCL|syscall.O_WRONLY, 0o644)
			return err
		}, syscall.EEXIST},
		{"rmdir a directory with files", func() error { return syscall.Rmdir(fm.path("d/full")) }, syscall.ENOTEMPTY},
		{"rename a file over a directory", func() error { return syscall.Rename(fm.path("file"), fm.path("d")) }, syscall.EISDIR},
		{"rename a directory over a file", func() error { return syscall.Rename(fm.path("d/full"), fm.path("file")) }, syscall.ENOTDIR},
		{"rename a directory over one with files", func() error {
			if err := syscall.Mkdir(fm.path("empty"), 0o755); err != nil {
				return err
			}
			return syscall.Rename(fm.path("empty"), fm.path("d"))
		}, syscall.ENOTEMPTY},
		{"open a directory for writing", func() error { _, err := syscall.Open(fm.path("d"), syscall.O_WRONLY, 0); return err }, syscall.EISDIR},
		{"mkdir below a file", func() error { return syscall.Mkdir(fm.path("file/sub"), 0o755) }, syscall.ENOTDIR},
		{"create a name of 256 bytes", func() error { _, err := os.Create(fm.path(strings.Repeat("n", 256))); return err }, syscall.ENAMETOOLONG},
		{"mkdir a name of 256 bytes", func() error { return syscall.Mkdir(fm.path(strings.Repeat("m", 256)), 0o755) }, syscall.ENAMETOOLONG},
		{"rename to a name of 300 bytes", func() error { return syscall.Rename(fm.path("file"), fm.path(strings.Repeat("r", 300))) }, syscall.ENAMETOOLONG},
		{"append to a complete file", func() error {
			_, err := os.OpenFile(fm.path("file"), os.O_WRONLY|os.O_APPEND, 0)
			return err
		}, syscall.EOPNOTSUPP},
		{"write into a complete file", func() error {
			f, err := os.OpenFile(fm.path("file"), os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt([]byte("z"), 0)
			return err
		}, syscall.EOPNOTSUPP},
		// What Alluxio does not keep: POSIX's errno for a file system
		// without it.
		{"link", func() error { return syscall.Link(fm.path("file"), fm.path("hard")) }, syscall.EPERM},
		{"symlink", func() error { return syscall.Symlink("file", fm.path("soft")) }, syscall.EPERM},
		{"mkfifo", func() error { return syscall.Mkfifo(fm.path("fifo"), 0o644) }, syscall.EPERM},
	}
	for _, tc := range cases {
		wantErrno(t, tc.name, tc.err(), tc.want)
	}
	for _, name := range []string{"hard", "soft", "fifo"} {
		if _, err := os.Lstat(fm.path(name)); !os.IsNotExist(err) {
			t.Errorf("%s after its refusal: %v", name, err)
		}
	}
	// mknod of a regular file makes an empty one.
	if err := syscall.Mknod(fm.path("node"), syscall.S_IFREG|0o640, 0); err != nil {
		t.Fatalf("mknod S_IFREG: %v", err)
	}
	if fi, err := os.Stat(fm.path("node")); err != nil || fi.Size() != 0 || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o640 {
		t.Fatalf("the file mknod made: %v %v", fi, err)
	}
	if info, err := c.GetStatus(ctx, "/node", client.StatusOptions{}); err != nil || !info.Completed {
		t.Fatalf("the file mknod made, as Alluxio has it: %+v %v", info, err)
	}
	if err := os.Remove(fm.path("node")); err != nil {
		t.Fatal(err)
	}
	// A name of 255 bytes is fine.
	long := strings.Repeat("k", 255)
	if err := os.WriteFile(fm.path(long), []byte("ok"), 0o644); err != nil {
		t.Fatalf("a name of 255 bytes: %v", err)
	}
	if b, err := os.ReadFile(fm.path(long)); err != nil || string(b) != "ok" {
		t.Fatalf("read back the 255-byte name: %q %v", b, err)
	}
	// Nothing the refused calls touched changed.
	if b, err := os.ReadFile(fm.path("file")); err != nil || string(b) != "y\n" {
		t.Fatalf("file after the refusals: %q %v", b, err)
	}

	t.Run("EXDEV across Alluxio mounts, EROFS in a read-only one, EBUSY on a mount point", func(t *testing.T) {
		other, ro := t.TempDir(), t.TempDir()
		if err := os.WriteFile(filepath.Join(ro, "kept"), []byte("r"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := c.Mount(ctx, "/other", other, client.MountOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := c.Mount(ctx, "/ro", ro, client.MountOptions{ReadOnly: true}); err != nil {
			t.Fatal(err)
		}
		wantErrno(t, "rename into another Alluxio mount", syscall.Rename(fm.path("file"), fm.path("other/file")), syscall.EXDEV)
		_, err := os.Create(fm.path("ro/new"))
		wantErrno(t, "create in a read-only mount", err, syscall.EROFS)
		wantErrno(t, "unlink in a read-only mount", syscall.Unlink(fm.path("ro/kept")), syscall.EROFS)
		wantErrno(t, "mkdir in a read-only mount", syscall.Mkdir(fm.path("ro/dir"), 0o755), syscall.EROFS)
		wantErrno(t, "rmdir of an Alluxio mount point", syscall.Rmdir(fm.path("other")), syscall.EBUSY)
		// mv falls back to copy and delete on EXDEV, as between disks.
		mustSh(t, fm.dir, "mv file other/file")
		if got := mustSh(t, fm.dir, "cat other/file; ls"); got != "y\n"+"d\nempty\n"+long+"\nother\nro\n" {
			t.Fatalf("after mv across mounts: %q", got)
		}
		fi, err := c.GetStatus(ctx, "/other/file", client.StatusOptions{})
		if err != nil || fi.UfsLocation == nil || fi.UfsLocation.MountURI != other {
			t.Fatalf("the moved file is not in the other mount: %+v %v", fi, err)
		}
		// A store in readOnly mode (fsadmin ufs --mode) is refused as a
		// read-only mount is: every local directory is the store file://.
		m.Must("fsadmin", "ufs", "--mode", "readOnly", other)
		readWrite := sync.OnceFunc(func() { m.Must("fsadmin", "ufs", "--mode", "readWrite", other) })
		t.Cleanup(readWrite) // the next subtests write, also when this one fails
		wantErrno(t, "mkdir in a store in readOnly mode", syscall.Mkdir(fm.path("other/dir"), 0o755), syscall.EROFS)
		readWrite()
		if err := syscall.Mkdir(fm.path("other/dir"), 0o755); err != nil {
			t.Fatalf("mkdir once the store is readWrite again: %v", err)
		}
	})

	t.Run("EACCES with default_permissions", func(t *testing.T) {
		// The mount point must be reachable by another user.
		base, err := os.MkdirTemp("", "fuse-perm")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(base) })
		if err := os.Chmod(base, 0o755); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() != 0 {
			t.Skip("needs root to act as another user")
		}
		mustSh(t, fm.dir, "mkdir -p private && chmod 700 private && echo s > private/secret && mkdir -p open && chmod 755 open")
		// Other users' calls act for them (impersonation), which the
		// masters allow the mount's login user.
		pm := mountFuseAt(t, m, filepath.Join(base, "mnt"), "/", "allow_other,default_permissions",
			"alluxio.security.login.username="+cluster.FuseUser)
		asNobody := func(script string) (string, error) {
			out, err := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bash", "-c", script).CombinedOutput()
			return string(out), err
		}
		if out, err := asNobody(fmt.Sprintf("cat %q", pm.path("private/secret"))); err == nil || !strings.Contains(out, "Permission denied") {
			t.Fatalf("nobody read a 700 directory: %v %s", err, out)
		}
		if out, err := asNobody(fmt.Sprintf("touch %q", pm.path("open/x"))); err == nil || !strings.Contains(out, "Permission denied") {
			t.Fatalf("nobody created in a 755 directory of root: %v %s", err, out)
		}
		if out, err := asNobody(fmt.Sprintf("ls %q", pm.path("open"))); err != nil {
			t.Fatalf("nobody could not list a 755 directory: %v %s", err, out)
		}
	})

	t.Run("ENOSPC when the cache is full", func(t *testing.T) {
		sm := mountFuse(t, m, "/", "alluxio.user.file.writetype.default=MUST_CACHE")
		out, code := sh(t, sm.dir, "dd if=/dev/zero of=huge bs=1M count=200 status=none")
		if code == 0 || !strings.Contains(out, "No space left on device") {
			t.Fatalf("200 MB into a 64 MB cache: exit %d: %s", code, out)
		}
		// The failed file goes once its handle is released, and the
		// mount still works.
		testcluster.WaitFor(t, 30*time.Second, 20*time.Millisecond, func() (bool, string) {
			_, err := os.Stat(sm.path("huge"))
			return os.IsNotExist(err), fmt.Sprintf("the failed file remains: stat says %v", err)
		})
		mustSh(t, sm.dir, "echo small > small && cat small")
	})
}

// mountFuseAt is mountFuse at a given mount point.
func mountFuseAt(t testing.TB, m *cluster.Master, dir, alluxioPath string, opts ...string) *fuseMount {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return startFuse(t, m, dir, alluxioPath, opts...)
}
