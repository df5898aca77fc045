package master

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

var errStoreDown = errs.New(errs.ErrUnavailable, "test store down")

// TestRefusedChangeIsRetriedAndShown: a delete the store refuses is still
// a delete: the namespace has it at once, the under storage change stays
// pending (shown by the mount table and counted), is logged once however
// often it is tried, keeps a metadata sync from bringing the file back,
// holds up the next operation on the path, and is done once the store
// takes it.
func TestRefusedChangeIsRetriedAndShown(t *testing.T) {
	m := newTestMaster(t, nil)
	fastRetries(m)
	ctx := context.Background()
	m.write(t, "/d/f", []byte("x"))
	m.store.refuseChanges(errStoreDown)
	del := &alluxiopb.DeleteRequest{Path: "/d/f", OpId: opID()}
	if err := m.fs.remove(ctx, del); err != nil {
		t.Fatalf("delete while the store refuses: %v", err)
	}
	m.missing(t, "/d/f")
	// Its retry (a lost answer) gets the first answer, not "unavailable".
	if err := m.fs.remove(ctx, del); err != nil {
		t.Fatalf("retried delete while its change is pending: %v", err)
	}
	if ok, _ := m.store.has("d/f"); !ok {
		t.Fatal("the refusing store lost the file")
	}
	if got := m.st.PendingByMount(); len(got) != 1 {
		t.Fatalf("pending by mount: %v", got)
	}
	// The loop tries again; the log says so once.
	waitUntil(t, 10*time.Second, "three attempts", func() bool { return m.store.refusals() >= 3 })
	if n := m.logs.count("under storage change refused"); n != 1 {
		t.Fatalf("the refusal was logged %d times", n)
	}
	if m.fs.intents.retried.Load() < 2 {
		t.Fatalf("retries counted: %d", m.fs.intents.retried.Load())
	}
	// A sync must not bring the file back from the store that still has it.
	always := &alluxiopb.FileSystemMasterCommonOptions{HasSyncInterval: true, SyncIntervalMs: 0}
	if _, err := m.fs.getStatus(ctx, "/d/f", always, 0); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("stat while the delete is pending: %v", err)
	}
	if err := m.fs.listStatus(ctx, "/d", false, always, func(fis []*alluxiopb.FileInfo) error {
		for _, fi := range fis {
			t.Errorf("listed while its delete is pending: %s", fi.Path)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A new file at the path waits for the delete: it would otherwise be
	// removed by it.
	_, err := m.fs.createFile(ctx, &alluxiopb.CreateFileRequest{Path: "/d/f", OpId: opID()})
	if !errors.Is(err, errs.ErrUnavailable) || !strings.Contains(err.Error(), "DELETE of /d/f is pending") {
		t.Fatalf("create over a pending delete: %v", err)
	}
	m.store.refuseChanges(nil)
	waitUntil(t, 30*time.Second, "the delete to be done", func() bool { return m.pending() == 0 })
	if ok, _ := m.store.has("d/f"); ok {
		t.Fatal("the store still has the file")
	}
	if n := m.logs.count("under storage change done after retries"); n != 1 {
		t.Fatalf("the success after retries was logged %d times", n)
	}
	m.write(t, "/d/f", []byte("new"))
}

// fastRetries makes m's intent loop look and retry often, so tests of
// retries take milliseconds; the loop's start is woken for it.
func fastRetries(m *testMaster) {
	m.fs.intents.mu.Lock()
	m.fs.intents.every, m.fs.intents.retryMin = 10*time.Millisecond, 5*time.Millisecond
	m.fs.intents.mu.Unlock()
	m.fs.intents.kick()
}

// TestPendingPublishIsShown: a completion commits while the store refuses
// the publish: the file is complete, not yet persisted, and its status
// says what is pending and why; once the store takes it, it is persisted.
func TestPendingPublishIsShown(t *testing.T) {
	m := newTestMaster(t, nil)
	fastRetries(m)
	m.store.refuseChanges(errStoreDown)
	fi := m.write(t, "/f", []byte("data"))
	if !fi.Completed || fi.Persisted || fi.PersistenceState != "TO_BE_PERSISTED" ||
		!strings.HasPrefix(fi.UfsPending, "PUBLISH (") || !strings.Contains(fi.UfsPending, "last: test store down") {
		t.Fatalf("complete with the publish refused: completed %v, persisted %v, %s, pending %q",
			fi.Completed, fi.Persisted, fi.PersistenceState, fi.UfsPending)
	}
	// Not handed to a worker to persist meanwhile.
	if got := m.st.ToBePersisted(); len(got) != 0 {
		t.Fatalf("handed out for a persist: %v", got)
	}
	m.store.refuseChanges(nil)
	waitUntil(t, 10*time.Second, "the publish", func() bool { return m.pending() == 0 })
	if fi := m.stat(t, "/f"); !fi.Persisted || fi.UfsPending != "" || fi.UfsModMs == 0 {
		t.Fatalf("after the publish: persisted %v, pending %q, ufs mod %d", fi.Persisted, fi.UfsPending, fi.UfsModMs)
	}
}

// TestPublishOfALostCopyPersistsAgain: the store loses the copy a
// pending publish was to make visible (an upload it had accepted, gone
// after a crash of the store). The file, acknowledged and still cached,
// is not left unpersisted: it waits for an asynchronous persist from its
// blocks, with the reason shown until that persist is done.
func TestPublishOfALostCopyPersistsAgain(t *testing.T) {
	m := newTestMaster(t, nil)
	fastRetries(m)
	m.store.refuseChanges(errStoreDown)
	fi := m.write(t, "/f", []byte("data"))
	if err := m.store.UnderFileSystem.Delete(context.Background(), underfs.TempPath("f", fi.FileId), false); err != nil {
		t.Fatal(err)
	}
	m.store.refuseChanges(nil)
	waitUntil(t, 10*time.Second, "the publish to fail", func() bool { return m.pending() == 0 })
	fi = m.stat(t, "/f")
	if fi.Persisted || fi.PersistenceState != "TO_BE_PERSISTED" || !strings.Contains(fi.UfsError, "was not written") {
		t.Fatalf("after the lost copy: persisted %v, %s, error %q", fi.Persisted, fi.PersistenceState, fi.UfsError)
	}
	got := m.st.ToBePersisted()
	if len(got) != 1 || got[0].Path != "/f" {
		t.Fatalf("waiting for a persist: %v", got)
	}
	// The blocks are gone too: the worker's persist fails for good, and
	// the file is left unpersisted with that reason.
	if _, err := m.fs.persistDone(context.Background(), fi.FileId, "block 1 is in no worker", nil); err != nil {
		t.Fatal(err)
	}
	fi = m.stat(t, "/f")
	if fi.Persisted || fi.PersistenceState != "NOT_PERSISTED" || !strings.Contains(fi.UfsError, "block 1 is in no worker") {
		t.Fatalf("after the failed persist: persisted %v, %s, error %q", fi.Persisted, fi.PersistenceState, fi.UfsError)
	}
	if got := m.st.ToBePersisted(); len(got) != 0 {
		t.Fatalf("still waiting for a persist: %v", got)
	}
}

// TestNewPrimaryFinishesPendingChanges: a master stops with an under
// storage change pending; the next one on the same journal finishes it
// before anything else happens to the path.
func TestNewPrimaryFinishesPendingChanges(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	m.write(t, "/a/f", []byte("a"))
	m.write(t, "/b", []byte("b"))
	m.store.refuseChanges(errStoreDown)
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/a", Recursive: true, OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	if err := m.fs.rename(ctx, &alluxiopb.RenameRequest{Src: "/b", Dst: "/c", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	if m.pending() != 2 {
		t.Fatalf("%d intents pending, want 2", m.pending())
	}
	uri := m.cfg.RootUFS
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	m.store.refuseChanges(nil)
	n := startTestMasterOn(t, m.dir, uri, nil)
	waitUntil(t, 30*time.Second, "the new primary to finish", func() bool { return n.pending() == 0 })
	if n.logs.count("finishing the under storage changes the previous primary left pending") != 1 {
		t.Fatal("the takeover was not logged")
	}
	if ok, _ := n.store.has("a/f"); ok {
		t.Fatal("the delete was not finished")
	}
	if got := n.store.read(t, "c"); string(got) != "b" {
		t.Fatalf("the rename was not finished: %q", got)
	}
	if ok, _ := n.store.has("b"); ok {
		t.Fatal("the rename's source is still there")
	}
}

// TestChangeThatCanNeverSucceedFailsOnce uses the local under storage,
// which refuses a path longer than the operating system allows
// (ENAMETOOLONG; the namespace allows 4,096 bytes, the under storage
// directory adds its own). When the namespace loads metadata first, the
// load fails and the mkdir with it, before anything is journaled. When it
// does not, the directory stays in the namespace, marked not persisted
// with the reason, and nothing is retried.
func TestChangeThatCanNeverSucceedFailsOnce(t *testing.T) {
	root := t.TempDir()
	long := strings.Repeat("/"+strings.Repeat("n", 200), 20) + "/" + strings.Repeat("n", 4090-20*201-1)
	first := newTestMaster(t, func(c *Config) { c.RootUFS = root })
	_, err := first.fs.createDirectory(context.Background(), &alluxiopb.CreateDirectoryRequest{Path: long, OpId: opID(),
		Recursive: true, WriteType: "CACHE_THROUGH"})
	if !errors.Is(err, errs.ErrInvalidPath) || !strings.Contains(err.Error(), "file name too long") {
		t.Fatalf("mkdir of a path the store cannot hold, loading metadata: %v", err)
	}
	first.missing(t, long[:201])

	m := newTestMaster(t, func(c *Config) { c.RootUFS, c.LoadType = t.TempDir(), "NEVER" })
	fi := m.mkdir(t, long, "CACHE_THROUGH")
	if fi.Persisted || !strings.Contains(fi.UfsError, "file name too long") || fi.UfsPending != "" {
		t.Fatalf("after the refused mkdir: persisted %v, error %q, pending %q", fi.Persisted, fi.UfsError, fi.UfsPending)
	}
	if m.pending() != 0 || m.fs.intents.failed.Load() != 1 || m.fs.intents.retried.Load() != 0 {
		t.Fatalf("pending %d, failed %d, retried %d", m.pending(), m.fs.intents.failed.Load(), m.fs.intents.retried.Load())
	}
	if n := m.logs.count("under storage change failed for good"); n != 1 {
		t.Fatalf("logged %d times", n)
	}
}

// TestIntentsOfOnePathRunInJournalOrder: a delete left pending, then the
// path written again: the new file's publish must come after the delete,
// or the delete would remove the new copy.
func TestIntentsOfOnePathRunInJournalOrder(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	m.write(t, "/f", []byte("old"))
	m.store.refuseChanges(errStoreDown)
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/f", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	// The write finishes the delete first: it would otherwise be removed
	// by it.
	m.store.refuseChanges(nil)
	m.write(t, "/f", []byte("new"))
	waitUntil(t, 30*time.Second, "nothing pending", func() bool { return m.pending() == 0 })
	if got := m.store.read(t, "f"); string(got) != "new" {
		t.Fatalf("the store has %q", got)
	}
}

// TestIntentResolvedMeanwhileIsNotRedone: a primary about to carry out its
// delete is deposed, a successor finishes the delete and puts a new file at
// the path, and the first master is elected again, so its primacy check
// passes. It must see that the intent is resolved and leave the new file
// alone.
func TestIntentResolvedMeanwhileIsNotRedone(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	m.write(t, "/d/f", []byte("old"))
	m.fs.ufs.mu.Lock()
	for _, f := range m.fs.ufs.byID {
		confirm := f.primary
		var once sync.Once
		f.primary = func(ctx context.Context) error {
			once.Do(func() {
				// What the successor did while this master was away.
				for _, in := range m.st.PendingIntents("/d/f") {
					if _, err := m.fs.propose(ctx, "", entryOf(&journalpb.UfsIntentDone{Id: in.Id})); err != nil {
						t.Errorf("the successor's done entry: %v", err)
					}
				}
				m.store.put(t, "d/f", []byte("successor's"))
			})
			return confirm(ctx)
		}
	}
	m.fs.ufs.mu.Unlock()
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/d/f", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	if got := m.store.read(t, "d/f"); string(got) != "successor's" {
		t.Fatalf("the store's file after a delete another primary resolved: %q", got)
	}
	if m.pending() != 0 {
		t.Fatalf("%d intents pending", m.pending())
	}
}
