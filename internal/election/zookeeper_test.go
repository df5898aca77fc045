package election

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// TestZooKeeperElection: three selectors on a three-server ensemble; one
// primary at a time, a graceful stop hands over at once, and a selector
// whose session is torn down steps down and comes back with a new epoch.
func TestZooKeeperElection(t *testing.T) {
	e := startEnsemble(t, 3)
	g := newGroup(t, e.Servers())
	a, b, c := g.add("a", 19998), g.add("b", 19997), g.add("c", 19996)
	all := []*member{a, b, c}

	first := g.waitWin(0)
	t.Logf("first primary %s, epoch %d", first.m.name, first.epoch)
	testcluster.WaitFor(t, waitLong, poll, func() (bool, string) {
		if !first.m.z.Valid() {
			return false, first.m.name + " is primary but not Valid"
		}
		for _, m := range all {
			if got := m.z.Leader(); got != first.m.addr {
				return false, fmt.Sprintf("%s: Leader() = %q, want %q", m.name, got, first.m.addr)
			}
		}
		return true, ""
	})
	if first.m.log.count("creating zk path: /alluxio/leader/"+first.m.addr) != 1 {
		t.Errorf("%s did not log creating its leader znode", first.m.name)
	}
	if g.winCount() != 1 {
		t.Fatalf("%d terms, want 1", g.winCount())
	}

	// A graceful stop closes the session: the next candidate's watch fires
	// at once instead of after the session timeout.
	t0 := time.Now()
	g.stop(first.m)
	second := g.waitWin(1)
	handover := second.at.Sub(t0)
	t.Logf("handover after Stop of %s: %s primary after %v (epoch %d -> %d)",
		first.m.name, second.m.name, handover.Round(time.Millisecond), first.epoch, second.epoch)
	// Waiting for the session to expire would take the session timeout
	// at least; a closed session hands over at once (milliseconds, more on
	// two busy cores under the race detector).
	if handover >= testSession {
		t.Errorf("handover took %v; a stop must not wait for the session timeout (%v)", handover, testSession)
	}
	if first.m.log.count("deleting zk path: /alluxio/leader/"+first.m.addr) != 1 {
		t.Errorf("%s did not log deleting its leader znode", first.m.name)
	}
	// Stop ends the term by closing Changes, as the journal expects.
	if _, ok := <-first.m.z.Changes(); ok {
		t.Errorf("%s: Changes still open after Stop", first.m.name)
	}
	if err := first.m.z.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}

	// Tear down the primary's session twice, so that the first victim,
	// back with a new session, wins again with a higher epoch. Closing a
	// client deletes its znodes at once while the client may still believe
	// it is connected for a moment: nothing a selector could see coming,
	// so the overlap check looks away while it happens.
	prev := second
	for round := 2; round <= 3; round++ {
		victim := prev.m
		g.mu.Lock()
		g.skipOverlap = true
		g.mu.Unlock()
		oldNode := victim.electionZnode()
		t0 := time.Now()
		victim.closeClient()
		victim.waitDemoted(t, waitLong)
		demoted := time.Since(t0)
		g.mu.Lock()
		g.skipOverlap = false
		g.mu.Unlock()
		next := g.waitWin(round)
		t.Logf("session of %s closed: demoted after %v; %s primary after %v (epoch %d -> %d)",
			victim.name, demoted.Round(time.Millisecond), next.m.name, next.at.Sub(t0).Round(time.Millisecond),
			prev.epoch, next.epoch)
		if next.m == victim {
			t.Errorf("%s won again although the other survivor was queued before its new znode", victim.name)
		}
		// Queued again before the next round, so the next round's winner
		// is known.
		testcluster.WaitFor(t, waitLong, poll, func() (bool, string) {
			n := victim.electionZnode()
			return n != "" && n != oldNode, victim.name + " has not joined again with a new znode"
		})
		prev = next
	}
	for _, m := range all {
		if _, n := m.lastRole(); n == 0 {
			t.Errorf("%s was never primary; want every member to have led once", m.name)
		}
	}
}

// TestZooKeeperNegotiatedTimeout checks that the selector learns the
// session timeout the server granted, which its lease depends on, from
// the zk client version in go.mod.
func TestZooKeeperNegotiatedTimeout(t *testing.T) {
	e := startEnsemble(t, 1)
	g := newGroup(t, e.Servers())
	// The ensemble's tick of 500ms caps sessions at 20 ticks.
	m := g.add("m", 19998, func(c *ZKConfig) { c.SessionTimeout = 30 * time.Second })
	testcluster.WaitFor(t, waitLong, poll, func() (bool, string) {
		got := m.sessionTimeout()
		return got == 10*time.Second, fmt.Sprintf("negotiated session timeout %v, want 10s", got)
	})
	g.waitWin(0)
}

// TestZooKeeperDeletedElectionZnode: an operator deleting the primary's
// znode by hand makes it step down and queue again with a new epoch.
func TestZooKeeperDeletedElectionZnode(t *testing.T) {
	e := startEnsemble(t, 1)
	g := newGroup(t, e.Servers())
	a := g.add("a", 19998)
	first := g.waitWin(0)
	b := g.add("b", 19997)
	testcluster.WaitFor(t, waitLong, poll, func() (bool, string) {
		return b.electionZnode() != "", "b has no election znode yet"
	})

	conn, _, err := zk.Connect(e.Servers(), 10*time.Second, zk.WithLogger(&zkLogger{log: b.log.logger(), onTimeout: func(int64) {}}))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	node := a.electionZnode()
	if err := conn.Delete(node, -1); err != nil {
		t.Fatalf("deleting %s: %v", node, err)
	}
	a.waitDemoted(t, waitLong)
	second := g.waitWin(1)
	t.Logf("after deleting %s: %s primary, epoch %d -> %d", node, second.m.name, first.epoch, second.epoch)
	if second.m != b {
		t.Errorf("%s is primary; want b, which was queued before a's new znode", second.m.name)
	}

	// Deleting the whole election path restarts sequence numbers; epochs
	// must still grow (the group checks every term's epoch).
	testcluster.WaitFor(t, waitLong, poll, func() (bool, string) {
		children, _, err := conn.Children("/alluxio/election")
		for _, c := range children {
			conn.Delete("/alluxio/election/"+c, -1)
		}
		if err == nil {
			err = conn.Delete("/alluxio/election", -1)
		}
		return err == nil, fmt.Sprintf("deleting /alluxio/election: %v", err)
	})
	third := g.waitWin(2)
	t.Logf("after deleting /alluxio/election: %s primary, epoch %d -> %d", third.m.name, second.epoch, third.epoch)
}
