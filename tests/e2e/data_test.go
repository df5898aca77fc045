package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func writeFile(t *testing.T, c *client.FileSystem, path string, data []byte, o client.CreateFileOptions) {
	t.Helper()
	w, err := c.Create(context.Background(), path, o)
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close %s: %v", path, err)
	}
}

// writeRepeated writes chunk over and over, size bytes in all, as the file
// path with options o: the large files of the benchmarks.
func writeRepeated(tb testing.TB, c *client.FileSystem, path string, o client.CreateFileOptions, chunk []byte, size int) {
	tb.Helper()
	fw, err := c.Create(context.Background(), path, o)
	if err != nil {
		tb.Fatalf("create %s: %v", path, err)
	}
	for n := 0; n < size; n += len(chunk) {
		if _, err := fw.Write(chunk); err != nil {
			tb.Fatalf("write %s: %v", path, err)
		}
	}
	if err := fw.Close(); err != nil {
		tb.Fatalf("close %s: %v", path, err)
	}
}

func readFile(t *testing.T, c *client.FileSystem, path, readType string) []byte {
	t.Helper()
	r, err := c.OpenFile(context.Background(), path, client.OpenOptions{ReadType: readType})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return b
}

// waitPersisted polls until path is PERSISTED.
func waitPersisted(t *testing.T, c *client.FileSystem, path string) {
	t.Helper()
	testcluster.WaitFor(t, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		fi, err := c.GetStatus(context.Background(), path, client.StatusOptions{})
		if err != nil {
			return false, err.Error()
		}
		return fi.PersistenceState == "PERSISTED", "state " + fi.PersistenceState
	})
}

// TestWriteTypesTimesReadTypes round-trips a file of several blocks through
// every write type and every read type.
func TestWriteTypesTimesReadTypes(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	c := m.Client()
	data := randomBytes(3<<20+12345, 1)
	want := md5hex(data)
	persisted := map[string]string{"MUST_CACHE": "NOT_PERSISTED", "CACHE_THROUGH": "PERSISTED", "THROUGH": "PERSISTED", "ASYNC_THROUGH": "PERSISTED"}
	for _, wt := range []string{"MUST_CACHE", "CACHE_THROUGH", "THROUGH", "ASYNC_THROUGH"} {
		for _, rt := range []string{"NO_CACHE", "CACHE", "CACHE_PROMOTE"} {
			path := fmt.Sprintf("/rt/%s-%s", wt, rt)
			writeFile(t, c, path, data, client.CreateFileOptions{WriteType: wt, BlockSize: 1 << 20, Recursive: true})
			if got := md5hex(readFile(t, c, path, rt)); got != want {
				t.Errorf("%s: content md5 %s, want %s", path, got, want)
			}
			if wt == "ASYNC_THROUGH" {
				waitPersisted(t, c, path)
			}
			fi, err := c.GetStatus(context.Background(), path, client.StatusOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if fi.PersistenceState != persisted[wt] || len(fi.Blocks) != 4 {
				t.Errorf("%s: state %s with %d blocks, want %s with 4", path, fi.PersistenceState, len(fi.Blocks), persisted[wt])
			}
			if wt != "THROUGH" && fi.InAlluxioPercent != 100 {
				t.Errorf("%s: %d%% in Alluxio, want 100%%", path, fi.InAlluxioPercent)
			}
			if wt != "MUST_CACHE" {
				onDisk, err := os.ReadFile(filepath.Join(m.Dir, "underFSStorage", "rt", wt+"-"+rt))
				if err != nil || md5hex(onDisk) != want {
					t.Errorf("%s: under storage copy wrong (%v)", path, err)
				}
			}
		}
	}
	out := m.Must("fs", "checksum", "/rt/CACHE_THROUGH-CACHE")
	if !strings.Contains(out, want) {
		t.Errorf("fs checksum printed %q, want md5 %s", out, want)
	}
}

// TestLargeFileThroughCLI copies a 200 MiB file of several 64 MiB blocks in
// and out with the CLI.
func TestLargeFileThroughCLI(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "512MB")
	local := filepath.Join(t.TempDir(), "big")
	data := randomBytes(200<<20, 2)
	if err := os.WriteFile(local, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m.Must("fs", "copyFromLocal", "--writeType", "CACHE_THROUGH", local, "/big")
	back := filepath.Join(t.TempDir(), "back")
	m.Must("fs", "copyToLocal", "/big", back)
	got, err := os.ReadFile(back)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("copy back differs (%v)", err)
	}
	fi, err := m.Client().GetStatus(context.Background(), "/big", client.StatusOptions{})
	if err != nil || len(fi.Blocks) != 4 {
		t.Fatalf("status %+v, %v: want 4 blocks", fi, err)
	}
}

