package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestFuseMetadataCache: with alluxio.user.metadata.cache.enabled (and the
// kernel's caches off) stat is answered from the mount's cache: a file
// deleted by another client still shows until the entry expires, while the
// mount's own changes show at once. Without the cache the deletion shows
// at once.
func TestFuseMetadataCache(t *testing.T) {
	requireFuse(t)
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	c := m.Client()
	ctx := context.Background()
	cached := mountFuse(t, m, "/", "attr_timeout=0,entry_timeout=0", "alluxio.user.metadata.cache.enabled=true",
		"alluxio.user.metadata.cache.expiration.time=10s")
	plain := mountFuse(t, m, "/", "attr_timeout=0,entry_timeout=0")

	writeFile(t, c, "/ext", []byte("abc"), client.CreateFileOptions{})
	// The entry is cached after this moment and expires 10s after that.
	statted := time.Now()
	for _, fm := range []*fuseMount{cached, plain} {
		if st, err := os.Stat(fm.path("ext")); err != nil || st.Size() != 3 {
			t.Fatalf("stat /ext: %v %v", st, err)
		}
	}
	if err := c.Delete(ctx, "/ext", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := os.Stat(plain.path("ext"))
	wantErrno(t, "stat of a deleted file without the cache", err, syscall.ENOENT)
	if _, err := os.Stat(cached.path("ext")); err != nil {
		if time.Since(statted) < 10*time.Second {
			t.Fatalf("the cache did not answer within its expiry: %v", err)
		}
		t.Skipf("the machine took %v to stat once: the cached entry expired", time.Since(statted))
	}
	testcluster.WaitFor(t, time.Minute, 100*time.Millisecond, func() (bool, string) {
		_, err := os.Stat(cached.path("ext"))
		return os.IsNotExist(err), fmt.Sprintf("stat after the expiry: %v", err)
	})
	if waited := time.Since(statted); waited < 10*time.Second {
		t.Fatalf("the cached entry went %v after it was cached, before its expiry", waited)
	}

	// The mount's own changes are seen at once.
	mustSh(t, cached.dir, "mkdir -p own/sub && echo x > own/sub/f && stat own/sub/f >/dev/null && mv own/sub own/moved")
	if _, err := os.Stat(cached.path("own/sub/f")); !os.IsNotExist(err) {
		t.Fatalf("the moved file still shows at its old path: %v", err)
	}
	if b, err := os.ReadFile(cached.path("own/moved/f")); err != nil || string(b) != "x\n" {
		t.Fatalf("the moved file: %q %v", b, err)
	}
	mustSh(t, cached.dir, "rm own/moved/f")
	if _, err := os.Stat(cached.path("own/moved/f")); !os.IsNotExist(err) {
		t.Fatalf("a file removed through the mount still shows: %v", err)
	}
	mustSh(t, cached.dir, "chmod 600 own/moved")
	if st, err := os.Stat(cached.path("own/moved")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("chmod through the mount: %v %v", st, err)
	}
	// A file made in the cached directory gives it the modification time
	// the master gave it, and keeps the rest.
	before, err := os.Stat(cached.path("own/moved"))
	if err != nil {
		t.Fatal(err)
	}
	testcluster.WaitFor(t, time.Minute, 10*time.Millisecond, func() (bool, string) {
		// The master's clock counts milliseconds: a create in the same
		// one would not show.
		return time.Since(before.ModTime()) > 5*time.Millisecond, "a new millisecond"
	})
	f, err := os.Create(cached.path("own/moved/g"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, err := os.Stat(cached.path("own/moved"))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := c.GetStatus(ctx, "/own/moved", client.StatusOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !st.ModTime().Equal(fi.Modified) || !st.ModTime().After(before.ModTime()) || st.Mode().Perm() != 0o600 {
		t.Fatalf("the directory after a create in it: mtime %v (before %v, the master's %v), mode %v",
			st.ModTime(), before.ModTime(), fi.Modified, st.Mode())
	}
}

// TestFuseLargeDirectory lists a directory of more entries than the master
// sends in one batch, with ls, Python and a rewind in the middle of a read.
func TestFuseLargeDirectory(t *testing.T) {
	requireFuse(t)
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	c := m.Client()
	ctx := context.Background()
	const n = 2600
	if _, err := c.CreateDirectory(ctx, "/big", client.CreateDirectoryOptions{}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 0; i < n; i++ {
		want = append(want, fmt.Sprintf("entry-%05d", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				if i%10 == 0 {
					if _, err := c.CreateDirectory(ctx, "/big/"+want[i], client.CreateDirectoryOptions{}); err != nil {
						errs <- err
						return
					}
					continue
				}
				info, err := c.CreateFile(ctx, "/big/"+want[i], client.CreateFileOptions{})
				if err == nil {
					_, err = c.CompleteFile(ctx, "/big/"+want[i], client.CompleteFileOptions{FileID: info.ID})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	fm := mountFuse(t, m, "/")
	if got := lines(mustSh(t, fm.dir, "ls big")); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("ls lists %d entries, want %d", len(got), n)
	}
	out := mustSh(t, fm.dir, "ls -l big | grep -c '^d'; ls -la big | head -3 | tail -2 | awk '{print $NF}'")
	if got := lines(out); len(got) != 3 || got[0] != strconv.Itoa(n/10) || got[1] != "." || got[2] != ".." {
		t.Fatalf("ls -l: %q", out)
	}
	py := mustSh(t, fm.dir, "python3 -c 'import os; print(len(os.listdir(\"big\")), sum(1 for e in os.scandir(\"big\") if e.is_dir()))'")
	if strings.TrimSpace(py) != fmt.Sprintf("%d %d", n, n/10) {
		t.Fatalf("python: %s", py)
	}
	// Part of a listing, back to the start (rewinddir), then all of it.
	d, err := os.Open(fm.path("big"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	first, err := d.Readdirnames(1500)
	if err != nil || len(first) != 1500 {
		t.Fatalf("the first 1500 names: %d %v", len(first), err)
	}
	if _, err := d.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	all, err := d.Readdirnames(-1)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(all)
	if strings.Join(all, ",") != strings.Join(want, ",") {
		t.Fatalf("after a rewind: %d names", len(all))
	}
}

// TestFuseMtimeOfAFileJustWritten: a file's modification time is its last
// write's, before the file completes (a stat answered by the mount's
// writer) and after (the master's), as POSIX has it; make and rsync
// compare them. It used to be the creation time, then the completion's.
// A time set while writing (utimens before close, as tar and cp -p do)
// is the one the file completes with.
func TestFuseMtimeOfAFileJustWritten(t *testing.T) {
	fm, c := fuseCluster(t, "64MB", "attr_timeout=0")
	ctx := context.Background()
	chunk := make([]byte, 1<<20)
	write := func(name string) *os.File {
		f, err := os.Create(fm.path(name))
		if err != nil {
			t.Fatal(err)
		}
		for range 8 {
			if _, err := f.Write(chunk); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}

	f := write("written")
	before, err := f.Stat() // the file is still open for writing: not complete
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	waitComplete(t, c, "/written")
	after, err := c.GetStatus(ctx, "/written", client.StatusOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !after.Modified.Equal(before.ModTime()) {
		t.Fatalf("modification time while written %v, once complete %v: want the same, the last write's",
			before.ModTime(), after.Modified)
	}
	if created := after.Created; after.Modified.Before(created) {
		t.Fatalf("modified %v before created %v", after.Modified, created)
	}

	set := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	g := write("stamped")
	if err := os.Chtimes(fm.path("stamped"), set, set); err != nil {
		t.Fatal(err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	waitComplete(t, c, "/stamped")
	if fi, err := c.GetStatus(ctx, "/stamped", client.StatusOptions{}); err != nil || !fi.Modified.Equal(set) {
		t.Fatalf("a time set before close: %v (%v), want %v", fi.Modified, err, set)
	}
	if st, err := os.Stat(fm.path("stamped")); err != nil || !st.ModTime().Equal(set) {
		t.Fatalf("the mount shows %v (%v), want %v", st.ModTime(), err, set)
	}

	// chmod, chown and rename change the ctime, not the modification time.
	start := time.Now().Add(-time.Minute)
	if err := os.Chmod(fm.path("stamped"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(fm.path("stamped"), fm.path("moved")); err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(fm.path("moved"), &st); err != nil {
		t.Fatal(err)
	}
	mtime, ctime := time.Unix(st.Mtim.Unix()), time.Unix(st.Ctim.Unix())
	if !mtime.Equal(set) || ctime.Before(start) {
		t.Fatalf("after chmod and rename: mtime %v (want %v), ctime %v (want now)", mtime, set, ctime)
	}
}

// TestFuseReplacedElsewhere: a file replaced by another client while the
// kernel still holds its name (long entry and attribute timeouts) and,
// with kernel_cache, its pages, reads as the new file on the next open,
// never as the old one's cached pages. The open finds that the name holds
// another file than the inode's and answers ESTALE, on which the kernel
// looks the name up again.
func TestFuseReplacedElsewhere(t *testing.T) {
	requireFuse(t)
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	c := m.Client()
	ctx := context.Background()
	mounts := map[string]*fuseMount{
		"kernel_cache": mountFuse(t, m, "/", "kernel_cache,entry_timeout=600,attr_timeout=600"),
		"default":      mountFuse(t, m, "/", "entry_timeout=600,attr_timeout=600"),
		// The mount's own cache of attributes must not bring the old
		// file back on the kernel's second lookup.
		"metadata_cache": mountFuse(t, m, "/", "kernel_cache,entry_timeout=600,attr_timeout=600",
			"alluxio.user.metadata.cache.enabled=true"),
	}
	old, replacement := randomBytes(256<<10, 31), randomBytes(256<<10, 32)
	writeFile(t, c, "/rep", old, client.CreateFileOptions{})
	for name, fm := range mounts {
		if got, err := os.ReadFile(fm.path("rep")); err != nil || !bytes.Equal(got, old) {
			t.Fatalf("%s: first read: %d bytes, %v", name, len(got), err)
		}
	}
	if err := c.Delete(ctx, "/rep", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, c, "/rep", replacement, client.CreateFileOptions{})
	for name, fm := range mounts {
		got, err := os.ReadFile(fm.path("rep"))
		if err != nil || !bytes.Equal(got, replacement) {
			t.Errorf("%s: read after the replacement: %d bytes, %v; the new file's bytes: %v, the old file's: %v",
				name, len(got), err, bytes.Equal(got, replacement), bytes.Equal(got, old))
		}
	}
}
