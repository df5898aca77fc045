package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/inproc"
)

func readAll(t *testing.T, fs *client.FileSystem, p string) []byte {
	t.Helper()
	r, err := fs.OpenFile(context.Background(), p, client.OpenOptions{})
	if err != nil {
		t.Fatalf("open %s: %v", p, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	return b
}

func writeLocal(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// recorder keeps the CopyEvents a copy reports.
type recorder struct{ events []client.CopyEvent }

func (r *recorder) opts(o client.CopyOptions) client.CopyOptions {
	o.Progress = func(e client.CopyEvent) { r.events = append(r.events, e) }
	return o
}

// TestCopyRoundTrip copies a local tree into Alluxio, within Alluxio and
// back out, through small buffers and blocks (1 MiB), and compares every
// byte and every reported file.
func TestCopyRoundTrip(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	fs := c.Client()
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "tree")
	big := bytes.Repeat([]byte("0123456789abcdef"), 200_000) // 3.2 MB: four blocks
	files := map[string][]byte{"a.txt": []byte("hello"), "sub/b.bin": big, "sub/deeper/empty": nil}
	for rel, data := range files {
		writeLocal(t, filepath.Join(src, filepath.FromSlash(rel)), data)
	}
	if _, err := fs.CreateDirectory(ctx, "/in", client.CreateDirectoryOptions{}); err != nil {
		t.Fatal(err)
	}
	var rec recorder
	// /in exists: the tree lands inside it, as /in/tree.
	if err := fs.CopyFromLocal(ctx, src, "/in", rec.opts(client.CopyOptions{Recursive: true, BufferSize: 4096})); err != nil {
		t.Fatal(err)
	}
	for rel, data := range files {
		if got := readAll(t, fs, "/in/tree/"+rel); !bytes.Equal(got, data) {
			t.Fatalf("/in/tree/%s: %d bytes, want %d", rel, len(got), len(data))
		}
	}
	var copied []string
	for _, e := range rec.events {
		if e.Skipped != "" {
			t.Errorf("skipped %+v", e)
		}
		copied = append(copied, e.Src+" -> "+e.Dst)
	}
	slices.Sort(copied)
	want := []string{
		filepath.Join(src, "a.txt") + " -> /in/tree/a.txt",
		filepath.Join(src, "sub", "b.bin") + " -> /in/tree/sub/b.bin",
		filepath.Join(src, "sub", "deeper", "empty") + " -> /in/tree/sub/deeper/empty",
	}
	if !slices.Equal(copied, want) {
		t.Fatalf("reported %v, want %v", copied, want)
	}

	// Within Alluxio, to a new name.
	if err := fs.Copy(ctx, "/in/tree", "/copy", client.CopyOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, fs, "/copy/sub/b.bin"); !bytes.Equal(got, big) {
		t.Fatalf("/copy/sub/b.bin differs")
	}
	// Back out, into an existing local directory.
	out := t.TempDir()
	if err := fs.CopyToLocal(ctx, "/copy", out, client.CopyOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}
	for rel, data := range files {
		got, err := os.ReadFile(filepath.Join(out, "copy", filepath.FromSlash(rel)))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("local copy of %s: %d bytes, %v", rel, len(got), err)
		}
	}
	// No temporary file is left beside the copies.
	leftovers, _ := filepath.Glob(filepath.Join(out, "copy", "sub", ".*copying*"))
	if len(leftovers) > 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}

// TestCopyRefusals: each refusal names what was wrong and changes nothing.
func TestCopyRefusals(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	fs := c.Client()
	ctx := context.Background()
	dir := t.TempDir()
	writeLocal(t, filepath.Join(dir, "d", "f"), []byte("x"))
	if err := fs.CopyFromLocal(ctx, filepath.Join(dir, "d"), "/d", client.CopyOptions{}); !errors.Is(err, client.ErrIsDirectory) {
		t.Fatalf("a local directory without Recursive: %v", err)
	}
	if _, err := fs.GetStatus(ctx, "/d", client.StatusOptions{}); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("a refused copy created /d: %v", err)
	}
	if err := fs.CopyFromLocal(ctx, filepath.Join(dir, "d"), "/d", client.CopyOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}
	if err := fs.Copy(ctx, "/d", "/d/inside", client.CopyOptions{Recursive: true}); !errors.Is(err, client.ErrInvalidArg) ||
		!strings.Contains(err.Error(), "into itself") {
		t.Fatalf("copy into itself: %v", err)
	}
	if _, err := fs.GetStatus(ctx, "/d/inside", client.StatusOptions{}); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("a refused copy created /d/inside: %v", err)
	}
	if err := fs.Copy(ctx, "/d", "/e", client.CopyOptions{}); !errors.Is(err, client.ErrIsDirectory) {
		t.Fatalf("an Alluxio directory without Recursive: %v", err)
	}
	// An existing local file is never overwritten.
	existing := filepath.Join(dir, "f")
	writeLocal(t, existing, []byte("mine"))
	if err := fs.CopyToLocal(ctx, "/d/f", existing, client.CopyOptions{}); !errors.Is(err, client.ErrAlreadyExists) {
		t.Fatalf("copy over a local file: %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "mine" {
		t.Fatalf("the local file was changed to %q", b)
	}
}

