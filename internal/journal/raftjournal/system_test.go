package raftjournal

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/master/state"
)

func TestReplication(t *testing.T) {
	c := newCluster(t, 3, nil)
	leader := c.waitLeader()
	proposeN(t, leader, "/a", 20)
	seq, _ := c.waitConverged(leader)
	if seq != 20 {
		t.Fatalf("sequence %d after 20 entries", seq)
	}
	if _, err := leader.st.Stat("/a/d19"); err != nil {
		t.Fatal(err)
	}

	info := leader.sys.Info()
	if info.Type != "EMBEDDED" || info.Role != journal.RolePrimary || info.LastApplied != 20 || info.Epoch == 0 {
		t.Fatalf("leader info %+v", info)
	}
	if ev := leader.primacyEvents(); len(ev) == 0 || ev[len(ev)-1] != (journal.Primacy{Primary: true, Epoch: info.Epoch}) {
		t.Fatalf("leader primacy events %v, epoch %d", ev, info.Epoch)
	}
	if err := leader.sys.CheckPrimary(context.Background()); err != nil {
		t.Fatalf("check primary on the leader: %v", err)
	}
	// A result is the state machine's own: a second create of the same
	// directory is rejected by Apply, on every replica alike.
	dup := mkdir("/a")
	dup.GetCreateDirectory().Recursive = false
	r, err := leader.sys.Propose(context.Background(), dup)
	if err != nil || !errors.Is(r.Err, errs.ErrAlreadyExists) {
		t.Fatalf("duplicate mkdir: %v / %v", err, r.Err)
	}

	for _, f := range c.followers(leader) {
		fi := f.sys.Info()
		if fi.Role != journal.RoleStandby || fi.Leader != c.rpcOf(leader) {
			t.Fatalf("%s info %+v", f.name, fi)
		}
		_, err := f.sys.Propose(context.Background(), mkdir("/nope"))
		if !errors.Is(err, errs.ErrNotPrimary) || !strings.Contains(err.Error(), c.rpcOf(leader)) {
			t.Fatalf("propose on standby %s: %v", f.name, err)
		}
		if err := f.sys.CheckPrimary(context.Background()); !errors.Is(err, errs.ErrNotPrimary) {
			t.Fatalf("check primary on standby %s: %v", f.name, err)
		}
	}
	seq, _ = c.waitConverged(leader)
	if seq != 21 {
		t.Fatalf("sequence %d after 21 entries", seq)
	}
}

func TestFailover(t *testing.T) {
	c := newCluster(t, 3, nil)
	old := c.waitLeader()
	proposeN(t, old, "/a", 10)
	oldIdx := indexOf(c, old)

	// A leader that stops hands over first.
	start := time.Now()
	c.stop(oldIdx, false)
	leader := c.waitLeader()
	t.Logf("graceful stop: new leader %s after %v", leader.name, time.Since(start))
	if ev := old.primacyEvents(); len(ev) < 2 || ev[len(ev)-1].Primary {
		t.Fatalf("stopped leader's primacy events %v", ev)
	}
	proposeN(t, leader, "/b", 10)

	c.start(oldIdx)
	c.waitConverged(leader)

	// One that crashes is replaced after an election timeout.
	oldEpoch := leader.sys.Info().Epoch
	start = time.Now()
	c.stop(indexOf(c, leader), true)
	next := c.waitLeader()
	took := time.Since(start)
	t.Logf("abrupt stop: new leader %s after %v (election timeout %v..%v)", next.name, took, testTimeout, 2*testTimeout)
	// The bound catches a cluster that does not elect (a second election
	// timeout of 400-800ms, a few rounds lost to split votes), with room
	// for two busy cores under the race detector; its speed is
	// BenchmarkEmbeddedFailover* in tests/e2e.
	if took > 25*testTimeout {
		t.Errorf("failover took %v", took)
	}
	if next.sys.Info().Epoch <= oldEpoch {
		t.Errorf("epoch did not grow: %d after %d", next.sys.Info().Epoch, oldEpoch)
	}
	proposeN(t, next, "/c", 10)
	seq, _ := c.waitConverged(next)
	if seq != 30 {
		t.Fatalf("sequence %d after 30 entries", seq)
	}
}

