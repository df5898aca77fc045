// Package journaltest is the conformance suite of journal.System: every
// journal implementation runs Run with a Cluster of its own kind, and the
// suite checks the contract the master relies on with a small state
// machine of its own (StateMachine), so no master code is involved.
//
//	func TestConformance(t *testing.T) {
//		journaltest.Run(t, func(t *testing.T) journaltest.Cluster { return newTestCluster(t) })
//	}
package journaltest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
)

// waitFor bounds every wait of the suite; none sleeps a fixed time.
const waitFor = 30 * time.Second

// Cluster is a set of journal members of one kind, built fresh for each
// test of the suite. Members share (UFS journal: a folder) or replicate
// (embedded journal) one journal.
type Cluster interface {
	// Members is the number of members; at least 2.
	Members() int
	// Open builds member i's journal over its storage, feeding sm, not
	// started. Storage outlives the System: a member opened again after
	// Stop replays what it held. The Cluster stops every System it opened
	// when the test ends and fails the test if the journal reports a fatal
	// error.
	Open(t *testing.T, i int, sm journal.StateMachine) journal.System
	// Elect makes member i primary and returns once its journal says so in
	// Info (the suite then waits for the Primacy report). Other members
	// may still believe they are primary: deposing them is the journal's
	// business.
	Elect(t *testing.T, i int)
	// Depose makes member i, the primary, lose primacy while it keeps
	// running (its lease or leadership ends).
	Depose(t *testing.T, i int)
}

// Factory builds a fresh Cluster for one test.
type Factory func(t *testing.T) Cluster

// Run runs every conformance test against clusters from f.
func Run(t *testing.T, f Factory) {
	t.Run("ProposeOnStandbyIsRefused", func(t *testing.T) { testProposeOnStandby(t, f(t)) })
	t.Run("StopTwice", func(t *testing.T) { testStopTwice(t, f(t)) })
	t.Run("RestartReplaysToTheSameSequence", func(t *testing.T) { testRestart(t, f(t)) })
	t.Run("CheckPrimaryFailsAfterDemotion", func(t *testing.T) { testDemotion(t, f(t)) })
	t.Run("OneOrderOnEveryMember", func(t *testing.T) { testOneOrder(t, f(t)) })
}

func openAll(t *testing.T, c Cluster) []*member {
	t.Helper()
	if c.Members() < 2 {
		t.Fatalf("the suite needs at least 2 members, the cluster has %d", c.Members())
	}
	ms := make([]*member, c.Members())
	for i := range ms {
		ms[i] = open(t, c, i)
	}
	return ms
}

// elect makes member i primary and waits for its Primacy report.
func elect(t *testing.T, c Cluster, ms []*member, i int) journal.Primacy {
	t.Helper()
	c.Elect(t, i)
	p := ms[i].waitRole(t, true)
	if got := ms[i].sys.Info().Role; got != journal.RolePrimary {
		t.Fatalf("member %d reported primacy but Info says %s", i, got)
	}
	return p
}

// propose proposes name on member i until it is acknowledged. A primary
// starved of CPU may lose its leadership, and then its proposal fails with
// ErrNotPrimary, perhaps to be applied later all the same; the suite then
// elects i again and proposes the same entry again, which the state
// machine answers as it did the first (as the master does a retried
// operation id), so the outcome is the same either way.
func propose(t *testing.T, c Cluster, ms []*member, i int, name string) journal.Result {
	t.Helper()
	const attempts = 5
	for n := 1; ; n++ {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		r, err := ms[i].sys.Propose(ctx, Entry(name))
		cancel()
		if err == nil {
			return r
		}
		if !errors.Is(err, errs.ErrNotPrimary) || n == attempts {
			t.Fatalf("member %d: propose %s (attempt %d): %v", i, name, n, err)
		}
		t.Logf("member %d lost primacy proposing %s (%v); electing it again", i, name, err)
		elect(t, c, ms, i)
	}
}

