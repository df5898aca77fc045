package raftjournal

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
)

// fsm feeds committed Raft entries to the state machine. Raft calls Apply,
// Snapshot and Restore from its one FSM goroutine, never at the same time
// (Restore at start-up runs before that goroutine exists).
//
// Raft indexes are not our sequence numbers: configuration changes and each
// new leader's no-op take indexes too. Every replica applies the same
// commands in the same order, so numbering them LastSequence()+1 as they are
// applied gives every replica the same sequence for the same entry.
type fsm struct {
	sm      journal.StateMachine
	log     *slog.Logger
	tmpDir  string
	onFatal func(error)
	// broken is set when a snapshot failed to load: the state was left
	// empty, and applying later entries to it would fork this replica.
	broken atomic.Bool
	// lastCk is the sequence the newest snapshot on disk covers.
	lastCk atomic.Uint64
}

// Apply answers with the journal.Result, which Propose reads from the
// ApplyFuture's Response.
func (f *fsm) Apply(l *raft.Log) any {
	if f.broken.Load() {
		return journal.Result{Err: errs.New(errs.ErrCorrupt, "raft index %d not applied: this replica failed to load a snapshot", l.Index)}
	}
	e := &journalpb.Entry{}
	if err := proto.Unmarshal(l.Data, e); err != nil {
		// Every replica decodes the same bytes, so every replica skips it
		// alike and the sequences stay in step.
		f.log.Error("undecodable journal entry skipped", "raft_index", l.Index, "err", err)
		return journal.Result{Err: errs.New(errs.ErrCorrupt, "raft index %d is not a journal entry: %v", l.Index, err)}
	}
	e.Sequence = f.sm.LastSequence() + 1
	return f.sm.Apply(e)
}

// Snapshot writes the checkpoint to a file in the data directory right here,
// because it must be the state at exactly the Raft index this call is made
// for: Raft applies nothing while it runs, and the state's read lock keeps
// readers going. The cost is that Apply waits for the whole checkpoint to
// be written (as it does for a UFS journal checkpoint); a file, not a memory
// buffer, keeps a large namespace from doubling the heap. Persist then only
// copies the file into Raft's snapshot store while Apply goes on.
func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	tmp, err := os.CreateTemp(f.tmpDir, tmpPrefix+"*")
	if err != nil {
		return nil, err
	}
	start := time.Now()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	seq, err := f.sm.WriteCheckpoint(bw, time.Now().UnixMilli())
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return nil, fmt.Errorf("write checkpoint: %w", err)
	}
	f.log.Info("checkpoint taken for a raft snapshot", "sequence", seq, "took", time.Since(start))
	return &snapshot{f: f, path: tmp.Name(), seq: seq}, nil
}

// Restore replaces the state with a snapshot: at start-up the newest local
// one, later one the leader sends to a replica too far behind.
func (f *fsm) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	start := time.Now()
	if err := f.sm.Restore(bufio.NewReaderSize(rc, 1<<20), "raft snapshot"); err != nil {
		f.broken.Store(true)
		f.log.Error("raft snapshot did not load; this replica stops applying entries", "err", err)
		f.onFatal(fmt.Errorf("embedded journal: load snapshot: %w", err))
		return err
	}
	f.broken.Store(false)
	seq := f.sm.LastSequence()
	f.lastCk.Store(seq)
	f.log.Info("state restored from a raft snapshot", "sequence", seq, "took", time.Since(start))
	return nil
}

const tmpPrefix = "checkpoint-tmp-"

// removeStaleTemps deletes checkpoint files a crash left behind.
func removeStaleTemps(dir string) {
	names, _ := os.ReadDir(dir)
	for _, n := range names {
		if strings.HasPrefix(n.Name(), tmpPrefix) {
			_ = os.Remove(filepath.Join(dir, n.Name()))
		}
	}
}

// snapshot is one checkpoint file waiting to be copied into a Raft snapshot.
type snapshot struct {
	f    *fsm
	path string
	seq  uint64
}

func (s *snapshot) Persist(sink raft.SnapshotSink) error {
	err := s.copyTo(sink)
	if err != nil {
		_ = sink.Cancel()
		return err
	}
	if err := sink.Close(); err != nil {
		return err
	}
	s.f.lastCk.Store(s.seq)
	return nil
}

func (s *snapshot) copyTo(w io.Writer) error {
	in, err := os.Open(s.path)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = io.Copy(w, in)
	return err
}

func (s *snapshot) Release() { _ = os.Remove(s.path) }
