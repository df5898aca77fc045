package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestFuseCallersActAsThemselves: on a mount shared with allow_other, a
// request from another local user acts for that user through
// impersonation: allowed for a user the masters let the mount's user
// impersonate (what it creates is that user's), refused with EACCES for
// anyone else, so a shared mount lends nobody the mount user's rights.
func TestFuseCallersActAsThemselves(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run commands as other uids")
	}
	m := cluster.NewMaster(t, "-Dalluxio.security.login.username=mounter",
		"-Dalluxio.master.security.impersonation.mounter.users=nobody")
	fm := mountFuse(t, m, "/", "allow_other")
	// Other users must reach the mount point through the test's folders.
	for d := filepath.Dir(fm.dir); d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	asUID := func(uid uint32, args ...string) (string, error) {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	const nobody, stranger = 65534, 64999 // a uid with no name: its user is "64999"
	m.Must("fs", "chmod", "777", "/")     // others may create at the top
	if out, err := asUID(nobody, "mkdir", fm.path("mine")); err != nil {
		t.Fatalf("mkdir as nobody: %v: %s", err, out)
	}
	if err := os.Mkdir(fm.path("root-made"), 0o755); err != nil {
		t.Fatalf("mkdir as the mounting user: %v", err)
	}
	out, err := asUID(stranger, "mkdir", fm.path("theirs"))
	if err == nil || !strings.Contains(out, "Permission denied") {
		t.Fatalf("mkdir as uid %d: %v %q, want permission denied", stranger, err, out)
	}
	c := m.Client()
	ctx := context.Background()
	for path, owner := range map[string]string{"/mine": "nobody", "/root-made": "mounter"} {
		fi, err := c.GetStatus(ctx, path, client.StatusOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if fi.Owner != owner {
			t.Errorf("%s is owned by %q, want %q", path, fi.Owner, owner)
		}
	}
	if _, err := c.GetStatus(ctx, "/theirs", client.StatusOptions{}); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the refused mkdir made /theirs: %v", err)
	}
}
