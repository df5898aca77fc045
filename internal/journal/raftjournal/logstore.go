package raftjournal

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"
	"github.com/hashicorp/raft-wal/types"
)

// logStore is the WAL as Raft's log and stable store. It counts the
// appends (Raft writes every batch it replicates or receives with one
// StoreLogs, which the WAL syncs once), and it heals the WAL after a full
// disk.
//
// raft-wal seals a full segment and creates the next one in the
// background. When that creation fails (no space left on the device) it
// only logs the error; the sealed tail then refuses every later append with
// ErrSealed for as long as the WAL is open, even once space is freed, and
// the member stays out of the quorum until its process restarts. So an
// append that finds the WAL sealed opens it again, which creates the
// missing segment, and retries. While the disk is still full the reopening
// fails too, and the append fails as before (Raft then tries again: a
// leader steps down, a follower refuses the entries); attempts are spaced
// by retryReopen, since each one reads the log's index.
type logStore struct {
	open func() (*wal.WAL, error)
	log  *slog.Logger
	n    *atomic.Uint64

	mu sync.RWMutex // held for reading by every call, for writing to swap w
	w  *wal.WAL

	tryMu   sync.Mutex
	lastTry time.Time
}

// retryReopen spaces attempts to reopen a sealed WAL.
const retryReopen = time.Second

var (
	_ raft.LogStore          = (*logStore)(nil)
	_ raft.StableStore       = (*logStore)(nil)
	_ raft.MonotonicLogStore = (*logStore)(nil)
)

func newLogStore(open func() (*wal.WAL, error), counter *atomic.Uint64, log *slog.Logger) (*logStore, error) {
	w, err := open()
	if err != nil {
		return nil, err
	}
	return &logStore{open: open, log: log, n: counter, w: w}, nil
}

func (l *logStore) current() (*wal.WAL, func()) {
	l.mu.RLock()
	return l.w, l.mu.RUnlock
}

func (l *logStore) StoreLog(e *raft.Log) error { return l.StoreLogs([]*raft.Log{e}) }

func (l *logStore) StoreLogs(logs []*raft.Log) error {
	l.n.Add(1)
	w, done := l.current()
	err := w.StoreLogs(logs)
	done()
	if !errors.Is(err, wal.ErrSealed) {
		return err
	}
	if rerr := l.reopen(w); rerr != nil {
		return fmt.Errorf("%w; reopening the log to start a new segment: %v", err, rerr)
	}
	w, done = l.current()
	defer done()
	return w.StoreLogs(logs)
}

// reopen replaces the sealed WAL old with a newly opened one, unless
// another append did so already. The new WAL is opened before the old one
// is closed, so that a failed attempt leaves the old one serving reads.
func (l *logStore) reopen(old *wal.WAL) error {
	l.tryMu.Lock()
	defer l.tryMu.Unlock()
	l.mu.RLock()
	swapped := l.w != old
	l.mu.RUnlock()
	if swapped {
		return nil
	}
	if wait := retryReopen - time.Since(l.lastTry); wait > 0 {
		return fmt.Errorf("the last attempt failed less than %v ago", retryReopen)
	}
	l.lastTry = time.Now()
	w, err := l.open()
	if err != nil {
		l.log.Error("embedded journal: the log's segment is full and a new one cannot be started (is the disk full?); appends fail until it can", "err", err)
		return err
	}
	l.mu.Lock()
	l.w = w
	l.mu.Unlock()
	l.log.Warn("embedded journal: reopened the log to start the segment that could not be started before")
	return old.Close()
}

// keptMeta is the WAL's metadata database as each opening of the WAL is
// given it: WAL.Close would close it, which the System does instead, once,
// so that a WAL can be opened again while the one it replaces is open.
type keptMeta struct{ types.MetaStore }

func (keptMeta) Close() error { return nil }

// Close closes the WAL (not its metadata database: see keptMeta).
func (l *logStore) Close() error {
	w, done := l.current()
	defer done()
	return w.Close()
}

func (l *logStore) FirstIndex() (uint64, error) {
	w, done := l.current()
	defer done()
	return w.FirstIndex()
}

func (l *logStore) LastIndex() (uint64, error) {
	w, done := l.current()
	defer done()
	return w.LastIndex()
}

func (l *logStore) GetLog(index uint64, e *raft.Log) error {
	w, done := l.current()
	defer done()
	return w.GetLog(index, e)
}

func (l *logStore) DeleteRange(lo, hi uint64) error {
	w, done := l.current()
	defer done()
	return w.DeleteRange(lo, hi)
}

func (l *logStore) IsMonotonic() bool { return true }

func (l *logStore) Set(k, v []byte) error {
	w, done := l.current()
	defer done()
	return w.Set(k, v)
}

func (l *logStore) Get(k []byte) ([]byte, error) {
	w, done := l.current()
	defer done()
	return w.Get(k)
}

func (l *logStore) SetUint64(k []byte, v uint64) error {
	w, done := l.current()
	defer done()
	return w.SetUint64(k, v)
}

func (l *logStore) GetUint64(k []byte) (uint64, error) {
	w, done := l.current()
	defer done()
	return w.GetUint64(k)
}
