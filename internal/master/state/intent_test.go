package state

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// intents marks entries as the primary proposes them: their under storage
// side follows the commit.
func intents(entries ...*journalpb.Entry) []*journalpb.Entry {
	for _, e := range entries {
		e.UfsIntents = true
	}
	return entries
}

func one(t *testing.T, s *State, paths ...string) *journalpb.UfsIntent {
	t.Helper()
	got := s.PendingIntents(paths...)
	if len(got) != 1 {
		t.Fatalf("pending intents on %v: %v, want one", paths, got)
	}
	return got[0]
}

func done(id uint64, modMs int64) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_UfsIntentDone{UfsIntentDone: &journalpb.UfsIntentDone{Id: id, UfsModMs: modMs}}}
}

func failed(id uint64, reason string) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_UfsIntentFailed{UfsIntentFailed: &journalpb.UfsIntentFailed{Id: id, Reason: reason}}}
}

func completePersisted(path string, length int64) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_CompleteFile{CompleteFile: &journalpb.CompleteFile{Path: path, Length: length, Persisted: true}}}
}

// persistedFile makes a complete, published file at path.
func persistedFile(t *testing.T, s *State, path string) Inode {
	t.Helper()
	mustApply(t, s, intents(createFile(&journalpb.CreateFile{Path: path, Recursive: true}), completePersisted(path, 10))...)
	mustApply(t, s, done(one(t, s, path).Id, 77))
	return stat(t, s, path)
}

func TestPublishIsPendingUntilDone(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount(), mkdirP("/d"))
	mustApply(t, s, intents(mkfile("/d/f"), completePersisted("/d/f", 10))...)
	n := stat(t, s, "/d/f")
	in := one(t, s, "/d/f")
	if in.Kind != journalpb.UfsIntentKind_UFS_PUBLISH || in.UfsPath != "d/f" || in.FileId != n.ID || in.Length != 10 || in.Id != s.LastSequence() {
		t.Fatalf("publish intent %v", in)
	}
	if n.Persistence != journalpb.PersistenceState_TO_BE_PERSISTED || !n.Completed {
		t.Fatalf("before the publish: %v", n)
	}
	// Not handed to a worker to persist a second time meanwhile.
	if got := s.ToBePersisted(); len(got) != 0 {
		t.Fatalf("a file waiting for its publish is listed for a worker: %v", got)
	}
	if p, ok := s.PendingOn("/d/f", n.ID); !ok || p.Id != in.Id {
		t.Fatalf("PendingOn: %v %v", p, ok)
	}
	mustApply(t, s, done(in.Id, 1234))
	n = stat(t, s, "/d/f")
	d := stat(t, s, "/d")
	if !n.Persisted() || n.UfsModMs != 1234 || !d.Persisted() {
		t.Fatalf("after the publish: %v", n)
	}
	if got := s.PendingIntents(); len(got) != 0 {
		t.Fatalf("still pending: %v", got)
	}
	// Done twice is refused: the intent is not pending any more.
	checkErr(t, seq(s, done(in.Id, 1)).Err, errs.ErrNotFound)
}

func TestEntriesWithoutIntentsKeepTheirOldMeaning(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount(), mkfile("/f"),
		&journalpb.Entry{Op: &journalpb.Entry_CompleteFile{CompleteFile: &journalpb.CompleteFile{Path: "/f", Length: 3, Persisted: true, UfsModMs: 9}}},
		rename("/f", "/g"))
	if n := stat(t, s, "/g"); !n.Persisted() || n.UfsModMs != 9 {
		t.Fatalf("legacy completion: %v", n)
	}
	mustApply(t, s, del("/g", false))
	if got := s.PendingIntents(); len(got) != 0 {
		t.Fatalf("entries from before intents made some: %v", got)
	}
}