// TestEvictionKeepsPinnedFiles fills a small cache: older blocks are
// evicted, the pinned file stays, and everything still reads correctly.
func TestEvictionKeepsPinnedFiles(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	w := cluster.StartWorker(t, m, "worker", "6MB")
	c := m.Client()
	pinned := randomBytes(2<<20, 3)
	writeFile(t, c, "/pinned", pinned, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20})
	m.Must("fs", "pin", "/pinned")
	// The pin reaches the worker with a heartbeat answer.
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		n := w.Metric(t, "alluxio_worker_protected_files")
		return n == 1, fmt.Sprintf("worker protects %v files", n)
	})
	var files [][]byte
	for i := 0; i < 10; i++ {
		d := randomBytes(1<<20, uint64(10+i))
		files = append(files, d)
		writeFile(t, c, fmt.Sprintf("/f%d", i), d, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20})
	}
	fi, err := c.GetStatus(context.Background(), "/pinned", client.StatusOptions{})
	if err != nil || fi.InAlluxioPercent != 100 {
		t.Fatalf("pinned file: %v%% in Alluxio (%v), want 100", fi.InAlluxioPercent, err)
	}
	evicted := 0
	for i := range files {
		fi, err := c.GetStatus(context.Background(), fmt.Sprintf("/f%d", i), client.StatusOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if fi.InAlluxioPercent == 0 {
			evicted++
		}
	}
	if evicted == 0 {
		t.Fatal("nothing was evicted from a 6MB cache holding 12MB")
	}
	for i, d := range files {
		if got := readFile(t, c, fmt.Sprintf("/f%d", i), "NO_CACHE"); !bytes.Equal(got, d) {
			t.Fatalf("/f%d reads wrong after eviction", i)
		}
	}
	if got := readFile(t, c, "/pinned", "NO_CACHE"); !bytes.Equal(got, pinned) {
		t.Fatal("pinned file reads wrong")
	}
}

// TestWorkerKill9KeepsCache restarts a worker after kill -9: its blocks are
// found again and reads are served from the cache, not the under storage.
func TestWorkerKill9KeepsCache(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	w := cluster.StartWorker(t, m, "worker", "64MB")
	c := m.ClientWith(client.Config{NoShortCircuit: true})
	data := randomBytes(5<<20, 4)
	writeFile(t, c, "/cached", data, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20})
	w.Proc.Kill()
	w.Proc.Restart(t)
	w.WaitRegistered()
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		fi, err := c.GetStatus(context.Background(), "/cached", client.StatusOptions{})
		if err != nil {
			return false, err.Error()
		}
		return fi.InAlluxioPercent == 100, fmt.Sprintf("%d%% in Alluxio", fi.InAlluxioPercent)
	})
	if got := readFile(t, c, "/cached", "CACHE"); !bytes.Equal(got, data) {
		t.Fatal("content differs after worker restart")
	}
	if ufs := w.Metric(t, "alluxio_worker_bytes_read_ufs_total"); ufs != 0 {
		t.Fatalf("the restarted worker read %v bytes from the under storage; want cache hits only", ufs)
	}
	if hit := w.Metric(t, "alluxio_worker_bytes_read_cache_total"); hit != float64(len(data)) {
		t.Fatalf("cache served %v bytes, want %d", hit, len(data))
	}
}

