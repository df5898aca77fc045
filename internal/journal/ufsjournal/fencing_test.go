package ufsjournal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/master/state"
)

// TestFencing: B takes the journal over from a live primary A. A's next
// write is refused, A steps down and follows B, and nothing A wrote after B
// began is ever applied.
func TestFencing(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir)
	ea := a.startPrimary(t)
	a.mkdirs(t, "/a", 1, 10)

	b := newNode(t, "b", dir)
	eb := b.startPrimary(t)
	if eb <= ea {
		t.Fatalf("B's epoch %d is not newer than A's %d", eb, ea)
	}
	sameState(t, "B caught up", a.st, b.st)

	if _, err := a.sys.Propose(context.Background(), mkdir("/a-late")); !isNotPrimary(err) {
		t.Fatalf("deposed primary's Propose: %v", err)
	}
	a.waitRole(t, false)
	if err := a.sys.CheckPrimary(context.Background()); !isNotPrimary(err) {
		t.Fatalf("deposed primary's CheckPrimary: %v", err)
	}
	if _, err := a.sys.Propose(context.Background(), mkdir("/a-later")); !isNotPrimary(err) {
		t.Fatalf("second Propose after fencing: %v", err)
	}
	if _, err := a.st.Stat("/a-late"); err == nil {
		t.Fatal("the deposed primary applied its own refused entry")
	}

	b.mkdirs(t, "/b", 1, 10)
	// A is a standby now and follows B.
	want := b.st.LastSequence()
	eventually(t, "deposed primary follows", func() bool { return a.st.LastSequence() == want })
	sameState(t, "deposed primary follows", b.st, a.st)

	c := replay(t, dir)
	sameState(t, "replay", b.st, c)
	if _, err := c.Stat("/a-late"); err == nil {
		t.Fatal("an entry of the deposed primary was applied")
	}
}

// TestFencingMidStream: B claims the journal while A's proposers are busy.
// The replayed journal equals B's state, holds every entry A acknowledged,
// and none that A refused: an entry A wrote after B's epoch marker but before
// B read A's segment is part of the journal, and A answers it as committed;
// one past the point where B's segment starts is refused and never applied.
func TestFencingMidStream(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir)
	a.startPrimary(t)

	type outcome struct {
		path string
		seq  uint64
		err  error
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		outcomes []outcome
		count    atomic.Int64
	)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				p := fmt.Sprintf("/a%d-%d", g, i)
				e := mkdir(p)
				r, err := a.sys.Propose(context.Background(), e)
				if err == nil {
					err = r.Err
				}
				mu.Lock()
				outcomes = append(outcomes, outcome{p, e.Sequence, err})
				mu.Unlock()
				if err != nil {
					return
				}
				count.Add(1)
			}
		}(g)
	}
	eventually(t, "A writes", func() bool { return count.Load() >= 100 })

	b := newNode(t, "b", dir)
	b.startPrimary(t)
	wg.Wait()
	b.mkdirs(t, "/b", 1, 20)

	l, err := list(dir)
	if err != nil {
		t.Fatal(err)
	}
	var bFirst uint64
	for _, s := range l.segments {
		if s.epoch == b.sys.Info().Epoch && (bFirst == 0 || s.first < bFirst) {
			bFirst = s.first
		}
	}
	c := replay(t, dir)
	sameState(t, "replay equals the new primary", b.st, c)
	acked, refused := 0, 0
	for _, o := range outcomes {
		_, statErr := c.Stat(o.path)
		switch {
		case o.err == nil:
			acked++
			if statErr != nil {
				t.Fatalf("acknowledged entry %s (sequence %d) lost", o.path, o.seq)
			}
		case !isNotPrimary(o.err):
			t.Fatalf("%s: error %v, want not-primary", o.path, o.err)
		default:
			refused++
			if statErr == nil {
				t.Fatalf("entry %s (sequence %d) was refused with %q, but applied (B starts at %d)", o.path, o.seq, o.err, bFirst)
			}
			if o.seq != 0 && o.seq < bFirst {
				t.Fatalf("entry %s (sequence %d) below B's start %d was refused", o.path, o.seq, bFirst)
			}
		}
	}
	t.Logf("A: %d acknowledged, %d refused; B starts at %d", acked, refused, bFirst)
	if refused == 0 {
		t.Fatal("no proposal of A was refused")
	}
}