// failingReader gives some bytes, then an error.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("source broke")
	}
	k := min(len(p), r.n)
	r.n -= k
	return k, nil
}

// TestCreateFromLeavesNothingOnFailure: a source that fails half-way
// leaves no file, complete or incomplete, under the name.
func TestCreateFromLeavesNothingOnFailure(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	fs := c.Client()
	ctx := context.Background()
	err := fs.CreateFrom(ctx, "/half", &failingReader{n: 3 << 20}, client.CopyOptions{})
	if err == nil || !strings.Contains(err.Error(), "source broke") {
		t.Fatalf("CreateFrom of a failing source: %v", err)
	}
	if _, err := fs.GetStatus(ctx, "/half", client.StatusOptions{}); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("a failed copy left /half: %v", err)
	}
	if err := fs.CreateFrom(ctx, "/whole", strings.NewReader("all of it"), client.CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, fs, "/whole"); string(got) != "all of it" {
		t.Fatalf("/whole holds %q", got)
	}
}

// TestWaitFreedAndPersisted: Free plus WaitFreed leaves no block cached;
// Persist plus WaitPersisted returns once the worker has copied the file,
// reporting it once; both give up with the context.
func TestWaitFreedAndPersisted(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	fs := c.Client()
	ctx := context.Background()
	data := bytes.Repeat([]byte{7}, 3<<20)
	if err := fs.CreateFrom(ctx, "/dir/f", bytes.NewReader(data), client.CopyOptions{WriteType: "MUST_CACHE"}); err != nil {
		t.Fatal(err)
	}
	fi, err := fs.GetStatus(ctx, "/dir/f", client.StatusOptions{})
	if err != nil || fi.Persisted || fi.InAlluxioPercent != 100 {
		t.Fatalf("before: %+v, %v", fi, err)
	}
	// Nothing persisted yet: the wait ends with the context.
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	err = fs.WaitPersisted(short, []string{"/dir/f"}, nil)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "/dir/f") {
		t.Fatalf("WaitPersisted of an unpersisted file: %v", err)
	}
	if err := fs.Persist(ctx, "/dir/f"); err != nil {
		t.Fatal(err)
	}
	var reported []string
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := fs.WaitPersisted(wctx, []string{"/dir/f"}, func(f *client.FileInfo) { reported = append(reported, f.Path) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(reported, []string{"/dir/f"}) {
		t.Fatalf("reported %v", reported)
	}
	if st, err := os.Stat(filepath.Join(c.UFS, "dir", "f")); err != nil || st.Size() != int64(len(data)) {
		t.Fatalf("under storage copy: %v, %v", st, err)
	}
	if err := fs.Free(ctx, "/dir", client.FreeOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}
	if err := fs.WaitFreed(wctx, "/dir", client.FreeOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}
	fi, err = fs.GetStatus(ctx, "/dir/f", client.StatusOptions{})
	if err != nil || fi.InAlluxioPercent != 0 {
		t.Fatalf("after WaitFreed: %d%% in Alluxio, %v", fi.InAlluxioPercent, err)
	}
	// The data is still there, read back from the under storage.
	if got := readAll(t, fs, "/dir/f"); !bytes.Equal(got, data) {
		t.Fatal("freed file reads back different")
	}
}
