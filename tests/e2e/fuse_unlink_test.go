package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/alluxio-go/alluxio/client"
)

// TestFuseUnlinkWhileWriting: a file unlinked, or replaced by a rename,
// while a descriptor still writes it is gone from its name at once, as
// POSIX has it: a lookup finds nothing, a new file can take the name
// (O_EXCL), and the old descriptor's writes and close neither fail nor
// bring the old file back over the new one.
func TestFuseUnlinkWhileWriting(t *testing.T) {
	fm, c := fuseCluster(t, "64MB")
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

// TestFuseRenameOverIsAtomic: the write-aside-then-rename that editors,
// rsync and many writers of config files do. rename(2) replaces the
// destination in one step, so a reader of the name always finds the old
// file or the new one, whole, never nothing.
func TestFuseRenameOverIsAtomic(t *testing.T) {
	fm, c := fuseCluster(t, "64MB")
	ctx := context.Background()
	content := func(i int) []byte { return bytes.Repeat([]byte{'a' + byte(i%26)}, 4096) }
	if err := os.WriteFile(fm.path("conf"), content(0), 0o644); err != nil {
		t.Fatal(err)
	}
	waitComplete(t, c, "/conf") // it completes when the kernel releases it, just after close
	done := make(chan struct{})
	var failed atomic.Bool
	var reads atomic.Int64
	var wg sync.WaitGroup
	// reader runs read until the renames are done or one read fails.
	reader := func(read func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				select {
				case <-done:
					return
				default:
				}
				reads.Add(1)
				if err := read(); err != nil {
					failed.Store(true)
					t.Error(err)
				}
			}
		}()
	}
	reader(func() error { // through the mount
		b, err := os.ReadFile(fm.path("conf"))
		if err != nil || len(b) != 4096 || bytes.Count(b, b[:1]) != 4096 {
			return fmt.Errorf("read through the mount during the renames: %d bytes, %v", len(b), err)
		}
		return nil
	})
	reader(func() error { // the namespace itself, below any kernel cache
		fi, err := c.GetStatus(ctx, "/conf", client.StatusOptions{})
		if err != nil || fi.Length != 4096 {
			return fmt.Errorf("status during the renames: %v, %v", fi, err)
		}
		return nil
	})
	for i := 1; i <= 40 && !failed.Load(); i++ {
		tmp := fm.path(fmt.Sprintf(".conf.%d", i))
		if err := os.WriteFile(tmp, content(i), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, fm.path("conf")); err != nil {
			t.Fatalf("rename %d over the file: %v", i, err)
		}
	}
	close(done)
	wg.Wait()
	if b, err := os.ReadFile(fm.path("conf")); err != nil || !bytes.Equal(b, content(40)) {
		t.Fatalf("after the renames the file holds %d bytes (%v), want the last one's", len(b), err)
	}
	t.Logf("%d reads during 40 renames", reads.Load())
}

// TestFuseUnlinkedNodeIsNotTheRoot: a file unlinked while open has no
// path in Alluxio any more. A chmod or stat through its descriptor must
// not reach another inode (go-fuse gives a node without a name the mount
// root's path, and the root's mode used to change).
func TestFuseUnlinkedNodeIsNotTheRoot(t *testing.T) {
	fm, c := fuseCluster(t, "64MB")
	ctx := context.Background()
	if err := os.WriteFile(fm.path("f"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitComplete(t, c, "/f")
	f, err := os.Open(fm.path("f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	root, err := c.GetStatus(ctx, "/", client.StatusOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(fm.path("f")); err != nil {
		t.Fatal(err)
	}
	f.Chmod(0o600) // fails or not; it must not change another inode
	if st, err := f.Stat(); err == nil && st.IsDir() {
		t.Fatalf("fstat of the unlinked file gives a directory: %v", st.Mode())
	}
	after, err := c.GetStatus(ctx, "/", client.StatusOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Mode != root.Mode {
		t.Fatalf("the chmod of an unlinked file changed the root's mode from %v to %v", root.Mode, after.Mode)
	}
}

// TestFuseReadOfAReplacedFileGoesOn: a descriptor opened before its file
// was replaced by a rename over it (a checkpoint published while a job
// reads the last one) or unlinked reads the old bytes to the end, as in
// POSIX, also the blocks it had not reached yet. (How long the workers keep
// a deleted file's blocks for such readers, alluxio.master.deleted.block.
// retention, is TestDeletedBlocksStayForTheRetention's.)
func TestFuseReadOfAReplacedFileGoesOn(t *testing.T) {
	// Small blocks, no page cache: every read past the first block asks
	// a worker for a block the reader has not opened before.
	fm, _ := fuseCluster(t, "64MB", "direct_io", "alluxio.user.block.size.bytes.default=1MB")
	for _, how := range []string{"rename", "unlink"} {
		old, repl := randomBytes(6<<20, 1), randomBytes(6<<20, 2)
		name := fm.path("ckpt-" + how)
		if err := os.WriteFile(name, old, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(name) // waits for the write to complete, in this mount
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(old))
		if _, err := io.ReadFull(f, got[:1<<20]); err != nil {
			t.Fatalf("%s: first read: %v", how, err)
		}
		switch how {
		case "rename":
			if err := os.WriteFile(name+".new", repl, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(name+".new", name); err != nil {
				t.Fatal(err)
			}
		case "unlink":
			if err := os.Remove(name); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := io.ReadFull(f, got[1<<20:]); err != nil {
			t.Fatalf("%s: reading on after the file was replaced: %v", how, err)
		}
		f.Close()
		if !bytes.Equal(got, old) {
			t.Fatalf("%s: the descriptor read other bytes than the file it opened", how)
		}
	}
}
