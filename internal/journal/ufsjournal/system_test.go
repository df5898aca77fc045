package ufsjournal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/master/state"
)

func TestNewRequiresOptions(t *testing.T) {
	for _, o := range []Options{
		{},
		{Folder: "x", StateMachine: state.New(state.Options{})},
		{Folder: "x", Selector: newManualSelector()},
		{StateMachine: state.New(state.Options{}), Selector: newManualSelector()},
	} {
		if _, err := New(o); !errors.Is(err, errs.ErrInvalidArg) {
			t.Fatalf("New(%+v) = %v", o, err)
		}
	}
}

func TestUnformattedFolder(t *testing.T) {
	for name, prepare := range map[string]func(dir string){
		"missing": func(string) {},
		"empty":   func(dir string) { _ = os.MkdirAll(dir, 0o755) },
		"foreign": func(dir string) {
			_ = os.MkdirAll(dir, 0o755)
			_ = os.WriteFile(filepath.Join(dir, formatFile), []byte("something else\n"), 0o644)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "journal")
			prepare(dir)
			n := newNode(t, "m", dir)
			err := n.sys.Start(context.Background())
			if err == nil {
				t.Fatal("started on an unformatted folder")
			}
			if !strings.Contains(err.Error(), dir) {
				t.Fatalf("error %q does not name the folder", err)
			}
			if name != "foreign" && (!errors.Is(err, errs.ErrPrecondition) || !strings.Contains(err.Error(), "not formatted")) {
				t.Fatalf("error %q", err)
			}
		})
	}
}

func TestFormatStartProposeReplay(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir)
	epoch := a.startPrimary(t)
	if info := a.sys.Info(); info.Role != journal.RolePrimary || info.Epoch != epoch || info.Type != "UFS" || info.Location != dir {
		t.Fatalf("Info = %+v", info)
	}
	if err := a.sys.CheckPrimary(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.mkdirs(t, "/d", 1, 50)
	// A rejected entry is journaled and answered like any other.
	if r := a.propose(t, mkdir("/d1")); !errors.Is(r.Err, errs.ErrAlreadyExists) {
		t.Fatalf("duplicate mkdir: %v", r.Err)
	}
	r := a.propose(t, &journalpb.Entry{OpId: "client-1", Op: &journalpb.Entry_CreateDirectory{
		CreateDirectory: &journalpb.CreateDirectory{Path: "/x/y", Recursive: true}}})
	if r.Err != nil || a.st.LastSequence() != 52 {
		t.Fatalf("result %+v, last %d", r, a.st.LastSequence())
	}
	if err := a.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := a.sys.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := a.sys.Propose(context.Background(), mkdir("/late")); !isNotPrimary(err) {
		t.Fatalf("Propose after Stop: %v", err)
	}

	b := newNode(t, "b", dir)
	newEpoch := b.startPrimary(t)
	sameState(t, "replayed", a.st, b.st)
	if newEpoch <= epoch {
		t.Fatalf("epoch %d after %d", newEpoch, epoch)
	}
	// The retry cache came back with the entries.
	if got, ok := b.st.RetryOutcome("client-1"); !ok || got.InodeID != r.InodeID {
		t.Fatalf("retry outcome after replay: %+v %v", got, ok)
	}
	b.mkdirs(t, "/e", 1, 5)
	if err := b.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	sameState(t, "second replay", b.st, replay(t, dir))
}

func TestGroupCommit(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir)
	a.startPrimary(t)
	const proposers, each = 16, 40
	var wg sync.WaitGroup
	errc := make(chan error, proposers*each)
	seqs := make(chan uint64, proposers*each)
	for p := 0; p < proposers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				e := mkdir(fmt.Sprintf("/p%d-%d", p, i))
				r, err := a.sys.Propose(context.Background(), e)
				if err == nil {
					err = r.Err
				}
				if err != nil {
					errc <- err
					return
				}
				seqs <- e.Sequence
			}
		}(p)
	}
	wg.Wait()
	close(errc)
	close(seqs)
	for err := range errc {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	for s := range seqs {
		if seen[s] || s == 0 || s > proposers*each {
			t.Fatalf("sequence %d given twice or out of range", s)
		}
		seen[s] = true
	}
	if got := a.st.InodeCount(); got != proposers*each+1 {
		t.Fatalf("%d inodes", got)
	}
	if err := a.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	sameState(t, "replay", a.st, replay(t, dir))
}