// TestLateFirstSegment: B claims an epoch and catches up, then pauses
// before it opens its segment; meanwhile C claims a newer epoch and writes.
// When B wakes up, the segment it opens must not cut C's chain short.
func TestLateFirstSegment(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir)
	a.startPrimary(t)
	a.mkdirs(t, "/a", 1, 10)

	// B's promotion, up to its pause.
	sb := state.New(state.Options{})
	eb, err := claimEpoch(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&follower{dir: dir, sm: sb}).catchUp(toEnd); err != nil {
		t.Fatal(err)
	}
	// A writes once more and finds itself fenced; it learns what became of
	// the entry only once a newer primary has opened its segment.
	late := make(chan error, 1)
	go func() {
		r, err := a.sys.Propose(context.Background(), mkdir("/a-late"))
		if err == nil {
			err = r.Err
		}
		late <- err
	}()
	eventually(t, "A writes its entry", func() bool {
		n := 0
		_ = ReadEntries(dir, 11, func(string, *journalpb.Entry) error { n++; return nil })
		return n == 1
	})

	c := newNode(t, "c", dir)
	if ec := c.startPrimary(t); ec <= eb {
		t.Fatalf("C's epoch %d, B's %d", ec, eb)
	}
	// C read A's entry (A's segment was the open end of the journal), so A
	// answers it as committed.
	if err := <-late; err != nil {
		t.Fatalf("A's entry that C applied was answered %v", err)
	}
	if _, err := c.st.Stat("/a-late"); err != nil {
		t.Fatal(err)
	}
	c.mkdirs(t, "/c", 1, 5)

	// B wakes up.
	w := &writer{dir: dir, epoch: eb, sm: sb, maxSize: 1 << 20, flushes: new(atomic.Uint64),
		onApplied: func(int) {}, onFenced: func() {}, onFailed: func(error) {}}
	err = openWriter(w)
	if err == nil {
		w.close()
		t.Fatal("a deposed primary opened a segment")
	}
	if !isNotPrimary(err) {
		t.Fatalf("openWriter: %v", err)
	}
	for _, name := range segmentFiles(t, dir) {
		if strings.HasPrefix(name, hex16(eb)+"-") {
			t.Fatalf("B's segment %s is left behind", name)
		}
	}
	c.mkdirs(t, "/c", 6, 8)
	if err := c.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	sameState(t, "replay equals C", c.st, replay(t, dir))
}

// TestTornRecordBeingWritten: a reader that meets a record cut short while
// the primary is still writing it must not call the segment damaged when the
// record (and more) is whole by the time it looks again.
func TestTornRecordBeingWritten(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir)
	a.startPrimary(t)
	a.mkdirs(t, "/d", 1, 6)
	if err := a.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	segs := segmentFiles(t, dir)
	path := filepath.Join(dir, logsDir, segs[0])
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A reader sees the file with its fourth record half written...
	off := 0
	for i := 0; i < 3; i++ {
		off += 8 + int(uint32(full[off])|uint32(full[off+1])<<8)
	}
	if err := os.WriteFile(path, full[:off+10], 0o644); err != nil {
		t.Fatal(err)
	}
	f := &follower{dir: dir, sm: state.New(state.Options{})}
	l, err := list(dir)
	if err != nil {
		t.Fatal(err)
	}
	seg := l.segments[0]
	// ...and the writer finishes before the reader looks past the tear.
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if err := os.WriteFile(path, full, 0o644); err != nil {
		t.Fatal(err)
	}
	if tornHidesRecords(path, int64(off)) {
		t.Fatal("a record completed by its writer is taken for damage")
	}
	// The follower picks up everything on its next rounds.
	if _, err := f.readSegment(seg, toEnd); err != nil {
		t.Fatal(err)
	}
	if f.sm.LastSequence() != 6 {
		t.Fatalf("follower at %d", f.sm.LastSequence())
	}
}

// TestStandbyStartsDuringTakeover: a master starts while B is taking over
// from A: B has claimed its epoch and read A's segment, but has not opened
// its own yet, and A has just written one more entry that B did not read.
// The starting master must not apply that entry, or it forks from the
// journal for good once B's segment appears.
func TestStandbyStartsDuringTakeover(t *testing.T) {
	dir := newFolder(t)
	a := newNode(t, "a", dir)
	a.startPrimary(t)
	a.mkdirs(t, "/a", 1, 10)

	// B claims and catches up, then pauses.
	sb := state.New(state.Options{})
	eb, err := claimEpoch(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&follower{dir: dir, sm: sb}).catchUp(toEnd); err != nil {
		t.Fatal(err)
	}
	// A writes once more; it is fenced, and waits to learn the cut.
	late := make(chan error, 1)
	go func() {
		r, err := a.sys.Propose(context.Background(), mkdir("/a-late"))
		if err == nil {
			err = r.Err
		}
		late <- err
	}()
	eventually(t, "A writes its entry", func() bool {
		n := 0
		_ = ReadEntries(dir, 11, func(string, *journalpb.Entry) error { n++; return nil })
		return n == 1
	})

	s := newNode(t, "standby", dir, withSelector(newManualSelector()))
	s.start(t)

	// B wakes up, opens its segment after what it read, and writes.
	w := &writer{dir: dir, epoch: eb, sm: sb, maxSize: 1 << 20, flushes: new(atomic.Uint64),
		onApplied: func(int) {}, onFenced: func() {}, onFailed: func(error) {}}
	if err := openWriter(w); err != nil {
		t.Fatal(err)
	}
	defer w.close()
	for i := 1; i <= 5; i++ {
		r, err := w.propose(context.Background(), mkdir(fmt.Sprintf("/b%d", i)))
		if err != nil || r.Err != nil {
			t.Fatalf("B: %v %v", err, r.Err)
		}
	}
	if err := <-late; !isNotPrimary(err) {
		t.Fatalf("A's entry that B never read was answered %v", err)
	}
	want := sb.LastSequence()
	eventually(t, "standby follows B", func() bool { return s.st.LastSequence() >= want })
	sameState(t, "standby", sb, s.st)
	sameState(t, "replay", sb, replay(t, dir))
}