// TestAsyncPersistSurvivesWorkerRestart kills the worker right after an
// ASYNC_THROUGH write, before the file is persisted: the persist still
// happens once it is back. A kill that comes after the persist proves
// nothing, so the write is tried again (a few times) until the kill comes
// first.
func TestAsyncPersistSurvivesWorkerRestart(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	w := cluster.StartWorker(t, m, "worker", "64MB")
	c := m.Client()
	for try := 0; ; try++ {
		if try == 5 {
			t.Fatal("every ASYNC_THROUGH file was persisted before the worker could be killed")
		}
		data := randomBytes(3<<20, uint64(5+try))
		path := fmt.Sprintf("/async%d", try)
		writeFile(t, c, path, data, client.CreateFileOptions{WriteType: "ASYNC_THROUGH", BlockSize: 1 << 20})
		w.Proc.Kill()
		fi, err := c.GetStatus(context.Background(), path, client.StatusOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w.Proc.Restart(t)
		w.WaitRegistered()
		if fi.PersistenceState == "PERSISTED" {
			t.Logf("%s was persisted before the kill; again", path)
			continue
		}
		if fi.PersistenceState != "TO_BE_PERSISTED" {
			t.Fatalf("%s when the worker died: %s, want TO_BE_PERSISTED", path, fi.PersistenceState)
		}
		waitPersisted(t, c, path)
		onDisk, err := os.ReadFile(filepath.Join(m.UFS(), path[1:]))
		if err != nil || !bytes.Equal(onDisk, data) {
			t.Fatalf("persisted copy differs (%v)", err)
		}
		return
	}
}

// TestReadLoadsUnderStorageFile reads a file written straight into the
// under storage: it appears, reads right, and is cached by the read.
func TestReadLoadsUnderStorageFile(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	data := randomBytes(2<<20+7, 6)
	if err := os.WriteFile(filepath.Join(m.Dir, "underFSStorage", "outside.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := m.Client()
	if got := readFile(t, c, "/outside.bin", "CACHE"); !bytes.Equal(got, data) {
		t.Fatal("content of the under storage file differs")
	}
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		fi, err := c.GetStatus(context.Background(), "/outside.bin", client.StatusOptions{})
		if err != nil {
			return false, err.Error()
		}
		return fi.InAlluxioPercent == 100, fmt.Sprintf("%d%% cached", fi.InAlluxioPercent)
	})
}

func TestMustCacheLargerThanCacheIsAClearError(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "2MB")
	w, err := m.Client().Create(context.Background(), "/too-big", client.CreateFileOptions{WriteType: "MUST_CACHE", BlockSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Write(randomBytes(5<<20, 7))
	if err == nil {
		err = w.Close()
	} else {
		w.Cancel()
	}
	if !errors.Is(err, client.ErrNoSpace) {
		t.Fatalf("MUST_CACHE of 5MB into 2MB: %v, want no space", err)
	}
	fi, err := m.Client().GetStatus(context.Background(), "/too-big", client.StatusOptions{})
	if err == nil && fi.Completed {
		t.Fatal("a failed write left a complete file")
	}
}

// TestIOFS checks the client's io/fs.FS view with the standard library's
// own conformance test.
func TestIOFS(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	c := m.Client()
	files := map[string][]byte{"/fsys/a.txt": []byte("alpha"), "/fsys/dir/b.bin": randomBytes(3<<20, 8), "/fsys/dir/sub/c": nil}
	for p, d := range files {
		writeFile(t, c, p, d, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20, Recursive: true})
	}
	fsys, err := fs.Sub(c.FS(context.Background()), "fsys")
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(fsys, "a.txt", "dir/b.bin", "dir/sub/c"); err != nil {
		t.Fatal(err)
	}
}