func TestSegmentRotation(t *testing.T) {
	dir := newFolder(t)
	const maxSize = 300
	a := newNode(t, "a", dir, withMaxLogSize(maxSize))
	a.startPrimary(t)
	a.mkdirs(t, "/dir", 1, 120)
	if err := a.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	segs := segmentFiles(t, dir)
	if len(segs) < 10 {
		t.Fatalf("only %d segments: %v", len(segs), segs)
	}
	for _, s := range segs {
		// One-entry batches: a segment is never more than one batch over.
		if size := fileSize(t, filepath.Join(dir, logsDir, s)); size > maxSize+100 {
			t.Fatalf("segment %s is %d bytes", s, size)
		}
	}
	var seqs []uint64
	if err := ReadEntries(dir, 1, func(_ string, e *journalpb.Entry) error {
		seqs = append(seqs, e.Sequence)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("ReadEntries gave sequence %d at %d", s, i)
		}
	}
	if len(seqs) != 120 {
		t.Fatalf("ReadEntries gave %d entries", len(seqs))
	}
	sameState(t, "replay", a.st, replay(t, dir))
}

func TestCheckpointThenMoreEntries(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir, withMaxLogSize(400))
	a.startPrimary(t)
	a.mkdirs(t, "/before", 1, 60)
	before := segmentFiles(t, dir)
	last, err := a.sys.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if last != 60 || a.sys.Info().LastCheckpoint != 60 {
		t.Fatalf("checkpoint covers %d, Info %+v", last, a.sys.Info())
	}
	after := segmentFiles(t, dir)
	if len(after) >= len(before) || len(after) == 0 {
		t.Fatalf("covered segments not deleted: %d before, %d after", len(before), len(after))
	}
	l, err := list(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range l.segments {
		if s.end != 0 && s.end <= 61 {
			t.Fatalf("segment %s (ends at %d) is covered by the checkpoint but kept", s.path, s.end)
		}
	}
	if len(l.checkpoints) != 1 || l.checkpoints[0].next != 61 {
		t.Fatalf("checkpoints %+v", l.checkpoints)
	}
	a.mkdirs(t, "/after", 1, 40)
	if err := a.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	sameState(t, "restore + replay", a.st, replay(t, dir))

	// A second checkpoint keeps the first as a fallback, with the segments
	// from it on, and drops older ones.
	b := newNode(t, "b", dir, withMaxLogSize(400))
	b.startPrimary(t)
	b.mkdirs(t, "/more", 1, 30)
	if _, err := b.sys.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.mkdirs(t, "/last", 1, 10)
	if _, err := b.sys.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, err = list(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.checkpoints) != 2 || l.checkpoints[0].next != 131 || l.checkpoints[1].next != 141 {
		t.Fatalf("checkpoints %+v", l.checkpoints)
	}
	b.mkdirs(t, "/tail", 1, 3)
	if err := b.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	sameState(t, "after two checkpoints", b.st, replay(t, dir))
}

func TestTornFinalRecord(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir)
	a.startPrimary(t)
	a.mkdirs(t, "/d", 1, 20)
	if err := a.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	segs := segmentFiles(t, dir)
	last := filepath.Join(dir, logsDir, segs[len(segs)-1])
	if err := os.Truncate(last, fileSize(t, last)-3); err != nil {
		t.Fatal(err)
	}

	// The reference: the same entries but the last.
	ref := state.New(state.Options{})
	for i := 1; i <= 19; i++ {
		e := mkdir(fmt.Sprintf("/d%d", i))
		e.Sequence = uint64(i)
		if r := ref.Apply(e); r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	b := newNode(t, "b", dir)
	b.startPrimary(t)
	sameState(t, "torn record dropped", ref, b.st)
	// The next primary writes after the last whole entry.
	if r := b.propose(t, mkdir("/new")); r.Err != nil {
		t.Fatal(r.Err)
	}
	if b.st.LastSequence() != 20 {
		t.Fatalf("new entry got sequence %d", b.st.LastSequence())
	}
	if err := b.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	c := replay(t, dir)
	sameState(t, "replay after the torn record", b.st, c)
	if _, err := c.Stat("/d20"); err == nil {
		t.Fatal("the torn entry came back")
	}
	if _, err := c.Stat("/new"); err != nil {
		t.Fatal(err)
	}
}

