package e2e

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestFuseUnlinkWhileWriting: a file unlinked, or replaced by a rename,
// while a descriptor still writes it is gone from its name at once, as
// POSIX has it: a lookup finds nothing, a new file can take the name
// (O_EXCL), and the old descriptor's writes and close neither fail nor
// bring the old file back over the new one.
func TestFuseUnlinkWhileWriting(t *testing.T) {
	requireFuse(t)
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	fm := mountFuse(t, m, "/")
	c := m.Client()
	ctx := context.Background()

	old, err := os.OpenFile(fm.path("f"), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Write([]byte("old bytes")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(fm.path("f")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fm.path("f")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stat of the unlinked name: %v, want ENOENT", err)
	}
	if err := os.WriteFile(fm.path("g"), []byte("other"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh, err := os.OpenFile(fm.path("f"), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatalf("a new file under the unlinked name: %v", err)
	}
	if _, err := old.Write([]byte(" and more")); err != nil {
		t.Fatalf("a write to the unlinked file: %v", err)
	}
	if err := old.Close(); err != nil {
		t.Fatalf("close of the unlinked file: %v", err)
	}
	if _, err := fresh.Write([]byte("new")); err != nil {
		t.Fatal(err)
	}
	// Replaced by a rename while written: the same.
	other, err := os.OpenFile(fm.path("h"), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Write([]byte("replaced")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(fm.path("g"), fm.path("h")); err != nil {
		t.Fatalf("rename over a file being written: %v", err)
	}
	if err := other.Close(); err != nil {
		t.Fatalf("close of the replaced file: %v", err)
	}
	if err := fresh.Close(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"/f": "new", "/h": "other"} {
		waitComplete(t, c, name)
		if got := string(readAll(t, c, name)); got != want {
			t.Fatalf("%s holds %q, want %q", name, got, want)
		}
	}
	if _, err := c.GetStatus(ctx, "/g", client.StatusOptions{}); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("/g after its rename: %v", err)
	}
}