func TestDeleteIntents(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount())
	persistedFile(t, s, "/a/f")
	mustApply(t, s, intents(del("/a", true))...)
	in := one(t, s, "/a")
	if in.Kind != journalpb.UfsIntentKind_UFS_DELETE || in.UfsPath != "a" || !in.Recursive || !in.DeleteTarget || in.FileId != 0 {
		t.Fatalf("delete intent %v", in)
	}
	mustApply(t, s, done(in.Id, 0))

	// A file being written: only its unpublished copy goes.
	mustApply(t, s, intents(mkfile("/w"))...)
	w := stat(t, s, "/w")
	mustApply(t, s, intents(del("/w", false))...)
	in = one(t, s, "/w")
	if in.DeleteTarget || in.FileId != w.ID {
		t.Fatalf("delete of a file being written: %v", in)
	}
	mustApply(t, s, done(in.Id, 0))

	// Alluxio only, and files only in Alluxio: nothing to do below.
	persistedFile(t, s, "/p")
	mustApply(t, s, intents(&journalpb.Entry{Op: &journalpb.Entry_Delete{Delete: &journalpb.Delete{Path: "/p", AlluxioOnly: true}}},
		mkfile("/c"), complete("/c", 1), del("/c", false))...)
	if got := s.PendingIntents(); len(got) != 0 {
		t.Fatalf("intents where the under storage has nothing to lose: %v", got)
	}
}

func TestRenameAndSetAttributeIntents(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount(), mkdir("/e"))
	persistedFile(t, s, "/d/f")
	mustApply(t, s, intents(rename("/d/f", "/e/g"))...)
	in := one(t, s, "/e/g")
	if in.Kind != journalpb.UfsIntentKind_UFS_RENAME || in.UfsPath != "d/f" || in.UfsDstPath != "e/g" || in.Path != "/d/f" ||
		in.DstPath != "/e/g" || !in.ReplaceLeftover {
		t.Fatalf("rename intent %v", in)
	}
	// The destination's parent was made in Alluxio, so its listing is
	// known: what the under storage holds at e/g is a leftover.
	mustApply(t, s, failed(in.Id, "name too long"))
	if n := stat(t, s, "/e/g"); n.UfsError != "name too long" {
		t.Fatalf("failed rename not shown: %v", n)
	}
	mustApply(t, s, intents(setAttr(&journalpb.SetAttribute{Path: "/e/g", Mode: ptr(uint32(0o600)), Pinned: ptr(true)}))...)
	in = one(t, s, "/e/g")
	if in.Kind != journalpb.UfsIntentKind_UFS_SET_ATTRIBUTE || in.GetMode() != 0o600 || in.Owner != nil {
		t.Fatalf("set attribute intent %v", in)
	}
	mustApply(t, s, done(in.Id, 0))
	// Pinning alone leaves the under storage alone.
	mustApply(t, s, intents(setAttr(&journalpb.SetAttribute{Path: "/e/g", Pinned: ptr(false)}))...)
	if got := s.PendingIntents(); len(got) != 0 {
		t.Fatalf("pinning made an intent: %v", got)
	}
}

func TestMkdirIntentsAndFailure(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount(), mount("/ro", "file:///ro", true))
	mustApply(t, s, intents(createDir(&journalpb.CreateDirectory{Path: "/x/y", Mode: 0o750, Recursive: true, Persisted: true}))...)
	in := one(t, s, "/x/y")
	if in.Kind != journalpb.UfsIntentKind_UFS_MKDIRS || in.UfsPath != "x/y" || in.GetMode() != 0o750 || in.ReplaceLeftover {
		t.Fatalf("mkdir intent %v", in)
	}
	mustApply(t, s, failed(in.Id, "ENAMETOOLONG"))
	if n := stat(t, s, "/x/y"); n.Persisted() || n.UfsError != "ENAMETOOLONG" {
		t.Fatalf("a directory the store could not make: %v", n)
	}
	// A THROUGH file's parents are made when they are new.
	mustApply(t, s, intents(createFile(&journalpb.CreateFile{Path: "/n/m/f", Recursive: true, Persisted: true}))...)
	if in := one(t, s, "/n/m"); in.Kind != journalpb.UfsIntentKind_UFS_MKDIRS || in.UfsPath != "n/m" {
		t.Fatalf("parents of a THROUGH file: %v", in)
	}
	// Nothing is asked of a read-only mount.
	if got := s.PendingIntents("/ro"); len(got) != 0 {
		t.Fatalf("intents in a read-only mount: %v", got)
	}
}