// TestZeroFilledTail: a segment extended with zeros (a crash after the size
// grew, before the data landed) ends there, like a torn record.
func TestZeroFilledTail(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir)
	a.startPrimary(t)
	a.mkdirs(t, "/d", 1, 5)
	if err := a.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	segs := segmentFiles(t, dir)
	f, err := os.OpenFile(filepath.Join(dir, logsDir, segs[len(segs)-1]), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sameState(t, "zero tail", a.st, replay(t, dir))
}

func TestDamageInTheMiddle(t *testing.T) {
	for _, tc := range []struct {
		name string
		// at is the byte of the third record to change: 0-3 length, 4-7
		// checksum, 8 on payload.
		at int
	}{
		{"payload", 12},
		{"checksum", 5},
		{"length", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newFolder(t)
			a := newNode(t, "a", dir)
			a.startPrimary(t)
			a.mkdirs(t, "/d", 1, 20)
			if err := a.sys.Stop(); err != nil {
				t.Fatal(err)
			}
			segs := segmentFiles(t, dir)
			path := filepath.Join(dir, logsDir, segs[0])
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// Find the third record's offset by walking the lengths.
			off := 0
			for i := 0; i < 2; i++ {
				off += 8 + int(uint32(data[off])|uint32(data[off+1])<<8|uint32(data[off+2])<<16|uint32(data[off+3])<<24)
			}
			data[off+tc.at] ^= 0x55
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			b := newNode(t, "b", dir)
			err = b.sys.Start(context.Background())
			if err == nil {
				t.Fatal("started over a damaged journal")
			}
			if !errors.Is(err, errs.ErrCorrupt) || !strings.Contains(err.Error(), path) ||
				!strings.Contains(err.Error(), fmt.Sprintf("offset %d", off)) {
				t.Fatalf("error %q should name %s and offset %d", err, path, off)
			}
			if b.st.LastSequence() > 2 {
				t.Fatalf("applied up to %d past the damage", b.st.LastSequence())
			}
		})
	}
}

// TestTruncatedSealedSegment: a segment that is not the last one lost its
// end. Those entries were acknowledged and the journal goes on after them,
// so start-up must fail rather than let a new primary write over the gap.
func TestTruncatedSealedSegment(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir, withMaxLogSize(300))
	a.startPrimary(t)
	a.mkdirs(t, "/d", 1, 40)
	if err := a.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	segs := segmentFiles(t, dir)
	if len(segs) < 3 {
		t.Fatalf("segments %v", segs)
	}
	path := filepath.Join(dir, logsDir, segs[1])
	if err := os.Truncate(path, fileSize(t, path)-5); err != nil {
		t.Fatal(err)
	}
	b := newNode(t, "b", dir)
	err := b.sys.Start(context.Background())
	if err == nil || !errors.Is(err, errs.ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Start = %v, want a corrupt journal error naming %s", err, path)
	}
}

