package master

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/security/authz/blockcap"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

func TestCompletePublishesTheCopy(t *testing.T) {
	m := newTestMaster(t, nil)
	data := []byte("the file's bytes")
	fi := m.write(t, "/d/f", data)
	if !fi.Persisted || fi.PersistenceState != "PERSISTED" || fi.UfsModMs == 0 || fi.UfsPending != "" {
		t.Fatalf("after completion: persisted %v, state %s, ufs mod %d, pending %q", fi.Persisted, fi.PersistenceState, fi.UfsModMs, fi.UfsPending)
	}
	if got := m.store.read(t, "d/f"); !bytes.Equal(got, data) {
		t.Fatalf("published copy %q", got)
	}
	if ok, _ := m.store.has(underfs.TempPath("d/f", fi.FileId)); ok {
		t.Fatal("the temporary copy is still there")
	}
	if m.pending() != 0 {
		t.Fatalf("%d intents pending", m.pending())
	}
}

func TestCompleteWithoutTheCopyIsRefused(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	fi, err := m.fs.createFile(ctx, &alluxiopb.CreateFileRequest{Path: "/f", OpId: opID()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.fs.completeFile(ctx, &alluxiopb.CompleteFileRequest{Path: "/f", OpId: opID(), FileId: fi.FileId, Length: 3, Persisted: true})
	if !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("completing without a copy: %v, want not found", err)
	}
	m.store.put(t, underfs.TempPath("f", fi.FileId), []byte("ab"))
	_, err = m.fs.completeFile(ctx, &alluxiopb.CompleteFileRequest{Path: "/f", OpId: opID(), FileId: fi.FileId, Length: 3, Persisted: true})
	if !errors.Is(err, errs.ErrCorrupt) {
		t.Fatalf("completing with a short copy: %v, want corrupt", err)
	}
	if n, _ := m.st.Stat("/f"); n.Completed {
		t.Fatal("a refused completion was journaled")
	}
}

func TestRemove(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	m.write(t, "/a/b/f", []byte("1"))
	m.write(t, "/keep", []byte("2"))
	// A file being written: its unpublished copy goes with it.
	w, err := m.fs.createFile(ctx, &alluxiopb.CreateFileRequest{Path: "/a/w", OpId: opID()})
	if err != nil {
		t.Fatal(err)
	}
	tmp := underfs.TempPath("a/w", w.FileId)
	m.store.put(t, tmp, []byte("partial"))

	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/a", OpId: opID()}); !errors.Is(err, errs.ErrNotEmpty) {
		t.Fatalf("non-recursive delete of a directory: %v", err)
	}
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/a/w", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := m.store.has(tmp); ok {
		t.Fatal("the deleted file's unpublished copy is left")
	}
	id := opID()
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/a", Recursive: true, OpId: id}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := m.store.has("a"); ok {
		t.Fatal("the under storage still has /a")
	}
	m.missing(t, "/a")
	// A retried operation id answers its first outcome.
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/a", Recursive: true, OpId: id}); err != nil {
		t.Fatalf("retried delete: %v", err)
	}
	// Alluxio only: the copy stays, and a load brings it back.
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/keep", AlluxioOnly: true, OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := m.store.has("keep"); !ok {
		t.Fatal("an Alluxio-only delete removed the under storage copy")
	}
	if _, err := m.fs.getStatus(ctx, "/keep", nil, 0); err != nil {
		t.Fatalf("loading the file back: %v", err)
	}
	if m.pending() != 0 {
		t.Fatalf("%d intents pending", m.pending())
	}
}

