package state

import (
	"errors"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

func dropUnpublished(c *journalpb.DropUnpublished) *journalpb.Entry {
	return &journalpb.Entry{UfsIntents: true, Op: &journalpb.Entry_DropUnpublished{DropUnpublished: c}}
}

func tempCopy(dir string, id int64) *journalpb.DropUnpublished {
	return &journalpb.DropUnpublished{Path: dir + "/.alluxio_ufs_tmp_" + itoa(id), FileId: id}
}

func itoa(id int64) string {
	b := []byte{}
	for ; id > 0 || len(b) == 0; id /= 10 {
		b = append([]byte{byte('0' + id%10)}, b...)
	}
	return string(b)
}

// dropped lists the paths of the pending DROP_UNPUBLISHED intents.
func dropped(s *State) map[string]*journalpb.UfsIntent {
	out := map[string]*journalpb.UfsIntent{}
	for _, in := range s.PendingIntents() {
		if in.Kind == journalpb.UfsIntentKind_UFS_DROP_UNPUBLISHED {
			out[in.Path] = in
		}
	}
	return out
}

// TestDropUnpublishedOnlyWhatNoFileMayPublish: of the copies a sweep
// proposes, Apply turns into intents exactly those no file may still
// publish: the file is gone, complete and published, or its copy would be
// elsewhere. A copy of a file being written, waiting for its persist or
// its publish, or not created yet in this journal, stays.
func TestDropUnpublishedOnlyWhatNoFileMayPublish(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount(), mkdirP("/d"), mkdirP("/e"))
	mustApply(t, s, intents(mkfile("/d/writing"), mkfile("/d/gone"), mkfile("/d/moved"))...)
	writing, gone, moved := stat(t, s, "/d/writing"), stat(t, s, "/d/gone"), stat(t, s, "/d/moved")
	mustApply(t, s, intents(del("/d/gone", false))...)
	mustApply(t, s, done(one(t, s, "/d/gone").Id, 0))
	mustApply(t, s, intents(
		&journalpb.Entry{Op: &journalpb.Entry_CompleteFile{CompleteFile: &journalpb.CompleteFile{Path: "/d/moved", Length: 1, ToBePersisted: true}}},
		rename("/d/moved", "/e/moved"))...)
	waiting := persistedFile(t, s, "/d/published")
	mustApply(t, s, intents(mkfile("/d/publishing"), completePersisted("/d/publishing", 10))...)
	publishing := stat(t, s, "/d/publishing")
	before := len(s.PendingIntents())

	for _, c := range []*journalpb.DropUnpublished{
		tempCopy("/d", writing.ID),                                 // being written: stays
		tempCopy("/d", gone.ID),                                    // deleted: goes
		tempCopy("/d", moved.ID),                                   // waits for its persist, but in /e now: goes
		tempCopy("/e", moved.ID),                                   // waits for its persist there: stays
		tempCopy("/d", waiting.ID),                                 // published: goes
		tempCopy("/d", publishing.ID),                              // waits for its publish: stays
		tempCopy("/d", s.nextID+5),                                 // not created in this journal yet: stays
		{Path: "/d/writing", Token: []byte("u1")},                  // staged for a file being written: stays
		{Path: "/d/gone", Token: []byte("u2")},                     // staged where nothing is: goes
		{Path: "/d/published", Token: []byte("u3")},                // staged where a published file is: goes
		{Path: "/d/writing", FileId: gone.ID, Token: []byte("u4")}, // a refused completion's: goes
	} {
		mustApply(t, s, dropUnpublished(c))
	}
	got := dropped(s)
	want := map[string]string{"/d/.alluxio_ufs_tmp_" + itoa(gone.ID): "", "/d/.alluxio_ufs_tmp_" + itoa(moved.ID): "",
		"/d/.alluxio_ufs_tmp_" + itoa(waiting.ID): "", "/d/gone": "u2", "/d/published": "u3", "/d/writing": "u4"}
	if len(got) != len(want) || len(s.PendingIntents()) != before+len(want) {
		t.Fatalf("drop intents %v; want those of %v", got, want)
	}
	for p, tok := range want {
		in := got[p]
		if in == nil || string(in.PublishToken) != tok || in.UfsPath != p[1:] {
			t.Errorf("drop intent of %s: %v", p, in)
		}
	}
	for _, in := range got {
		mustApply(t, s, done(in.Id, 0))
	}
	if got := dropped(s); len(got) != 0 {
		t.Fatalf("drop intents left after done: %v", got)
	}
}

// TestDropUnpublishedRefusesMalformedCopies: a copy that is not a
// temporary name of its file, names neither a file nor a staged copy, or
// lies outside a writable mount refuses the entry.
func TestDropUnpublishedRefusesMalformedCopies(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount(), mount("/ro", "file:///ro", true), mkdirP("/d"))
	for _, c := range []*journalpb.DropUnpublished{
		{Path: "/d/f", FileId: 3},
		{Path: "/d/.alluxio_ufs_tmp_4", FileId: 3},
		{Path: "/d/.alluxio_ufs_tmp_3"},
		{Path: "/ro/.alluxio_ufs_tmp_3", FileId: 3},
		{Path: "/", Token: []byte("t")},
		{Path: "d/x", Token: []byte("t")},
		{Path: "/d/x", FileId: -1, Token: []byte("t")},
	} {
		r := seq(s, dropUnpublished(c))
		if !errors.Is(r.Err, errs.ErrInvalidArg) && !errors.Is(r.Err, errs.ErrInvalidPath) {
			t.Errorf("copy %v: %v; want it refused", c, r.Err)
		}
		if got := dropped(s); len(got) != 0 {
			t.Fatalf("a refused entry made intents: %v", got)
		}
	}
}
