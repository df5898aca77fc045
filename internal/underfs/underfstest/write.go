package underfstest

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

func testCreateAndRead(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	const data = "hello, under storage"
	w, err := u.Create(ctx, "f", underfs.CreateOptions{Perm: 0o640})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := io.WriteString(w, data); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if exists(t, u, "f") {
		t.Error("file visible before its writer was closed")
	}
	if got := names(mustList(t, u, "")); len(got) != 0 {
		t.Errorf("List shows %q while a file is being written; want nothing", got)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	st := mustStat(t, u, "f")
	if st.Name != "f" || st.IsDir || st.Length != int64(len(data)) || !modeIs(u, st.Mode, 0o640) || !recent(st.ModTime) {
		t.Errorf("GetStatus = %+v; want file f, %d bytes, mode 0640, modified now", st, len(data))
	}
	for _, off := range []int64{0, 7, int64(len(data)), int64(len(data)) + 10} {
		want := ""
		if off < int64(len(data)) {
			want = data[off:]
		}
		if got := mustRead(t, u, "f", off); got != want {
			t.Errorf("read from %d = %q; want %q", off, got, want)
		}
	}
	_, err = u.Open(ctx, "f", -1)
	wantErr(t, err, errs.ErrInvalidArg, "Open at a negative offset")
	_, err = u.Open(ctx, "missing", 0)
	wantErr(t, err, errs.ErrNotFound, "Open of a missing file")
	mustMkdirs(t, u, "d", 0)
	_, err = u.Open(ctx, "d", 0)
	wantErr(t, err, errs.ErrIsDirectory, "Open of a directory")
	_, err = u.Open(ctx, "", 0)
	wantErr(t, err, errs.ErrIsDirectory, "Open of the root")
	_, err = u.GetStatus(ctx, "missing")
	wantErr(t, err, errs.ErrNotFound, "GetStatus of a missing file")

	mustWriteOpts(t, u, "default", "x", underfs.CreateOptions{})
	if st := mustStat(t, u, "default"); !modeIs(u, st.Mode, underfs.DefaultFilePerm) {
		t.Errorf("mode with Perm 0 = %v; want %v", st.Mode, underfs.DefaultFilePerm)
	}
}

func testCreateEmptyAndLarge(t T, u underfs.UnderFileSystem) {
	mustWrite(t, u, "empty", "")
	if st := mustStat(t, u, "empty"); st.Length != 0 || st.IsDir {
		t.Errorf("empty file status = %+v", st)
	}
	if got := mustRead(t, u, "empty", 0); got != "" {
		t.Errorf("empty file reads %q", got)
	}

	big := make([]byte, 3<<20+123)
	_, _ = rand.Read(big)
	w, err := u.Create(t.Context(), "big", underfs.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for rest := big; len(rest) > 0; {
		n := min(len(rest), 64<<10+7)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatalf("Write: %v", err)
		}
		rest = rest[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := mustRead(t, u, "big", 1<<20); got != string(big[1<<20:]) {
		t.Errorf("read back %d bytes from 1 MiB; want %d matching", len(got), len(big)-1<<20)
	}
	// Readers may offer random access; if they do, it must work.
	r, err := u.Open(t.Context(), "big", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if ra, ok := r.(io.ReaderAt); ok {
		buf := make([]byte, 100)
		if n, err := ra.ReadAt(buf, 2<<20); n != 100 || err != nil || !bytes.Equal(buf, big[2<<20:2<<20+100]) {
			t.Errorf("ReadAt = %d, %v; want 100 matching bytes", n, err)
		}
	}
	if s, ok := r.(io.Seeker); ok {
		if _, err := s.Seek(int64(len(big)-10), io.SeekStart); err != nil {
			t.Fatalf("Seek: %v", err)
		}
		if rest, err := io.ReadAll(r); err != nil || !bytes.Equal(rest, big[len(big)-10:]) {
			t.Errorf("read after Seek = %d bytes, %v; want the last 10", len(rest), err)
		}
	}
}

func testCreateErrors(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustWrite(t, u, "f", "old")
	mustMkdirs(t, u, "d", 0)
	tests := []struct {
		path     string
		opts     underfs.CreateOptions
		sentinel error
		what     string
	}{
		{"f", underfs.CreateOptions{}, errs.ErrAlreadyExists, "over a file without Overwrite"},
		{"d", underfs.CreateOptions{Overwrite: true}, errs.ErrIsDirectory, "over a directory"},
		{"", underfs.CreateOptions{Overwrite: true}, errs.ErrIsDirectory, "at the root"},
		{"missing/f", underfs.CreateOptions{}, errs.ErrNotFound, "with a missing parent"},
		{"f/g", underfs.CreateOptions{}, errs.ErrNotDirectory, "below a file"},
		{"g", underfs.CreateOptions{Perm: 0o644 | 1<<31}, errs.ErrInvalidArg, "with a non-permission mode bit"},
	}
	for _, tt := range tests {
		w, err := u.Create(ctx, tt.path, tt.opts)
		if err == nil {
			_ = w.Cancel()
		}
		wantErr(t, err, tt.sentinel, "Create "+tt.what)
	}
	if got := mustRead(t, u, "f", 0); got != "old" {
		t.Errorf("refused creates changed f to %q", got)
	}
	if exists(t, u, "missing") {
		t.Error("Create without CreateParents made the parent")
	}
}

func testCreateParents(t T, u underfs.UnderFileSystem) {
	mustWriteOpts(t, u, "x/y/z", "deep", underfs.CreateOptions{CreateParents: true})
	for _, dir := range []string{"x", "x/y"} {
		if st := mustStat(t, u, dir); !st.IsDir {
			t.Errorf("%s is not a directory after Create with CreateParents", dir)
		}
	}
	if got := mustRead(t, u, "x/y/z", 0); got != "deep" {
		t.Errorf("x/y/z = %q", got)
	}
	// Existing parents are fine.
	mustWriteOpts(t, u, "x/y/w", "more", underfs.CreateOptions{CreateParents: true})
}

func testOverwrite(t T, u underfs.UnderFileSystem) {
	mustWrite(t, u, "f", "old contents")
	w, err := u.Create(t.Context(), "f", underfs.CreateOptions{Overwrite: true, Perm: 0o600})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "new"); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, u, "f", 0); got != "old contents" {
		t.Errorf("during an overwrite f reads %q; want the old contents", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, u, "f", 0); got != "new" {
		t.Errorf("after an overwrite f reads %q; want new", got)
	}
	if st := mustStat(t, u, "f"); st.Length != 3 || !modeIs(u, st.Mode, 0o600) {
		t.Errorf("after an overwrite f is %+v; want 3 bytes, mode 0600", st)
	}
}

// testCloseRechecks changes the namespace while a writer is open: Close
// must notice what Create would have refused.
func testCloseRechecks(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	start := func(p string, opts underfs.CreateOptions) underfs.Writer {
		t.Helper()
		w, err := u.Create(ctx, p, opts)
		if err != nil {
			t.Fatalf("Create(%q): %v", p, err)
		}
		if _, err := io.WriteString(w, "mine"); err != nil {
			t.Fatal(err)
		}
		return w
	}

	w := start("raced", underfs.CreateOptions{})
	mustWriteOpts(t, u, "raced", "theirs", underfs.CreateOptions{})
	wantErr(t, w.Close(), errs.ErrAlreadyExists, "Close after another writer created the file")
	if got := mustRead(t, u, "raced", 0); got != "theirs" {
		t.Errorf("the losing writer changed the file to %q", got)
	}

	w = start("becomes-dir", underfs.CreateOptions{Overwrite: true})
	mustMkdirs(t, u, "becomes-dir", 0)
	wantErr(t, w.Close(), errs.ErrIsDirectory, "Close after a directory appeared at the path")

	mustMkdirs(t, u, "gone", 0)
	w = start("gone/f", underfs.CreateOptions{})
	if err := u.Delete(ctx, "gone", true); err != nil {
		t.Fatalf("Delete(gone): %v", err)
	}
	wantErr(t, w.Close(), errs.ErrNotFound, "Close after the parent was deleted")
	if exists(t, u, "gone") {
		t.Error("a failed Close brought its deleted parent back")
	}
}

func testWriterLifecycle(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	w, err := u.Create(ctx, "canceled", underfs.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "discard me"); err != nil {
		t.Fatal(err)
	}
	if err := w.Cancel(); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if exists(t, u, "canceled") {
		t.Error("a canceled file exists")
	}
	if err := w.Cancel(); err != nil {
		t.Errorf("second Cancel = %v; want nil", err)
	}
	_, err = w.Write([]byte("x"))
	wantErr(t, err, errs.ErrPrecondition, "Write after Cancel")
	wantErr(t, w.Close(), errs.ErrPrecondition, "Close after Cancel")

	mustWrite(t, u, "kept", "old")
	w, err = u.Create(ctx, "kept", underfs.CreateOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, "new")
	if err := w.Cancel(); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, u, "kept", 0); got != "old" {
		t.Errorf("a canceled overwrite left %q; want old", got)
	}

	w, err = u.Create(ctx, "closed", underfs.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Cancel(); err != nil {
		t.Errorf("Cancel after Close = %v; want nil", err)
	}
	wantErr(t, w.Close(), errs.ErrPrecondition, "second Close")
	_, err = w.Write([]byte("x"))
	wantErr(t, err, errs.ErrPrecondition, "Write after Close")
	if !exists(t, u, "closed") {
		t.Error("Cancel after Close removed the file")
	}
	if got := names(mustList(t, u, "")); !slices.Equal(got, []string{"closed", "kept"}) {
		t.Errorf("root holds %q; want [closed kept]", got)
	}
}

// testConcurrentWriters overwrites one file from many goroutines while
// others read it: every read must see one writer's whole contents.
func testConcurrentWriters(t T, u underfs.UnderFileSystem) {
	const writers, rounds = 8, 5
	ctx := t.Context()
	content := func(i int) string { return strings.Repeat(string(rune('a'+i)), 1000*(i+1)) }
	check := func(got string) bool {
		return got != "" && got == content(int(got[0]-'a'))
	}
	mustWrite(t, u, "f", content(0))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range writers {
		wg.Go(func() {
			for range rounds {
				w, err := u.Create(ctx, "f", underfs.CreateOptions{Overwrite: true})
				if err != nil {
					t.Errorf("Create: %v", err)
					return
				}
				_, _ = io.WriteString(w, content(i))
				if err := w.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}
		})
	}
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			r, err := u.Open(ctx, "f", 0)
			if err != nil {
				t.Errorf("Open during overwrites: %v", err)
				return
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil || !check(string(b)) {
				t.Errorf("read during overwrites: %d bytes starting %.5q, %v", len(b), b, err)
				return
			}
		}
	})
	wg.Wait()
	close(stop)
	readers.Wait()
	if got := mustRead(t, u, "f", 0); !check(got) {
		t.Errorf("after concurrent overwrites f holds %d bytes starting %.5q", len(got), got)
	}
	if got := names(mustList(t, u, "")); !slices.Equal(got, []string{"f"}) {
		t.Errorf("after concurrent overwrites the root holds %q", got)
	}
	var wg2 sync.WaitGroup
	for i := range writers {
		wg2.Go(func() {
			p := "many/" + string(rune('a'+i))
			w, err := u.Create(ctx, p, underfs.CreateOptions{CreateParents: true})
			if err == nil {
				_, _ = io.WriteString(w, content(i))
				err = w.Close()
			}
			if err != nil && !errors.Is(err, errs.ErrAlreadyExists) {
				t.Errorf("concurrent Create(%q) with parents: %v", p, err)
			}
		})
	}
	wg2.Wait()
	if got := mustList(t, u, "many"); len(got) != writers {
		t.Errorf("many/ holds %q; want %d files", names(got), writers)
	}
}
