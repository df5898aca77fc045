package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestUnderStorageCopyAppearsOnlyWhenComplete: a CACHE_THROUGH file shows
// in the under storage only once the master accepts it; a file deleted
// while being written leaves nothing there that a metadata sync would bring
// back, and its writer cannot complete it (found by the chaos harness: the
// copy used to be written under the file's own name).
func TestUnderStorageCopyAppearsOnlyWhenComplete(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	ufs := filepath.Join(m.Dir, "underFSStorage")
	c := m.Client()
	ctx := context.Background()
	through := client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20}

	w, err := c.Create(ctx, "/f", through)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(randomBytes(300<<10, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(ufs, "f")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the under storage has the file before it is complete: %v", err)
	}
	if err := c.Rename(ctx, "/f", "/g"); !errors.Is(err, client.ErrPrecondition) {
		t.Fatalf("renaming a file being written: %v, want a precondition error", err)
	}
	if err := c.Delete(ctx, "/f", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("completing a deleted file: %v, want not found", err)
	}
	zero := 0 * time.Second
	if _, err := c.GetStatus(ctx, "/f", client.StatusOptions{SyncInterval: &zero}); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the deleted file came back from the under storage: %v", err)
	}

	data := randomBytes(200<<10, 2)
	writeFile(t, c, "/f", data, through)
	got, err := os.ReadFile(filepath.Join(ufs, "f"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("under storage copy after completion: %d bytes, %v", len(got), err)
	}
	entries, err := os.ReadDir(ufs)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".alluxio_ufs_tmp_") {
			t.Errorf("a temporary copy was left behind: %s", e.Name())
		}
	}
	if got := readFile(t, c, "/f", "NO_CACHE"); !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
}

// TestReaderRefusesAReplacedUnderStorageCopy: a reader that opened a file
// must not get the bytes of another file written at the same path since
// (found by the chaos harness). With nothing cached, the worker reads the
// under storage, and must notice that the copy there is not the file.
func TestReaderRefusesAReplacedUnderStorageCopy(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	c := m.Client()
	ctx := context.Background()
	through := client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20}
	old := randomBytes(300<<10, 3)
	writeFile(t, c, "/x", old, through)
	if err := c.Free(ctx, "/x", client.FreeOptions{}); err != nil {
		t.Fatal(err)
	}
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		fi, err := c.GetStatus(ctx, "/x", client.StatusOptions{})
		if err != nil {
			return false, err.Error()
		}
		return fi.InAlluxioPercent == 0, fmt.Sprintf("%d%% cached", fi.InAlluxioPercent)
	})
	r, err := c.OpenFile(ctx, "/x", client.OpenOptions{ReadType: "NO_CACHE"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := c.Delete(ctx, "/x", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, c, "/x", randomBytes(400<<10, 4), through)
	// Nothing holds the old bytes any more (no cache, its copy deleted):
	// the read must fail, and say the file is not there, rather than
	// return the new file's bytes (or a cut of them).
	got, err := io.ReadAll(r)
	if err == nil {
		t.Fatalf("the reader of the deleted file got %d bytes (the old file's: %v)", len(got), bytes.Equal(got, old))
	}
	if !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("reading the deleted file: %v, want not found", err)
	}
}

// TestLeftoverInUnderStorageGivesWay: where the namespace has listed a
// directory and has nothing at a path, a file the under storage holds
// there is a leftover (a leader deposed right after publishing a copy
// whose completion never committed; found by the chaos harness), and a
// rename or mkdir onto the path replaces it instead of failing.
func TestLeftoverInUnderStorageGivesWay(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	c := m.Client()
	ctx := context.Background()
	ufs := filepath.Join(m.Dir, "underFSStorage")
	if _, err := c.CreateDirectory(ctx, "/dir", client.CreateDirectoryOptions{WriteType: "CACHE_THROUGH"}); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(10<<10, 5)
	writeFile(t, c, "/dir/a", data, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20})
	for _, name := range []string{"b", "d"} {
		if err := os.WriteFile(filepath.Join(ufs, "dir", name), []byte("leftover"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Rename(ctx, "/dir/a", "/dir/b"); err != nil {
		t.Fatalf("rename onto a leftover: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(ufs, "dir", "b")); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("under storage copy after the rename: %d bytes, %v", len(got), err)
	}
	if _, err := c.CreateDirectory(ctx, "/dir/d", client.CreateDirectoryOptions{WriteType: "CACHE_THROUGH"}); err != nil {
		t.Fatalf("mkdir onto a leftover: %v", err)
	}
	if st, err := os.Stat(filepath.Join(ufs, "dir", "d")); err != nil || !st.IsDir() {
		t.Fatalf("under storage after the mkdir: %v, %v", st, err)
	}
}