// converge waits until every member's state is exactly want, and every
// member has applied the same log.
func converge(t *testing.T, ms []*member, want []string) {
	t.Helper()
	eventually(t, fmt.Sprintf("every member applies the %d entries", len(want)), func() bool {
		last := ms[0].sm.LastSequence()
		for _, m := range ms {
			if len(m.sm.Applied()) < len(want) || m.sm.LastSequence() != last {
				return false
			}
		}
		return true
	})
	for _, m := range ms {
		if got := m.sm.Applied(); !slices.Equal(got, want) {
			t.Fatalf("member %d applied %v, want %v", m.i, got, want)
		}
	}
}

func testProposeOnStandby(t *testing.T, c Cluster) {
	ms := openAll(t, c)
	elect(t, c, ms, 0)
	if r := propose(t, c, ms, 0, "a"); r.Err != nil || r.InodeID != 1 {
		t.Fatalf("propose on the primary: %+v", r)
	}
	for _, m := range ms[1:] {
		_, err := m.sys.Propose(context.Background(), Entry("refused"))
		if !errors.Is(err, errs.ErrNotPrimary) {
			t.Fatalf("member %d (standby): propose answered %v, want ErrNotPrimary", m.i, err)
		}
		if err := m.sys.CheckPrimary(context.Background()); !errors.Is(err, errs.ErrNotPrimary) {
			t.Fatalf("member %d (standby): CheckPrimary answered %v, want ErrNotPrimary", m.i, err)
		}
	}
	// The refused entry is applied by no one: the next entry takes the
	// next sequence everywhere.
	next := ms[0].sm.LastSequence() + 1
	if r := propose(t, c, ms, 0, "b"); r.InodeID != int64(next) {
		t.Fatalf("the entry after a refused one has sequence %d, want %d", r.InodeID, next)
	}
	converge(t, ms, []string{"a", "b"})
}

func testStopTwice(t *testing.T, c Cluster) {
	ms := openAll(t, c)
	elect(t, c, ms, 0)
	propose(t, c, ms, 0, "a")
	for _, m := range ms {
		m.stop(t)
		if err := m.sys.Stop(); err != nil {
			t.Errorf("member %d: second stop: %v", m.i, err)
		}
		if _, err := m.sys.Propose(context.Background(), Entry("after-stop")); !errors.Is(err, errs.ErrNotPrimary) {
			t.Errorf("member %d: propose after stop answered %v, want ErrNotPrimary", m.i, err)
		}
	}
	// A System stopped before it started (a master that failed half-way
	// through start-up) stops too, and closes Primacy.
	never := c.Open(t, 0, &StateMachine{})
	for range 2 {
		if err := never.Stop(); err != nil {
			t.Errorf("stop without start: %v", err)
		}
	}
	select {
	case _, ok := <-never.Primacy():
		if ok {
			t.Errorf("a journal stopped before it started reported a role")
		}
	case <-time.After(waitFor):
		t.Errorf("Primacy of a journal stopped before it started is not closed")
	}
}

func testRestart(t *testing.T, c Cluster) {
	ms := openAll(t, c)
	elect(t, c, ms, 0)
	var want []string
	for i := range 20 {
		name := fmt.Sprintf("e%d", i)
		if i%7 == 3 {
			name = RejectPrefix + name
		}
		propose(t, c, ms, 0, name)
		want = append(want, name)
		if i == 9 {
			// Half the entries end up behind a checkpoint, so the restart
			// goes through Restore as well as replay.
			if _, err := ms[0].sys.Checkpoint(context.Background()); err != nil {
				t.Fatalf("checkpoint: %v", err)
			}
		}
	}
	converge(t, ms, want)
	log := ms[0].sm.Log()
	for _, m := range ms {
		m.stop(t)
	}
	ms = openAll(t, c)
	elect(t, c, ms, 1)
	converge(t, ms, want)
	for _, m := range ms {
		if got := m.sm.Log(); !slices.Equal(got, log) {
			t.Fatalf("member %d replayed %d entries %v, not the %d before the restart %v", m.i, len(got), got, len(log), log)
		}
	}
	// The journal goes on from where it was, not from a fresh count.
	if r := propose(t, c, ms, 1, "after-restart"); r.Err != nil || r.InodeID != int64(len(log))+1 {
		t.Fatalf("first entry after the restart: %+v, want sequence %d", r, len(log)+1)
	}
	converge(t, ms, append(want, "after-restart"))
}

