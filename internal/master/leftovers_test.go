package master

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// TestSweepRemovesWhatNoFileWillPublish (issue 11.2): the primary's sweep
// removes, through journaled intents, the copies under a temporary name
// that no file will publish: that of a file deleted before its writer
// wrote it, that of a published file a late persist wrote again, and one
// in a directory only the under storage has. It leaves the copy of a file
// being written, a copy of a file id the journal has not reached, and
// everything else.
func TestSweepRemovesWhatNoFileWillPublish(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	m.mkdir(t, "/d", "CACHE_THROUGH")
	writing, err := m.fs.createFile(ctx, &alluxiopb.CreateFileRequest{Path: "/d/writing", OpId: opID()})
	if err != nil {
		t.Fatal(err)
	}
	m.store.put(t, underfs.TempPath("d/writing", writing.FileId), []byte("half"))
	gone, err := m.fs.createFile(ctx, &alluxiopb.CreateFileRequest{Path: "/d/gone", OpId: opID()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/d/gone", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	published := m.write(t, "/d/published", []byte("data"))
	waitUntil(t, 10*time.Second, "the publish", func() bool { return m.pending() == 0 })
	// What writers left after the files ended, as a writer that went on
	// (or a persist handed out twice) does.
	deadGone := underfs.TempPath("d/gone", gone.FileId)
	deadPublished := underfs.TempPath("d/published", published.FileId)
	deadElsewhere := underfs.TempPath("only-in-ufs/x", gone.FileId)
	future := underfs.TempPath("d/f", 1<<40)
	for _, rel := range []string{deadGone, deadPublished, deadElsewhere, future, "d/users-own-file"} {
		m.store.put(t, rel, []byte("left"))
	}
	if n := m.fs.sweeps.proposed.Load(); n != 0 {
		t.Fatalf("%d copies dropped before any sweep", n)
	}
	m.fs.sweep(ctx)
	for _, rel := range []string{deadGone, deadPublished, deadElsewhere} {
		if ok, _ := m.store.has(rel); ok {
			t.Errorf("%s is still in the under storage after the sweep", rel)
		}
	}
	for _, rel := range []string{underfs.TempPath("d/writing", writing.FileId), future, "d/users-own-file", "d/published"} {
		if ok, _ := m.store.has(rel); !ok {
			t.Errorf("the sweep removed %s", rel)
		}
	}
	if n := m.fs.sweeps.proposed.Load(); n != 3 {
		t.Errorf("%d copies dropped, want 3", n)
	}
	if n := m.pending(); n != 0 {
		t.Errorf("%d intents pending after the sweep", n)
	}
	// A second sweep finds nothing more: nothing is journaled for copies
	// that stay.
	last := m.st.LastSequence()
	m.fs.sweep(ctx)
	if m.st.LastSequence() != last {
		t.Errorf("a sweep with nothing to remove journaled %d entries", m.st.LastSequence()-last)
	}
}

// TestSweepRunsOnANewPrimaryAndPeriodically: with
// alluxio.underfs.cleanup.interval set, a master sweeps once it is
// primary (a copy a deposed primary could not remove is found by the
// next), and then every interval.
func TestSweepRunsOnANewPrimaryAndPeriodically(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	fi, err := m.fs.createFile(ctx, &alluxiopb.CreateFileRequest{Path: "/f", OpId: opID()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/f", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	dead := underfs.TempPath("f", fi.FileId)
	m.store.put(t, dead, []byte("left"))
	uri := m.cfg.RootUFS
	m.Stop(ctx)
	m = startTestMasterOn(t, m.dir, uri, func(c *Config) { c.CleanupInterval = 50 * time.Millisecond })
	waitUntil(t, 10*time.Second, "the new primary's sweep", func() bool { ok, _ := m.store.has(dead); return !ok })
	m.store.put(t, dead, []byte("left again"))
	waitUntil(t, 10*time.Second, "a later sweep", func() bool { ok, _ := m.store.has(dead); return !ok })
}

// TestRefusedCompletionDropsItsCopy: a completion refused because the file
// was deleted meanwhile journals the removal of the copy its writer left,
// before it answers.
func TestRefusedCompletionDropsItsCopy(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	fi, err := m.fs.createFile(ctx, &alluxiopb.CreateFileRequest{Path: "/f", OpId: opID()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: "/f", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "the delete", func() bool { return m.pending() == 0 })
	tmp := underfs.TempPath("f", fi.FileId)
	m.store.put(t, tmp, []byte("late"))
	_, err = m.fs.completeFile(ctx, &alluxiopb.CompleteFileRequest{Path: "/f", OpId: opID(), FileId: fi.FileId, Length: 4, Persisted: true})
	if !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("completion of a deleted file: %v", err)
	}
	if ok, _ := m.store.has(tmp); ok {
		t.Fatal("the refused completion left its copy")
	}
	if n := m.fs.sweeps.proposed.Load(); n != 1 {
		t.Fatalf("%d copies dropped, want 1", n)
	}
}