func TestFullRestart(t *testing.T) {
	c := newCluster(t, 3, steady)
	leader := c.waitLeader()
	proposeN(t, leader, "/a", 20)
	c.waitConverged(leader)
	// Each member snapshots on its own; the restart then loads a snapshot
	// and replays the log after it.
	for _, n := range c.nodes {
		seq, err := n.sys.Checkpoint(context.Background())
		if err != nil || seq != 20 {
			t.Fatalf("%s checkpoint: %d, %v", n.name, seq, err)
		}
	}
	proposeN(t, leader, "/b", 10)
	wantSeq, wantSum := c.waitConverged(leader)

	for i := range c.nodes {
		c.stop(i, false)
	}
	for i := range c.nodes {
		c.start(i)
		if got := c.nodes[i].st.LastSequence(); got < 20 {
			t.Errorf("%s loaded sequence %d at start, want the snapshot's 20 or more", c.nodes[i].name, got)
		}
	}
	leader = c.waitLeader()
	seq, sum := c.waitConverged(leader)
	if seq != wantSeq || sum != wantSum {
		t.Fatalf("after restart: sequence %d %s, want %d %s", seq, sum, wantSeq, wantSum)
	}
	if leader.sys.Info().LastCheckpoint != 20 {
		t.Errorf("last checkpoint %d, want 20", leader.sys.Info().LastCheckpoint)
	}
	proposeN(t, leader, "/c", 5)
	if seq, _ := c.waitConverged(leader); seq != wantSeq+5 {
		t.Fatalf("sequence %d", seq)
	}
}

// A member whose directory is lost comes back empty, bootstraps the same
// quorum as before, and gets a snapshot: the log it would need is compacted.
func TestWipedMemberCatchesUpFromSnapshot(t *testing.T) {
	c := newCluster(t, 3, func(o *Options) {
		steady(o)
		o.SnapshotPeriod = 20
		o.TrailingLogs = 5
		o.SnapshotCheckInterval = 20 * time.Millisecond
		// Small segments, so compaction drops entries the wiped member
		// would otherwise be sent instead of the snapshot.
		o.SegmentSize = 2048
	})
	leader := c.waitLeader()
	proposeN(t, leader, "/a", 60)
	c.waitConverged(leader)
	eventually(t, "snapshots and compaction everywhere", func() bool {
		for _, n := range c.nodes {
			first, err := n.sys.store.FirstIndex()
			if err != nil || first <= 1 || n.sys.Info().LastCheckpoint == 0 {
				return false
			}
		}
		return true
	})

	victim := c.followers(leader)[0]
	vi := indexOf(c, victim)
	c.stop(vi, false)
	wipe(t, victim.dir)
	proposeN(t, leader, "/b", 30)

	var sm *countingSM
	c.start(vi, func(o *Options) {
		sm = &countingSM{State: victim.st}
		o.StateMachine = sm
	})
	// It has nothing of its own to start from; the leader's snapshot may
	// already have arrived (Start serves the transport), nothing else.
	if seq := victim.st.LastSequence(); seq != 0 && sm.restores.Load() == 0 {
		t.Fatalf("wiped member starts at %d without a snapshot", seq)
	}
	seq, _ := c.waitConverged(leader)
	if seq != 90 {
		t.Fatalf("sequence %d after 90 entries", seq)
	}
	if sm.restores.Load() == 0 {
		t.Fatal("wiped member caught up without a snapshot")
	}
	select {
	case err := <-victim.fatal:
		t.Fatal(err)
	default:
	}
}