func testDemotion(t *testing.T, c Cluster) {
	ms := openAll(t, c)
	first := elect(t, c, ms, 0)
	ctx := context.Background()
	if err := ms[0].sys.CheckPrimary(ctx); err != nil {
		t.Fatalf("CheckPrimary on the primary: %v", err)
	}
	propose(t, c, ms, 0, "a")
	c.Depose(t, 0)
	ms[0].waitRole(t, false)
	if err := ms[0].sys.CheckPrimary(ctx); !errors.Is(err, errs.ErrNotPrimary) {
		t.Fatalf("CheckPrimary after demotion answered %v, want ErrNotPrimary", err)
	}
	if _, err := ms[0].sys.Propose(ctx, Entry("late")); !errors.Is(err, errs.ErrNotPrimary) {
		t.Fatalf("propose after demotion answered %v, want ErrNotPrimary", err)
	}
	if got := ms[0].sys.Info().Role; got != journal.RoleStandby {
		t.Fatalf("Info after demotion says %s", got)
	}
	second := elect(t, c, ms, 1)
	if second.Epoch <= first.Epoch {
		t.Fatalf("the next primary term has epoch %d, not above %d", second.Epoch, first.Epoch)
	}
	propose(t, c, ms, 1, "b")
	converge(t, ms, []string{"a", "b"})
}

// testOneOrder proposes from several goroutines through two primary terms
// and checks that every member applied the same entries in the same order,
// each acknowledged entry once, at the sequence its proposer was told. A
// proposal that fails (a leader starved of CPU may lose its quorum) may or
// may not be applied, but at most once.
func testOneOrder(t *testing.T, c Cluster) {
	ms := openAll(t, c)
	const writers, each = 4, 25
	const uncertain = -2
	at := map[string]int64{}
	acked := map[int]int{} // term -> acknowledged proposals
	var mu sync.Mutex
	burst := func(m *member, term int) {
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					name := fmt.Sprintf("t%d-w%d-%d", term, w, i)
					if i%10 == 9 {
						name = RejectPrefix + name
					}
					ctx, cancel := context.WithTimeout(context.Background(), waitFor)
					r, err := m.sys.Propose(ctx, Entry(name))
					cancel()
					seq := r.InodeID
					switch {
					case err != nil:
						t.Logf("member %d: propose %s: %v", m.i, name, err)
						seq = uncertain
					case r.Err != nil:
						seq = -1 // a rejection does not say where it landed
					}
					mu.Lock()
					at[name] = seq
					if seq != uncertain {
						acked[term]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	elect(t, c, ms, 0)
	burst(ms[0], 1)
	c.Depose(t, 0)
	ms[0].waitRole(t, false)
	elect(t, c, ms, 1)
	burst(ms[1], 2)
	if acked[1] == 0 || acked[2] == 0 {
		t.Fatalf("no proposal acknowledged in a term (%v): the test saw nothing", acked)
	}
	want := uint64(acked[1] + acked[2])
	eventually(t, "every member applies the same entries, every acknowledged one among them", func() bool {
		last := ms[0].sm.LastSequence()
		for _, m := range ms {
			if s := m.sm.LastSequence(); s != last || s < want {
				return false
			}
		}
		return true
	})
	// The raw log: an entry applied twice must show.
	ref := ms[0].sm.Log()
	for _, m := range ms[1:] {
		if got := m.sm.Log(); !slices.Equal(got, ref) {
			t.Fatalf("member %d applied another order than member 0:\n%v\n%v", m.i, got, ref)
		}
	}
	for i, name := range ref {
		seq, ok := at[name]
		if !ok {
			t.Fatalf("entry %q applied at %d was never proposed, or applied twice", name, i+1)
		}
		if seq >= 0 && seq != int64(i+1) {
			t.Fatalf("entry %q applied at %d, its proposer was told %d", name, i+1, seq)
		}
		delete(at, name)
	}
	for name, seq := range at {
		if seq != uncertain {
			t.Fatalf("acknowledged entry %q was never applied", name)
		}
	}
}
