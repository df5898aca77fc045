package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// dump is a canonical text of the whole namespace and the mount table: every
// field the master keeps for every inode.
func dump(t testing.TB, c *client.FileSystem) string {
	t.Helper()
	ctx := context.Background()
	never := time.Duration(-1)
	list, err := c.ListStatus(ctx, "/", true, client.StatusOptions{SyncInterval: &never, LoadType: "NEVER"})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	var b strings.Builder
	for _, f := range list {
		fmt.Fprintf(&b, "%s id=%d dir=%v len=%d bs=%d done=%v pin=%v persist=%s ttl=%v/%s own=%s:%s mode=%o mp=%v ctime=%d mtime=%d blocks=%v\n",
			f.Path, f.ID, f.IsDir, f.Length, f.BlockSize, f.Completed, f.Pinned, f.PersistenceState, f.TTL, f.TTLAction,
			f.Owner, f.Group, f.Mode, f.MountPoint, f.Created.UnixMilli(), f.Modified.UnixMilli(), f.BlockIDs)
	}
	mounts, err := c.MountTable(ctx)
	if err != nil {
		t.Fatalf("mount table: %v", err)
	}
	for _, mp := range mounts {
		fmt.Fprintf(&b, "mount %s -> %s ro=%v\n", mp.AlluxioPath, mp.UfsURI, mp.ReadOnly)
	}
	return b.String()
}

// buildNamespace makes a namespace through the CLI that touches every kind
// of journal entry.
func buildNamespace(t testing.TB, m *cluster.Master, prefix string) {
	t.Helper()
	ufs := filepath.Join(m.Dir, "extra-ufs-"+strings.Trim(prefix, "/"))
	if err := os.MkdirAll(filepath.Join(ufs, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ufs, "sub", "data.csv"), []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m.Must("fs", "mkdir", "-p", prefix+"/a/b/c", prefix+"/x")
	m.Must("fs", "touch", prefix+"/a/f1")
	m.Must("fs", "touch", prefix+"/a/b/f2")
	m.Must("fs", "chmod", "700", prefix+"/a/f1")
	m.Must("fs", "chmod", "750", prefix+"/a")
	m.Must("fs", "chown", "alice:staff", prefix+"/a/b")
	m.Must("fs", "pin", prefix+"/a/b/f2")
	m.Must("fs", "setTtl", "--action", "delete", prefix+"/x", "1000h")
	m.Must("fs", "mv", prefix+"/a/b/c", prefix+"/x/c")
	m.Must("fs", "touch", prefix+"/gone")
	m.Must("fs", "rm", prefix+"/gone")
	m.Must("fs", "mount", prefix+"/mnt", ufs)
	m.Must("fs", "ls", "-R", prefix+"/mnt") // loads sub/data.csv from the under storage

	// The commands did what they say, in the namespace and in the under
	// storage, not only exited 0.
	c := m.Client()
	stat := func(p string) *client.FileInfo {
		t.Helper()
		fi, err := c.GetStatus(context.Background(), p, client.StatusOptions{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return fi
	}
	if fi := stat(prefix + "/a/f1"); fi.Mode.Perm() != 0o700 {
		t.Errorf("chmod 700 %s/a/f1: mode %o", prefix, fi.Mode.Perm())
	}
	if fi := stat(prefix + "/a"); fi.Mode.Perm() != 0o750 {
		t.Errorf("chmod 750 %s/a: mode %o", prefix, fi.Mode.Perm())
	}
	if st, err := os.Stat(filepath.Join(m.UFS(), prefix, "a")); err != nil || st.Mode().Perm() != 0o750 {
		t.Errorf("chmod 750 %s/a: the under storage directory is %v (%v)", prefix, st.Mode(), err)
	}
	if fi := stat(prefix + "/a/b"); fi.Owner != "alice" || fi.Group != "staff" {
		t.Errorf("chown alice:staff %s/a/b: owner %s:%s", prefix, fi.Owner, fi.Group)
	}
	if fi := stat(prefix + "/a/b/f2"); !fi.Pinned {
		t.Errorf("pin %s/a/b/f2: not pinned", prefix)
	}
	if fi := stat(prefix + "/x"); fi.TTL != 1000*time.Hour || fi.TTLAction != "DELETE" {
		t.Errorf("setTtl --action delete %s/x 1000h: ttl %v, action %s", prefix, fi.TTL, fi.TTLAction)
	}
	if fi := stat(prefix + "/mnt/sub/data.csv"); fi.Length != 8 || !fi.Completed {
		t.Errorf("the mounted file: %d bytes, complete %v", fi.Length, fi.Completed)
	}
}
