package raftjournal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"
	"github.com/hashicorp/raft-wal/metadb"
	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal/record"
	"github.com/alluxio-go/alluxio/internal/lockfile"
)

// LogEntry is one command of a member's Raft log, as `alluxio readJournal`
// shows it: the journal entry with the sequence number it gets when
// applied, or the error that makes it no entry (such a command is skipped
// by every replica and takes no sequence number).
type LogEntry struct {
	RaftIndex uint64
	Entry     *journalpb.Entry
	Err       error
}

// LogInfo says what ReadLog found: the newest snapshot (its Raft index and
// the first sequence after it; 0 and 1 without one) and the log's range.
type LogInfo struct {
	SnapshotIndex uint64
	NextSequence  uint64
	First, Last   uint64
}

// ReadLog reads the Raft log a stopped master keeps in dataDir (its
// alluxio.master.journal.folder) and calls fn for each command after the
// newest snapshot, numbered as the state machine numbers them, from
// sequence from on. It refuses while a master holds the directory (raft-wal
// admits one process), naming it: read a stopped member's log instead.
// The end of a member's log may hold entries not yet committed when it
// stopped.
func ReadLog(dataDir string, from uint64, info func(LogInfo), fn func(LogEntry) error) error {
	walDir := filepath.Join(dataDir, "wal")
	if _, err := os.Stat(walDir); err != nil {
		return errs.New(errs.ErrNotFound, "no embedded journal log in %s (%s missing: this master has not run yet)", dataDir, walDir)
	}
	lock, err := lockfile.Acquire(filepath.Join(dataDir, lockfile.Name), "alluxio readJournal")
	if errors.Is(err, lockfile.ErrHeld) {
		return errs.New(errs.ErrPrecondition, "the embedded journal in %s is open: %v; its log can be read only while that master is stopped (stop it, or read a stopped member's)",
			dataDir, err)
	}
	if err != nil {
		return err
	}
	defer lock.Release()

	li := LogInfo{NextSequence: 1}
	if li.SnapshotIndex, li.NextSequence, err = newestSnapshot(dataDir); err != nil {
		return err
	}
	meta := &metadb.BoltMetaDB{}
	defer meta.Close()
	store, err := wal.Open(walDir, wal.WithMetaStore(meta), wal.WithLogger(hclog.NewNullLogger()))
	if err != nil {
		return fmt.Errorf("embedded journal: open %s: %w", walDir, err)
	}
	defer store.Close()
	if li.First, err = store.FirstIndex(); err != nil {
		return err
	}
	if li.Last, err = store.LastIndex(); err != nil {
		return err
	}
	if info != nil {
		info(li)
	}
	seq := li.NextSequence
	for i := max(li.First, li.SnapshotIndex+1); i <= li.Last && i > 0; i++ {
		var l raft.Log
		if err := store.GetLog(i, &l); err != nil {
			return errs.New(errs.ErrCorrupt, "embedded journal %s: raft index %d: %v", walDir, i, err)
		}
		if l.Type != raft.LogCommand {
			continue // configuration changes and new leaders' no-ops
		}
		le := LogEntry{RaftIndex: i, Entry: &journalpb.Entry{}}
		if err := proto.Unmarshal(l.Data, le.Entry); err != nil {
			le.Entry, le.Err = nil, errs.New(errs.ErrCorrupt, "raft index %d is not a journal entry: %v", i, err)
		} else {
			le.Entry.Sequence = seq
			seq++
			if le.Entry.Sequence < from {
				continue
			}
		}
		if err := fn(le); err != nil {
			return err
		}
	}
	return nil
}

// newestSnapshot returns the Raft index of the newest snapshot in dataDir
// and the sequence its checkpoint header says comes next; 0 and 1 when
// there is none.
func newestSnapshot(dataDir string) (uint64, uint64, error) {
	if _, err := os.Stat(filepath.Join(dataDir, "snapshots")); err != nil {
		return 0, 1, nil
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(dataDir, 2, hclog.NewNullLogger())
	if err != nil {
		return 0, 0, err
	}
	list, err := snaps.List()
	if err != nil || len(list) == 0 {
		return 0, 1, err
	}
	_, rc, err := snaps.Open(list[0].ID)
	if err != nil {
		return 0, 0, fmt.Errorf("embedded journal: open snapshot %s: %w", list[0].ID, err)
	}
	defer rc.Close()
	payload, err := record.NewReader(rc, 0).Next()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	rec := &journalpb.CheckpointRecord{}
	if err == nil {
		err = proto.Unmarshal(payload, rec)
	}
	if err != nil || rec.GetHeader() == nil {
		return 0, 0, errs.New(errs.ErrCorrupt, "embedded journal: snapshot %s does not start with a checkpoint header: %v", list[0].ID, err)
	}
	return list[0].Index, rec.GetHeader().GetNextSequence(), nil
}