func TestPersistDone(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount(), mkfile("/a"),
		&journalpb.Entry{Op: &journalpb.Entry_CompleteFile{CompleteFile: &journalpb.CompleteFile{Path: "/a", Length: 5, ToBePersisted: true}}})
	a := stat(t, s, "/a")
	persist := func(path string, id, length int64, failure string) *journalpb.Entry {
		return &journalpb.Entry{Op: &journalpb.Entry_PersistDone{PersistDone: &journalpb.PersistDone{Path: path, FileId: id, Length: length, Failure: failure}}}
	}
	checkErr(t, seq(s, persist("/b", a.ID, 5, "")).Err, errs.ErrPrecondition) // moved
	checkErr(t, seq(s, persist("/a", a.ID, 4, "")).Err, errs.ErrCorrupt)
	mustApply(t, s, persist("/a", a.ID, 5, ""))
	in := one(t, s, "/a")
	if in.Kind != journalpb.UfsIntentKind_UFS_PUBLISH || in.FileId != a.ID {
		t.Fatalf("publish after a persist: %v", in)
	}
	checkErr(t, seq(s, persist("/a", a.ID, 5, "")).Err, errs.ErrPrecondition) // already publishing
	mustApply(t, s, failed(in.Id, "gone"))
	if n := stat(t, s, "/a"); n.Persistence != journalpb.PersistenceState_NOT_PERSISTED || n.UfsError != "gone" {
		t.Fatalf("after a failed publish: %v", n)
	}
	// Scheduled again, then a worker's permanent failure.
	mustApply(t, s, setAttr(&journalpb.SetAttribute{Path: "/a", PersistenceState: ptr(journalpb.PersistenceState_TO_BE_PERSISTED)}))
	if n := stat(t, s, "/a"); n.UfsError != "" {
		t.Fatalf("scheduling a persist again keeps the old error: %v", n)
	}
	mustApply(t, s, persist("/a", a.ID, 5, "file name too long"))
	if n := stat(t, s, "/a"); n.Persistence != journalpb.PersistenceState_NOT_PERSISTED || n.UfsError != "file name too long" {
		t.Fatalf("after a worker's permanent failure: %v", n)
	}
}

func TestPendingIntentsOverlapAndUnmount(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount(), mount("/m", "file:///m", false))
	mustApply(t, s, intents(createDir(&journalpb.CreateDirectory{Path: "/m/a/b", Recursive: true, Persisted: true}),
		createDir(&journalpb.CreateDirectory{Path: "/c", Persisted: true}))...)
	for path, want := range map[string]int{"/": 2, "/m": 1, "/m/a/b/c": 1, "/m/a": 1, "/m/ab": 0, "/c": 1, "/d": 0} {
		if got := len(s.PendingIntents(path)); got != want {
			t.Errorf("PendingIntents(%s): %d, want %d", path, got, want)
		}
	}
	if got := s.PendingByMount(); len(got) != 2 {
		t.Fatalf("PendingByMount: %v", got)
	}
	ck := checkpointOf(t, s)
	r := New(Options{})
	if err := r.Restore(bytes.NewReader(ck), "ck"); err != nil {
		t.Fatal(err)
	}
	if got := r.PendingIntents(); len(got) != 2 {
		t.Fatalf("intents after a restore: %v", got)
	}
	mustApply(t, s, unmount("/m"))
	if got := s.PendingIntents(); len(got) != 1 || got[0].Path != "/c" {
		t.Fatalf("after the unmount: %v", got)
	}
}