func TestRename(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	m.write(t, "/d/f", []byte("f"))
	m.mkdir(t, "/e", "CACHE_THROUGH")
	if err := m.fs.rename(ctx, &alluxiopb.RenameRequest{Src: "/d", Dst: "/e/d2", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	if got := m.store.read(t, "e/d2/f"); string(got) != "f" {
		t.Fatalf("renamed copy %q", got)
	}
	if ok, _ := m.store.has("d"); ok {
		t.Fatal("the source is still in the under storage")
	}
	// A file still being written cannot move.
	if _, err := m.fs.createFile(ctx, &alluxiopb.CreateFileRequest{Path: "/w", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	if err := m.fs.rename(ctx, &alluxiopb.RenameRequest{Src: "/w", Dst: "/w2", OpId: opID()}); !errors.Is(err, errs.ErrPrecondition) {
		t.Fatalf("renaming a file being written: %v", err)
	}
}

// TestLeftoversGiveWay: where the namespace has listed a directory and has
// nothing at a name, a file the under storage holds there (a copy a deposed
// primary published) gives way to a rename or a mkdir onto the name.
func TestLeftoversGiveWay(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	m.mkdir(t, "/dir", "CACHE_THROUGH")
	m.write(t, "/dir/a", []byte("mine"))
	m.store.put(t, "dir/b", []byte("leftover"))
	m.store.put(t, "dir/c", []byte("leftover"))
	if err := m.fs.rename(ctx, &alluxiopb.RenameRequest{Src: "/dir/a", Dst: "/dir/b", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	if got := m.store.read(t, "dir/b"); string(got) != "mine" {
		t.Fatalf("after the rename the store has %q", got)
	}
	m.mkdir(t, "/dir/c", "CACHE_THROUGH")
	if st, err := m.store.GetStatus(ctx, "dir/c"); err != nil || !st.IsDir {
		t.Fatalf("after the mkdir: %v %v", st, err)
	}
}

func TestSetAttributeReachesTheUnderStorage(t *testing.T) {
	m := newTestMaster(t, nil)
	m.write(t, "/f", []byte("x"))
	mode := uint32(0o600)
	if err := m.fs.setAttribute(context.Background(), &alluxiopb.SetAttributeRequest{Path: "/f", Mode: &mode, OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.store.GetStatus(context.Background(), "f"); st.Mode != 0o600 {
		t.Fatalf("under storage mode %o", st.Mode)
	}
}

func TestMetadataSync(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	m.store.put(t, "ext/x", []byte("from elsewhere"))
	fi, err := m.fs.getStatus(ctx, "/ext/x", nil, 0)
	if err != nil || fi.Length != int64(len("from elsewhere")) || !fi.Persisted {
		t.Fatalf("load: %v %v", fi, err)
	}
	if err := m.store.Delete(ctx, "ext/x", false); err != nil {
		t.Fatal(err)
	}
	always := &alluxiopb.FileSystemMasterCommonOptions{HasSyncInterval: true, SyncIntervalMs: 0}
	if names := m.names(t, "/ext", always); len(names) != 0 {
		t.Fatalf("a file removed from the under storage is still listed: %v", names)
	}
}

// A create retried after its file was removed (the first attempt committed
// on a leader that lost its connection to the client) answers from the
// first outcome, and its writer must still be able to reach a worker: it
// learns that its file is gone from the completion (not found), not from a
// worker refusing it for want of a capability. The chaos runs found this.
func TestRetriedCreateOfARemovedFileCanStillWrite(t *testing.T) {
	m := newTestMaster(t, func(c *Config) { c.CapabilityLifetime = time.Hour })
	waitUntil(t, 10*time.Second, "a block key", func() bool { return len(m.st.BlockKeys()) > 0 })
	ctx := context.Background()
	create := &alluxiopb.CreateFileRequest{Path: "/f", OpId: opID()}
	first, err := m.fs.createFile(ctx, create)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/f", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	again, err := m.fs.createFile(ctx, create)
	if err != nil {
		t.Fatalf("the retried create: %v, want its first outcome", err)
	}
	if again.FileId != first.FileId {
		t.Fatalf("the retried create answers file %d, the first attempt made %d", again.FileId, first.FileId)
	}
	var v blockcap.Verifier
	v.SetKeys(m.st.BlockKeys())
	if err := v.Check(again.Capability, blockid.New(first.FileId, 0), "", blockcap.Write, time.Now().UnixMilli()); err != nil {
		t.Fatalf("the retried create's capability: %v", err)
	}
	_, err = m.fs.completeFile(ctx, &alluxiopb.CompleteFileRequest{Path: "/f", OpId: opID(), FileId: first.FileId})
	if !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("completing the removed file: %v, want not found", err)
	}
}

// TestLoadOnceByName: with load type ONCE (the default), a file put into
// the under storage after its directory was listed is not listed again,
// but a read of it by name loads it, as in Alluxio; a name the under
// storage did not have when first asked stays absent (the absent-path
// cache), until a change through the namespace touches it.
func TestLoadOnceByName(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	m.mkdir(t, "/in", "CACHE_THROUGH")
	list := func() []string { return m.names(t, "/in", nil) }
	if names := list(); len(names) != 0 {
		t.Fatalf("a new directory lists %v", names)
	}
	m.store.put(t, "in/later", []byte("dropped in"))
	if names := list(); len(names) != 0 {
		t.Fatalf("ONCE listed a file put into the under storage after the listing: %v", names)
	}
	fi, err := m.fs.getStatus(ctx, "/in/later", nil, 0)
	if err != nil || fi.Length != int64(len("dropped in")) {
		t.Fatalf("a read by name of a file put into the listed directory: %v %v", fi, err)
	}

	if _, err := m.fs.getStatus(ctx, "/in/absent", nil, 0); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("a name nowhere: %v", err)
	}
	m.store.put(t, "in/absent", []byte("too late"))
	if _, err := m.fs.getStatus(ctx, "/in/absent", nil, 0); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("ONCE asked the under storage twice for a name: %v", err)
	}
	// A change through the namespace forgets the answer: an Alluxio-only
	// delete leaves the copy, which a read then loads again.
	m.write(t, "/in/mine", []byte("m"))
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/in/mine", AlluxioOnly: true, OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.fs.getStatus(ctx, "/in/mine", nil, 0); err != nil {
		t.Fatalf("the copy an Alluxio-only delete left: %v", err)
	}
	// A create onto a name the namespace does not have in a listed
	// directory still takes the name over (TestLeftoversGiveWay).
	m.store.put(t, "in/left", []byte("left over"))
	m.write(t, "/in/left", []byte("new"))
	if got := m.store.read(t, "in/left"); string(got) != "new" {
		t.Fatalf("the create left the under storage with %q", got)
	}
}