// A leader that loses its quorum stops vouching for reads within about an
// election timeout, and cannot commit. The timeout is steadyTimeout, so the
// leader does not lose its lease before the followers are stopped.
func TestLeaderWithoutQuorum(t *testing.T) {
	c := newCluster(t, 3, steady)
	leader := c.waitLeader()
	proposeN(t, leader, "/a", 5)
	for _, f := range c.followers(leader) {
		c.stop(indexOf(c, f), true)
	}
	start := time.Now()
	eventually(t, "check primary to fail", func() bool {
		return leader.sys.CheckPrimary(context.Background()) != nil
	})
	took := time.Since(start)
	t.Logf("check primary failed %v after the quorum was lost", took)
	// About an election timeout; the bound, with room for two busy cores
	// under the race detector, catches a leader that goes on vouching.
	if took > 3*steadyTimeout {
		t.Errorf("a leader without quorum vouched for reads for %v", took)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r, err := leader.sys.Propose(ctx, mkdir("/lost"))
	if err == nil {
		t.Fatalf("propose without quorum succeeded: %+v", r)
	}
	t.Logf("propose without quorum: %v", err)
	eventually(t, "primacy to end", func() bool {
		ev := leader.primacyEvents()
		return len(ev) > 0 && !ev[len(ev)-1].Primary
	})
	if _, err := leader.st.Stat("/lost"); err == nil {
		t.Fatal("an uncommitted entry was applied")
	}
}

func TestSingleMaster(t *testing.T) {
	c := newCluster(t, 1, nil)
	n := c.waitLeader()
	proposeN(t, n, "/a", 3)
	if err := n.sys.RemoveMember(n.addr); !errors.Is(err, errs.ErrPrecondition) || !strings.Contains(err.Error(), "last member") {
		t.Fatalf("remove the only member: %v", err)
	}
	if err := n.sys.TransferLeadership(n.addr); !errors.Is(err, errs.ErrPrecondition) {
		t.Fatalf("transfer to itself: %v", err)
	}
	if err := n.sys.Start(context.Background()); err == nil {
		t.Fatal("second start succeeded")
	}

	// A second master on the same directory is refused, not let in.
	o := c.options(n)
	o.StateMachine = state.New(state.Options{})
	o.LocalAddress = freeAddrs(t, 1)[0]
	o.Peers = []Peer{{JournalAddress: o.LocalAddress}}
	other, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	// The refusal names the master that holds the directory.
	if err := other.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "is held by master "+n.addr+" (embedded journal) (pid") {
		t.Fatalf("second master on one directory: %v", err)
	}
	if err := other.Stop(); err != nil {
		t.Fatal(err)
	}

	sys := n.sys
	c.stop(0, false)
	if err := sys.Stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
}

func TestOptionsValidation(t *testing.T) {
	good := Options{DataDir: "/tmp/x", LocalAddress: "a:1", Peers: []Peer{{JournalAddress: "a:1"}}, StateMachine: state.New(state.Options{})}
	cases := map[string]func(o *Options){
		"a data directory":    func(o *Options) { o.DataDir = "" },
		"state machine":       func(o *Options) { o.StateMachine = nil },
		"addresses is empty":  func(o *Options) { o.Peers = nil },
		"does not include":    func(o *Options) { o.LocalAddress = "b:1" },
		"twice":               func(o *Options) { o.Peers = append(o.Peers, o.Peers[0]) },
		"entry \"nope\"":      func(o *Options) { o.Peers = append(o.Peers, Peer{JournalAddress: "nope"}) },
		"timeout.max (1s)":    func(o *Options) { o.ElectionTimeoutMin, o.ElectionTimeoutMax = 2*time.Second, time.Second },
		"at least 10ms":       func(o *Options) { o.ElectionTimeoutMin = time.Millisecond },
		"journal address (\"": func(o *Options) { o.LocalAddress = "x" },
	}
	for want, mut := range cases {
		o := good
		mut(&o)
		if _, err := New(o); !errors.Is(err, errs.ErrInvalidArg) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
	s, err := New(good)
	if err != nil {
		t.Fatal(err)
	}
	conf := s.opts.raftConfig()
	if conf.HeartbeatTimeout != time.Second || conf.ElectionTimeout != time.Second || conf.LeaderLeaseTimeout != 500*time.Millisecond {
		t.Fatalf("raft timers %v %v %v", conf.HeartbeatTimeout, conf.ElectionTimeout, conf.LeaderLeaseTimeout)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
}

// countingSM counts the snapshots a state machine is restored from.
type countingSM struct {
	*state.State
	restores atomic.Int32
}

func (c *countingSM) Restore(r io.Reader, name string) error {
	c.restores.Add(1)
	return c.State.Restore(r, name)
}

func indexOf(c *cluster, n *node) int {
	for i, m := range c.nodes {
		if m == n {
			return i
		}
	}
	return -1
}
