package state

import (
	"errors"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// A writer completes (or deletes) the file it created, not one created at
// the same path after a concurrent delete: found by the chaos harness.
func TestCompleteFileChecksTheFileID(t *testing.T) {
	s := New(Options{})
	seq := uint64(0)
	apply := func(op any) Result {
		seq++
		e := &journalpb.Entry{Sequence: seq, TimeMs: 1}
		switch o := op.(type) {
		case *journalpb.CreateFile:
			e.Op = &journalpb.Entry_CreateFile{CreateFile: o}
		case *journalpb.Delete:
			e.Op = &journalpb.Entry_Delete{Delete: o}
		case *journalpb.CompleteFile:
			e.Op = &journalpb.Entry_CompleteFile{CompleteFile: o}
		}
		return s.Apply(e)
	}
	first := apply(&journalpb.CreateFile{Path: "/f", BlockSize: 1 << 20})
	apply(&journalpb.Delete{Path: "/f"})
	second := apply(&journalpb.CreateFile{Path: "/f", BlockSize: 1 << 20})
	if first.Err != nil || second.Err != nil || first.InodeID == second.InodeID {
		t.Fatalf("setup: %+v %+v", first, second)
	}
	// A writer cleaning up after itself deletes its own file only.
	if r := apply(&journalpb.Delete{Path: "/f", FileId: first.InodeID}); !errors.Is(r.Err, errs.ErrNotFound) {
		t.Fatalf("deleting a file through its successor: %v, want not found", r.Err)
	}
	if _, err := s.Stat("/f"); err != nil {
		t.Fatalf("the successor was deleted: %v", err)
	}
	r := apply(&journalpb.CompleteFile{Path: "/f", Length: 10, FileId: first.InodeID})
	if !errors.Is(r.Err, errs.ErrNotFound) {
		t.Fatalf("completing a deleted file through its successor: %v, want not found", r.Err)
	}
	if n, _ := s.Stat("/f"); n.Completed {
		t.Fatal("the successor was completed")
	}
	if r := apply(&journalpb.CompleteFile{Path: "/f", Length: 10, FileId: second.InodeID}); r.Err != nil {
		t.Fatalf("completing the right file: %v", r.Err)
	}
}

// TestCompleteFileTakesTheWritersTime: a completion that names the file's
// modification time (its last write's) keeps it; one that does not gets
// the entry's time.
func TestCompleteFileTakesTheWritersTime(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, mkfile("/a"), mkfile("/b"),
		&journalpb.Entry{Op: &journalpb.Entry_CompleteFile{CompleteFile: &journalpb.CompleteFile{Path: "/a", Length: 1, ModMs: 12345}}},
		complete("/b", 1))
	if n := stat(t, s, "/a"); n.ModMs != 12345 {
		t.Fatalf("modification time %d, want the writer's 12345", n.ModMs)
	}
	if n := stat(t, s, "/b"); n.ModMs != testTime {
		t.Fatalf("modification time %d, want the entry's %d", n.ModMs, testTime)
	}
}
