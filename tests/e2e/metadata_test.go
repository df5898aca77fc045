package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestUnderStorageSync: what appears in or vanishes from the under storage
// shows in Alluxio listings when a sync is asked for (ls -f), not before,
// with the default load type ONCE; a file asked for by name is loaded.
func TestUnderStorageSync(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	ufs := filepath.Join(m.Dir, "underFSStorage")
	os.WriteFile(filepath.Join(ufs, "first.txt"), []byte("1"), 0o644)
	if out := m.Must("fs", "ls", "/"); !strings.Contains(out, "/first.txt") {
		t.Fatalf("a file in the under storage is not loaded on first listing:\n%s", out)
	}
	os.WriteFile(filepath.Join(ufs, "later.txt"), []byte("22"), 0o644)
	if out := m.Must("fs", "ls", "/"); strings.Contains(out, "/later.txt") {
		t.Fatalf("load type ONCE listed a file added after the first load:\n%s", out)
	}
	if out := m.Must("fs", "ls", "-f", "/"); !strings.Contains(out, "/later.txt") {
		t.Fatalf("ls -f did not sync the new file:\n%s", out)
	}
	// Not listed, but loaded when asked for by name (Alluxio's ONCE).
	os.WriteFile(filepath.Join(ufs, "byname.txt"), []byte("333"), 0o644)
	if out := m.Must("fs", "ls", "/"); strings.Contains(out, "/byname.txt") {
		t.Fatalf("load type ONCE listed a file added after the first load:\n%s", out)
	}
	if out := m.Must("fs", "ls", "/byname.txt"); !strings.Contains(out, " 3 ") {
		t.Fatalf("ls by name of a file added to a listed directory:\n%s", out)
	}
	if out := m.Must("fs", "ls", "/"); !strings.Contains(out, "/byname.txt") {
		t.Fatalf("a file loaded by name is not listed:\n%s", out)
	}
	os.Remove(filepath.Join(ufs, "first.txt"))
	if out := m.Must("fs", "ls", "-f", "/"); strings.Contains(out, "/first.txt") {
		t.Fatalf("ls -f kept a file deleted from the under storage:\n%s", out)
	}
}

// TestTTLDeletesExpiredFiles lets the TTL checker act on a short TTL.
func TestTTLDeletesExpiredFiles(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	m.Extra = append(m.Extra, "-Dalluxio.master.ttl.checker.interval=200ms")
	m.Proc.Kill()
	m.Proc = testcluster.Start(t, "master-ttl", m.Bin, append([]string{"master"}, m.Defines()...), m.Env())
	m.WaitLeader()
	m.Must("fs", "mkdir", "/ttl")
	m.Must("fs", "touch", "/ttl/short")
	m.Must("fs", "touch", "/ttl/kept")
	m.Must("fs", "setTtl", "--action", "delete", "/ttl/short", "500ms")
	c := m.Client()
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		_, err := c.GetStatus(context.Background(), "/ttl/short", client.StatusOptions{})
		return err != nil, "the expired file is still there"
	})
	if _, err := c.GetStatus(context.Background(), "/ttl/kept", client.StatusOptions{}); err != nil {
		t.Fatalf("a file without TTL went too: %v", err)
	}
}