// TestRenameRecordsTheMovedCopy: an object store moves a key by copy and
// delete, so the copy gets a new ETag; the rename's done entry carries
// it, and readers check the copy by it from then on. A directory's
// rename, and a done entry that says nothing, change no fingerprint.
func TestRenameRecordsTheMovedCopy(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount())
	f := persistedFile(t, s, "/a/f")
	mustApply(t, s, intents(rename("/a/f", "/a/g"))...)
	in := one(t, s, "/a/f")
	if in.Kind != journalpb.UfsIntentKind_UFS_RENAME || in.FileId != f.ID {
		t.Fatalf("rename intent %v", in)
	}
	mustApply(t, s, &journalpb.Entry{Op: &journalpb.Entry_UfsIntentDone{UfsIntentDone: &journalpb.UfsIntentDone{
		Id: in.Id, UfsModMs: 500, UfsFingerprint: "etag-moved"}}})
	if n := stat(t, s, "/a/g"); n.UfsModMs != 500 || n.UfsFingerprint != "etag-moved" || !n.Persisted() {
		t.Fatalf("after the rename: %v", n)
	}

	mustApply(t, s, intents(rename("/a/g", "/a/h"))...)
	mustApply(t, s, done(one(t, s, "/a/g").Id, 0))
	if n := stat(t, s, "/a/h"); n.UfsModMs != 500 || n.UfsFingerprint != "etag-moved" {
		t.Fatalf("a done entry without the copy's status changed it: %v", n)
	}

	mustApply(t, s, intents(rename("/a", "/b"))...)
	in = one(t, s, "/a")
	if in.FileId != 0 {
		t.Fatalf("a directory's rename names a file: %v", in)
	}
	mustApply(t, s, &journalpb.Entry{Op: &journalpb.Entry_UfsIntentDone{UfsIntentDone: &journalpb.UfsIntentDone{
		Id: in.Id, UfsModMs: 9, UfsFingerprint: "etag-dir"}}})
	if n := stat(t, s, "/b/h"); n.UfsFingerprint != "etag-moved" {
		t.Fatalf("a directory's rename changed a child's fingerprint: %v", n)
	}

	// A directory's rename records its files' moved copies, each for the
	// same file still below the destination only.
	h := stat(t, s, "/b/h")
	k := persistedFile(t, s, "/b/k")
	mustApply(t, s, intents(rename("/b", "/c"))...)
	in = one(t, s, "/b")
	mustApply(t, s, intents(rename("/c/k", "/elsewhere"))...)
	mustApply(t, s, &journalpb.Entry{Op: &journalpb.Entry_UfsIntentDone{UfsIntentDone: &journalpb.UfsIntentDone{Id: in.Id,
		Moved: []*journalpb.MovedCopy{{FileId: h.ID, UfsModMs: 77, UfsFingerprint: "etag-h2"}, {FileId: k.ID, UfsModMs: 78, UfsFingerprint: "etag-k2"}}}}})
	if n := stat(t, s, "/c/h"); n.UfsModMs != 77 || n.UfsFingerprint != "etag-h2" {
		t.Fatalf("a file below the renamed directory: %v, want the moved copy's check", n)
	}
	if n := stat(t, s, "/elsewhere"); n.UfsFingerprint == "etag-k2" {
		t.Fatalf("a file renamed out of the directory since took the directory's record: %v", n)
	}
}

// ProtectedFiles is kept between entries: each change to what is
// protected shows in the next answer, and a restore to an older state at
// the same sequence number is not answered from before it.
func TestProtectedFilesFollowEveryEntry(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, rootMount())
	f := persistedFile(t, s, "/a/f")
	ckpt := checkpointOf(t, s)
	want := func(ids ...int64) {
		t.Helper()
		got := slices.Clone(s.ProtectedFiles())
		slices.Sort(got)
		if !slices.Equal(got, ids) {
			t.Fatalf("protected files %v, want %v", got, ids)
		}
	}
	want()
	want() // from the cache: the same
	pin := true
	mustApply(t, s, setAttr(&journalpb.SetAttribute{Path: "/a/f", Pinned: &pin}))
	want(f.ID)
	mustApply(t, s, mkfile("/a/g"))
	g := stat(t, s, "/a/g")
	want(f.ID, g.ID)
	seqBefore := s.LastSequence()
	if err := s.Restore(bytes.NewReader(ckpt), "before the pin"); err != nil {
		t.Fatal(err)
	}
	for s.LastSequence() < seqBefore {
		mustApply(t, s, mkdirP(fmt.Sprintf("/d%d", s.LastSequence())))
	}
	want()
}
