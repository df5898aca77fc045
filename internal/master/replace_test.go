package master

import (
	"context"
	"errors"
	"testing"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// TestRenameOverThroughTheUnderStorage: a rename that replaces a file
// does the same in the under storage, once, even when the call is retried.
func TestRenameOverThroughTheUnderStorage(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	old := m.write(t, "/b/k", []byte("old"))
	src := m.write(t, "/b/.t", []byte("new"))
	req := &pb.RenameRequest{Src: "/b/.t", Dst: "/b/k", OpId: opID(), ReplaceId: old.FileId}
	if err := m.fs.rename(ctx, req); err != nil {
		t.Fatal(err)
	}
	if fi := m.stat(t, "/b/k"); fi.FileId != src.FileId {
		t.Fatalf("/b/k is file %d, want %d", fi.FileId, src.FileId)
	}
	if got := m.store.read(t, "b/k"); string(got) != "new" {
		t.Fatalf("the store holds %q at b/k", got)
	}
	if ok, _ := m.store.has("b/.t"); ok || m.pending() != 0 {
		t.Fatalf("source left in the store: %v, pending intents: %d", ok, m.pending())
	}
	// A retry of the same call (its answer lost) is answered, not redone.
	if err := m.fs.rename(ctx, req); err != nil {
		t.Fatalf("retried rename: %v", err)
	}

	// A file only in Alluxio replacing a persisted one: the old copy goes.
	cached, err := m.fs.createFile(ctx, &pb.CreateFileRequest{Path: "/b/c", OpId: opID()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.fs.completeFile(ctx, &pb.CompleteFileRequest{Path: "/b/c", OpId: opID(), FileId: cached.FileId, Length: 1}); err != nil {
		t.Fatal(err)
	}
	if err := m.fs.rename(ctx, &pb.RenameRequest{Src: "/b/c", Dst: "/b/k", OpId: opID(), ReplaceId: src.FileId}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := m.store.has("b/k"); ok {
		t.Fatal("the replaced copy is still in the store")
	}
}

// TestRenameOverRefusesWhatItCannotReplace: a file that is not the one
// named, or no file, is not replaced, and nothing changes; a file a
// worker still has to persist is.
func TestRenameOverRefusesWhatItCannotReplace(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	async := asyncFile(t, m, "/b/a", []byte("async"))
	src := m.write(t, "/b/.t", []byte("new"))
	for _, c := range []struct {
		dst string
		id  int64
	}{{"/b/a", async.FileId + 1}, {"/b/none", async.FileId}, {"/b", m.stat(t, "/b").FileId}} {
		err := m.fs.rename(ctx, &pb.RenameRequest{Src: "/b/.t", Dst: c.dst, OpId: opID(), ReplaceId: c.id})
		if !errors.Is(err, errs.ErrPrecondition) {
			t.Fatalf("rename over %s (%d): %v, want a failed precondition", c.dst, c.id, err)
		}
	}
	if fi := m.stat(t, "/b/.t"); fi.FileId != src.FileId {
		t.Fatal("the source moved")
	}
	if fi := m.stat(t, "/b/a"); fi.FileId != async.FileId {
		t.Fatal("the destination changed")
	}
	m.missing(t, "/b/none")
	if err := m.fs.rename(ctx, &pb.RenameRequest{Src: "/b/.t", Dst: "/b/a", OpId: opID(), ReplaceId: async.FileId}); err != nil {
		t.Fatalf("rename over a file waiting for its persist: %v", err)
	}
	if got := m.store.read(t, "b/a"); string(got) != "new" {
		t.Fatalf("the store holds %q at b/a", got)
	}
}
