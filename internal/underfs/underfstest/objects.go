package underfstest

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Checks of what object stores get wrong most easily: listings longer than
// one page, directories that exist only through their children,
// fingerprints, and staged writes.

// testListManyPages lists a directory of more entries than an object
// store returns in one page (1,000), files and directories mixed.
func testListManyPages(t T, u underfs.UnderFileSystem) {
	const files, dirs = 1010, 15
	mustMkdirs(t, u, "big", 0)
	var want []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan string)
	for range 16 {
		wg.Go(func() {
			for p := range work {
				w, err := u.Create(t.Context(), p, underfs.CreateOptions{CreateParents: true})
				if err == nil {
					_, err = io.WriteString(w, p)
					if err == nil {
						err = w.Close()
					} else {
						w.Cancel()
					}
				}
				if err != nil {
					t.Errorf("Create(%q): %v", p, err)
				}
			}
		})
	}
	for i := range files {
		name := fmt.Sprintf("f%05d", i)
		want = append(want, name)
		work <- "big/" + name
	}
	for i := range dirs {
		name := fmt.Sprintf("d%03d", i)
		mu.Lock()
		want = append(want, name)
		mu.Unlock()
		work <- "big/" + name + "/inner"
	}
	close(work)
	wg.Wait()
	slices.Sort(want)
	list := mustList(t, u, "big")
	if got := names(list); !slices.Equal(got, want) {
		t.Fatalf("List of %d entries gave %d (first %q, last %q)", len(want), len(got), first(got), last(got))
	}
	for _, st := range list {
		if isDir := st.Name[0] == 'd'; st.IsDir != isDir || (!isDir && st.Length != int64(len("big/"+st.Name))) {
			t.Errorf("List entry %+v is wrong", st)
		}
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// testDeleteKeepsParent deletes the only file of a directory: the
// directory stays, empty, as in a file system (an object store must keep
// a marker for it).
func testDeleteKeepsParent(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustWrite(t, u, "d/e/only", "x")
	if err := u.Delete(ctx, "d/e/only", false); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if st, err := u.GetStatus(ctx, "d/e"); err != nil || !st.IsDir {
		t.Fatalf("after deleting its only file, d/e = %+v, %v; want an empty directory", st, err)
	}
	if got := mustList(t, u, "d/e"); len(got) != 0 {
		t.Errorf("d/e holds %q", names(got))
	}
	mustWrite(t, u, "r/s/t", "x")
	if err := u.Rename(ctx, "r/s", "moved"); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	if st, err := u.GetStatus(ctx, "r"); err != nil || !st.IsDir {
		t.Errorf("after renaming its only child away, r = %+v, %v; want an empty directory", st, err)
	}
}

// testFingerprint checks that a store that fingerprints files tells a
// replaced file from the old one even at the same length, says the same in
// List and GetStatus, and that a reader that knows its file's fingerprint
// tells the truth.
func testFingerprint(t T, u underfs.UnderFileSystem) {
	mustWrite(t, u, "f", "aaaa")
	before := mustStat(t, u, "f")
	if listed := mustList(t, u, ""); len(listed) != 1 || listed[0].Fingerprint != before.Fingerprint {
		t.Errorf("List says %+v, GetStatus says fingerprint %q", listed, before.Fingerprint)
	}
	r, err := u.Open(t.Context(), "f", 0)
	if err != nil {
		t.Fatal(err)
	}
	if fp, ok := r.(underfs.Fingerprinted); ok && fp.Fingerprint() != before.Fingerprint {
		t.Errorf("reader's fingerprint %q; GetStatus says %q", fp.Fingerprint(), before.Fingerprint)
	}
	r.Close()
	mustWrite(t, u, "f", "bbbb")
	after := mustStat(t, u, "f")
	if before.Fingerprint != "" && after.Fingerprint == before.Fingerprint {
		t.Errorf("fingerprint %q did not change when the file was replaced", after.Fingerprint)
	}
	if (before.Fingerprint == "") != (after.Fingerprint == "") {
		t.Errorf("fingerprints %q then %q: a store fingerprints every file or none", before.Fingerprint, after.Fingerprint)
	}
}

// testStaged checks the Stager contract, for stores that have one.
func testStaged(t T, u underfs.UnderFileSystem) {
	s, ok := u.(underfs.Stager)
	if !ok {
		return
	}
	ctx := t.Context()
	stage := func(p, data string) []byte {
		t.Helper()
		w, err := s.CreateStaged(ctx, p, underfs.CreateOptions{})
		if err != nil {
			t.Fatalf("CreateStaged(%q): %v", p, err)
		}
		if _, err := io.WriteString(w, data); err != nil {
			t.Fatalf("Write: %v", err)
		}
		tok, err := w.Commit()
		if err != nil {
			t.Fatalf("Commit: %v", err)
		}
		return tok
	}
	tok := stage("dir/f", "staged contents")
	empty := stage("dir/empty", "")
	if exists(t, u, "dir/f") || exists(t, u, "dir") {
		t.Error("a staged file (or its parent) is visible before Publish")
	}
	for _, p := range []string{"dir/f", "dir/empty"} {
		tk := tok
		if p == "dir/empty" {
			tk = empty
		}
		st, err := s.Publish(ctx, p, tk)
		if err != nil {
			t.Fatalf("Publish(%q): %v", p, err)
		}
		if again, err := s.Publish(ctx, p, tk); err != nil || again.Length != st.Length || again.Fingerprint != st.Fingerprint {
			t.Errorf("Publish(%q) again = %+v, %v; want %+v", p, again, err, st)
		}
	}
	if got := mustRead(t, u, "dir/f", 0); got != "staged contents" {
		t.Errorf("published file reads %q", got)
	}
	if got := mustRead(t, u, "dir/empty", 0); got != "" {
		t.Errorf("published empty file reads %q", got)
	}
	mustWrite(t, u, "old", "old contents")
	replace := stage("old", "new")
	if got := mustRead(t, u, "old", 0); got != "old contents" {
		t.Errorf("a staged overwrite shows before Publish: %q", got)
	}
	if _, err := s.Publish(ctx, "old", replace); err != nil {
		t.Fatalf("Publish over a file: %v", err)
	}
	if got := mustRead(t, u, "old", 0); got != "new" {
		t.Errorf("after Publish over a file it reads %q", got)
	}

	dropped := stage("dropped", "x")
	if err := s.Discard(ctx, "dropped", dropped); err != nil {
		t.Errorf("Discard: %v", err)
	}
	if err := s.Discard(ctx, "dropped", dropped); err != nil {
		t.Errorf("second Discard: %v", err)
	}
	_, err := s.Publish(ctx, "dropped", dropped)
	wantErr(t, err, errs.ErrNotFound, "Publish after Discard")
	if exists(t, u, "dropped") {
		t.Error("a discarded file was published")
	}
	_, err = s.Publish(ctx, "elsewhere", tok)
	wantErr(t, err, errs.ErrInvalidArg, "Publish of a token at another path")
	_, err = s.Publish(ctx, "f", []byte("not a token"))
	wantErr(t, err, errs.ErrInvalidArg, "Publish of garbage")

	w, err := s.CreateStaged(ctx, "canceled", underfs.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, "x")
	if err := w.Cancel(); err != nil {
		t.Errorf("Cancel: %v", err)
	}
	if _, err := w.Commit(); !errors.Is(err, errs.ErrPrecondition) {
		t.Errorf("Commit after Cancel = %v; want ErrPrecondition", err)
	}
	if got := names(mustList(t, u, "")); !slices.Equal(got, []string{"dir", "old"}) {
		t.Errorf("root holds %q; want [dir old]", got)
	}
}
