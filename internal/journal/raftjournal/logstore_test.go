package raftjournal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"
	"github.com/hashicorp/raft-wal/metadb"
	"golang.org/x/sys/unix"

	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/logging/logtest"
)

// smallDisk mounts a tmpfs of the given size at a new directory, as a disk
// that fills up; resize changes its size.
func smallDisk(t *testing.T, size string) (dir string, resize func(string)) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir = t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir, func(size string) {
		if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_REMOUNT, "size="+size); err != nil {
			t.Fatalf("resize the tmpfs: %v", err)
		}
	}
}

func entry(i uint64) *raft.Log {
	return &raft.Log{Index: i, Term: 1, Type: raft.LogCommand, Data: bytes.Repeat([]byte{byte(i)}, 4<<10)}
}

// TestLogHealsAfterAFullDisk: raft-wal leaves its log sealed, refusing
// every append, when it cannot start a new segment; once the disk has room
// again, the next append reopens the log and goes on, and every entry
// written before and after is there, also after a restart.
func TestLogHealsAfterAFullDisk(t *testing.T) {
	dir, resize := smallDisk(t, "3m")
	meta := &metadb.BoltMetaDB{}
	defer meta.Close()
	open := func() (*wal.WAL, error) {
		return wal.Open(dir, wal.WithMetaStore(keptMeta{meta}), wal.WithSegmentSize(1<<20))
	}
	var appends atomic.Uint64
	l, err := newLogStore(open, &appends, logtest.New(t, "log", slog.LevelInfo))
	if err != nil {
		t.Fatal(err)
	}
	// 1 MiB segments on 3 MiB: the third cannot be made.
	var next uint64 = 1
	var full error
	for ; next <= 2000 && full == nil; next++ {
		full = l.StoreLogs([]*raft.Log{entry(next)})
	}
	if full == nil {
		t.Fatal("8 MB of entries fit on a 3 MiB disk")
	}
	next-- // the refused entry
	// The append that finds no room fails, whether in starting the new
	// segment or in writing to it.
	if !strings.Contains(full.Error(), "no space left on device") {
		t.Fatalf("the append on a full disk failed with %v, want the reason", full)
	}
	if last, err := l.LastIndex(); err != nil || last != next-1 {
		t.Fatalf("last index on the full disk %d %v, want %d", last, err, next-1)
	}

	resize("16m")
	deadline := time.Now().Add(3 * retryReopen)
	for err = l.StoreLogs([]*raft.Log{entry(next)}); err != nil; err = l.StoreLogs([]*raft.Log{entry(next)}) {
		if time.Now().After(deadline) {
			t.Fatalf("the append after the disk got room still fails: %v", err)
		}
		time.Sleep(retryReopen / 10) // the reopening is spaced by retryReopen
	}
	// Past another segment boundary.
	last := next + 400
	for i := next + 1; i <= last; i++ {
		if err := l.StoreLogs([]*raft.Log{entry(i)}); err != nil {
			t.Fatalf("append %d after healing: %v", i, err)
		}
	}
	check := func(when string, s interface {
		GetLog(uint64, *raft.Log) error
		LastIndex() (uint64, error)
	}) {
		t.Helper()
		if got, err := s.LastIndex(); err != nil || got != last {
			t.Fatalf("%s: last index %d %v, want %d", when, got, err, last)
		}
		for i := uint64(1); i <= last; i++ {
			var e raft.Log
			if err := s.GetLog(i, &e); err != nil || !bytes.Equal(e.Data, entry(i).Data) {
				t.Fatalf("%s: entry %d: %v (%d bytes)", when, i, err, len(e.Data))
			}
		}
	}
	check("after healing", l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	w, err := open()
	if err != nil {
		t.Fatalf("reopen after healing: %v", err)
	}
	defer w.Close()
	check("after a restart", w)
}

// The stable store calls reach the same database before and after the
// log is reopened.
func TestLogStoreKeepsStableValues(t *testing.T) {
	dir := t.TempDir()
	meta := &metadb.BoltMetaDB{}
	defer meta.Close()
	open := func() (*wal.WAL, error) { return wal.Open(dir, wal.WithMetaStore(keptMeta{meta})) }
	var n atomic.Uint64
	l, err := newLogStore(open, &n, logtest.New(t, "log", slog.LevelInfo))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.SetUint64([]byte("CurrentTerm"), 7); err != nil {
		t.Fatal(err)
	}
	old, done := l.current()
	done()
	if err := l.reopen(old); err != nil {
		t.Fatal(err)
	}
	if v, err := l.GetUint64([]byte("CurrentTerm")); err != nil || v != 7 {
		t.Fatalf("term after reopening: %d %v", v, err)
	}
	if err := l.StoreLogs([]*raft.Log{entry(1)}); err != nil || n.Load() != 1 {
		t.Fatalf("append after reopening: %v (%d appends counted)", err, n.Load())
	}
	if err := l.Close(); err != nil {
		t.Fatal(fmt.Errorf("close: %w", err))
	}
}

// TestQuorumGoesOnAfterItsDisksFill: three members whose disks fill up
// stop committing; once the disks have room again the quorum commits
// again without a restart, and the members agree.
func TestQuorumGoesOnAfterItsDisksFill(t *testing.T) {
	c := &cluster{t: t, opts: func(o *Options) { steady(o); o.SegmentSize = 128 << 10 }}
	var resizes []func(string)
	for i, a := range freeAddrs(t, 3) {
		dir, resize := smallDisk(t, "768k")
		resizes = append(resizes, resize)
		c.peers = append(c.peers, Peer{JournalAddress: a, RPCAddress: fmt.Sprintf("master%d:19998", i)})
		c.nodes = append(c.nodes, &node{name: fmt.Sprintf("m%d", i), addr: a, dir: filepath.Join(dir, "journal")})
	}
	for i := range c.nodes {
		c.start(i)
	}
	propose := func(leader *node, path string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r, err := leader.sys.Propose(ctx, mkdir(path))
		if err == nil {
			err = r.Err
		}
		return err
	}
	long := strings.Repeat("x", 200)
	leader := c.waitLeader()
	filled := false
	for i := 0; i < 20000 && !filled; i++ {
		filled = propose(leader, fmt.Sprintf("/fill/%s%d", long, i)) != nil
	}
	if !filled {
		t.Fatal("20,000 entries of 200 bytes fit on disks of 768 KiB")
	}
	for _, r := range resizes {
		r("64m")
	}
	// Whoever leads now commits, within a bounded wait.
	deadline := time.Now().Add(waitFor)
	for {
		var err error = errors.New("no leader")
		for _, n := range c.running() {
			if n.sys.Info().Role == journal.RolePrimary {
				leader = n
				err = propose(n, "/after")
				break
			}
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no commit %v after the disks got room: %v", waitFor, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.waitConverged(leader)
}
