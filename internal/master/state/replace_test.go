package state

import (
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

func renameOver(src, dst string, id int64) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_Rename{Rename: &journalpb.Rename{Src: src, Dst: dst, ReplaceId: id}}}
}

// TestRenameOverReplacesInOneEntry: a rename with replace_id swaps the
// file at the destination for the source in one entry, and leaves the
// under storage one intent that does the same there.
func TestRenameOverReplacesInOneEntry(t *testing.T) {
	t.Run("both persisted", func(t *testing.T) {
		s := New(Options{})
		mustApply(t, s, rootMount())
		src := persistedFile(t, s, "/d/.tmp")
		old := persistedFile(t, s, "/d/k")
		mustApply(t, s, intents(renameOver("/d/.tmp", "/d/k", old.ID))...)
		if n := stat(t, s, "/d/k"); n.ID != src.ID || exists(s, "/d/.tmp") {
			t.Fatalf("after the rename /d/k is %d (source %d), source still there: %v", n.ID, src.ID, exists(s, "/d/.tmp"))
		}
		if _, ok := s.byID[old.ID]; ok {
			t.Fatalf("the replaced file %d is still known", old.ID)
		}
		// The store's rename overwrites the old copy, which is no leftover
		// to keep.
		in := one(t, s, "/d/k")
		if in.Kind != journalpb.UfsIntentKind_UFS_RENAME || in.UfsPath != "d/.tmp" || in.UfsDstPath != "d/k" || !in.ReplaceLeftover || in.FileId != src.ID {
			t.Fatalf("intent %v", in)
		}
	})
	t.Run("source only in Alluxio", func(t *testing.T) {
		s := New(Options{})
		mustApply(t, s, rootMount(), mkdirP("/d"))
		old := persistedFile(t, s, "/d/k")
		mustApply(t, s, intents(mkfile("/d/.tmp"), complete("/d/.tmp", 3), renameOver("/d/.tmp", "/d/k", old.ID))...)
		if n := stat(t, s, "/d/k"); n.Length != 3 || n.Persisted() {
			t.Fatalf("after the rename: %v", n)
		}
		in := one(t, s, "/d/k")
		if in.Kind != journalpb.UfsIntentKind_UFS_DELETE || in.UfsPath != "d/k" || !in.DeleteTarget || in.Recursive || in.FileId != 0 {
			t.Fatalf("the old copy must go: %v", in)
		}
	})
	t.Run("nothing in the under storage", func(t *testing.T) {
		s := New(Options{})
		mustApply(t, s, rootMount(), mkdirP("/d"))
		mustApply(t, s, intents(mkfile("/d/k"), complete("/d/k", 1))...)
		old := stat(t, s, "/d/k")
		mustApply(t, s, intents(mkfile("/d/.tmp"), complete("/d/.tmp", 2), renameOver("/d/.tmp", "/d/k", old.ID))...)
		if n := stat(t, s, "/d/k"); n.Length != 2 {
			t.Fatalf("after the rename: %v", n)
		}
		if got := s.PendingIntents(); len(got) != 0 {
			t.Fatalf("intents where the under storage has nothing: %v", got)
		}
	})
	t.Run("old file waiting for a worker to persist it", func(t *testing.T) {
		s := New(Options{})
		mustApply(t, s, rootMount(), mkdirP("/d"))
		mustApply(t, s, intents(mkfile("/d/k"),
			&journalpb.Entry{Op: &journalpb.Entry_CompleteFile{CompleteFile: &journalpb.CompleteFile{Path: "/d/k", Length: 1, ToBePersisted: true}}})...)
		old := stat(t, s, "/d/k")
		mustApply(t, s, intents(mkfile("/d/.tmp"), complete("/d/.tmp", 2), renameOver("/d/.tmp", "/d/k", old.ID))...)
		// The copy a worker may have staged for the old file goes, as
		// with a delete of it.
		in := one(t, s, "/d/k")
		if in.Kind != journalpb.UfsIntentKind_UFS_DELETE || in.DeleteTarget || in.FileId != old.ID {
			t.Fatalf("intent %v", in)
		}
	})
	t.Run("old copy waiting for its publish", func(t *testing.T) {
		s := New(Options{})
		mustApply(t, s, rootMount())
		src := persistedFile(t, s, "/d/.tmp")
		mustApply(t, s, intents(mkfile("/d/k"), completePersisted("/d/k", 10))...)
		old := stat(t, s, "/d/k")
		publish := one(t, s, "/d/k")
		mustApply(t, s, intents(renameOver("/d/.tmp", "/d/k", old.ID))...)
		got := s.PendingIntents("/d/k")
		if len(got) != 2 || got[0].Id != publish.Id || got[1].Kind != journalpb.UfsIntentKind_UFS_RENAME || !got[1].ReplaceLeftover {
			t.Fatalf("the publish must run first, then the rename over its copy: %v", got)
		}
		if n := stat(t, s, "/d/k"); n.ID != src.ID {
			t.Fatalf("after the rename /d/k is %d, want %d", n.ID, src.ID)
		}
	})
}

// TestRenameOverRefuses: a rename with replace_id changes nothing unless
// the destination is still the complete file it names.
func TestRenameOverRefuses(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount(), mkdirP("/d/dir"))
	mustApply(t, s, mkfile("/d/src"), complete("/d/src", 1), mkfile("/d/k"), complete("/d/k", 1), mkfile("/d/open"))
	k := stat(t, s, "/d/k")
	for _, c := range []struct {
		name, dst string
		id        int64
	}{
		{"another file", "/d/k", k.ID + 1000},
		{"nothing there", "/d/none", k.ID},
		{"a directory", "/d/dir", stat(t, s, "/d/dir").ID},
		{"a file being written", "/d/open", stat(t, s, "/d/open").ID},
	} {
		before := dump(s)
		checkErr(t, seq(s, renameOver("/d/src", c.dst, c.id)).Err, errs.ErrPrecondition)
		if after := dump(s); after != before {
			d := diff(before, after)
			t.Fatalf("%s: a refused rename changed the namespace:\n%s", c.name, d)
		}
	}
	// Without replace_id an existing destination is refused as always.
	checkErr(t, seq(s, rename("/d/src", "/d/k")).Err, errs.ErrAlreadyExists)
}