func TestStandbyTails(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir, withMaxLogSize(500))
	a.startPrimary(t)
	a.mkdirs(t, "/early", 1, 10)

	sel := newManualSelector()
	s := newNode(t, "standby", dir, withSelector(sel))
	s.start(t)
	if info := s.sys.Info(); info.Role != journal.RoleStandby {
		t.Fatalf("standby Info %+v", info)
	}
	if _, err := s.sys.Propose(context.Background(), mkdir("/x")); !isNotPrimary(err) {
		t.Fatalf("standby Propose: %v", err)
	}
	if err := s.sys.CheckPrimary(context.Background()); !isNotPrimary(err) {
		t.Fatalf("standby CheckPrimary: %v", err)
	}
	follows := func(what string) {
		t.Helper()
		want := a.st.LastSequence()
		eventually(t, what, func() bool { return s.st.LastSequence() == want })
		sameState(t, what, a.st, s.st)
	}
	follows("initial catch-up")
	a.mkdirs(t, "/mid", 1, 50) // across several segments
	follows("tailing")
	if _, err := a.sys.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.mkdirs(t, "/late", 1, 20)
	follows("after a checkpoint")

	// A standby that starts after the segments are gone loads the checkpoint.
	s2 := newNode(t, "standby2", dir, withSelector(newManualSelector()))
	s2.start(t)
	a.mkdirs(t, "/more", 1, 5)
	want := a.st.LastSequence()
	eventually(t, "second standby", func() bool { return s2.st.LastSequence() == want })
	sameState(t, "second standby", a.st, s2.st)

	// Failover: the primary stops, the standby takes over where it left off.
	follows("before failover")
	if err := a.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	sel.set(true, 0)
	p := s.waitRole(t, true)
	if p.Epoch <= a.sys.Info().Epoch {
		t.Fatalf("new epoch %d, old %d", p.Epoch, a.sys.Info().Epoch)
	}
	s.mkdirs(t, "/after-failover", 1, 5)
	want = s.st.LastSequence()
	eventually(t, "second standby after failover", func() bool { return s2.st.LastSequence() == want })
	sameState(t, "second standby after failover", s.st, s2.st)
	select {
	case err := <-s2.fatal:
		t.Fatal(err)
	case err := <-s.fatal:
		t.Fatal(err)
	default:
	}
}

// TestPeriodicCheckpoint: a checkpoint is written every CheckpointPeriod
// entries, and Stop waits for one under way.
func TestPeriodicCheckpoint(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir, withMaxLogSize(400), func(o *Options) { o.CheckpointPeriod = 25 })
	a.startPrimary(t)
	a.mkdirs(t, "/d", 1, 60)
	eventually(t, "a periodic checkpoint", func() bool { return a.sys.Info().LastCheckpoint >= 25 })
	a.mkdirs(t, "/e", 1, 30)
	if err := a.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	sameState(t, "replay", a.st, replay(t, dir))

	// With a checkpoint after every batch, one is under way at Stop; Stop
	// waits for it, so nothing changes in the folder after Stop returns.
	b := newNode(t, "b", dir, func(o *Options) { o.CheckpointPeriod = 1 })
	b.startPrimary(t)
	b.mkdirs(t, "/f", 1, 300)
	if err := b.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	// A checkpoint holds ckMu from start to end.
	if !b.sys.ckMu.TryLock() {
		t.Fatal("a checkpoint is still being written after Stop returned")
	}
	b.sys.ckMu.Unlock()
	tmp, err := readDirNames(filepath.Join(dir, tmpDir))
	if err != nil || len(tmp) != 0 {
		t.Fatalf(".tmp holds %v (%v) after Stop", tmp, err)
	}
	sameState(t, "replay after checkpoints", b.st, replay(t, dir))
}

func TestDamagedCheckpoint(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir)
	a.startPrimary(t)
	a.mkdirs(t, "/d", 1, 30)
	if _, err := a.sys.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	l, err := list(dir)
	if err != nil || len(l.checkpoints) != 1 {
		t.Fatalf("checkpoints %+v, %v", l, err)
	}
	path := l.checkpoints[0].path
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x10
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b := newNode(t, "b", dir)
	err = b.sys.Start(context.Background())
	if err == nil || !errors.Is(err, errs.ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Start = %v, want a corrupt checkpoint error naming %s", err, path)
	}
	if b.st.LastSequence() != 0 || b.st.InodeCount() != 1 {
		t.Fatalf("state half loaded: last %d, %d inodes", b.st.LastSequence(), b.st.InodeCount())
	}
}
