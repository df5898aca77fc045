package raftjournal

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
)

func TestTransferLeadership(t *testing.T) {
	c := newCluster(t, 3, nil)
	leader := c.waitLeader()
	fs := c.followers(leader)
	proposeN(t, leader, "/a", 5)

	checks := []struct {
		name string
		on   *node
		to   string
		want error
		text string
	}{
		{"non-member", leader, "127.0.0.1:1", errs.ErrNotFound, "not a member"},
		{"asked of a standby", fs[0], fs[1].addr, errs.ErrNotPrimary, c.rpcOf(leader)},
		{"to the leader, asked of a standby", fs[0], leader.addr, errs.ErrPrecondition, "already the leader"},
		{"to itself", leader, leader.addr, errs.ErrPrecondition, "already the leader"},
	}
	for _, ck := range checks {
		err := ck.on.sys.TransferLeadership(ck.to)
		if !errors.Is(err, ck.want) || !strings.Contains(err.Error(), ck.text) {
			t.Errorf("%s: %v", ck.name, err)
		}
	}

	start := time.Now()
	if err := leader.sys.TransferLeadership(fs[1].addr); err != nil {
		t.Fatal(err)
	}
	if got := c.waitLeader(); got != fs[1] {
		t.Fatalf("leader is %s, want %s", got.name, fs[1].name)
	}
	t.Logf("leadership transferred in %v", time.Since(start))
	if ev := leader.primacyEvents(); len(ev) == 0 || ev[len(ev)-1].Primary {
		t.Fatalf("former leader's primacy events %v", ev)
	}
	proposeN(t, fs[1], "/b", 5)
	if seq, _ := c.waitConverged(fs[1]); seq != 10 {
		t.Fatalf("sequence %d", seq)
	}
}

func TestMembership(t *testing.T) {
	c := newCluster(t, 3, nil)
	leader := c.waitLeader()
	fs := c.followers(leader)
	b, gone := fs[0], fs[1]
	proposeN(t, leader, "/a", 10)

	refusals := []struct {
		name string
		on   *node
		addr string
		want error
		text string
	}{
		{"asked of a standby", b, gone.addr, errs.ErrNotPrimary, "standby"},
		{"non-member", leader, "127.0.0.1:1", errs.ErrNotFound, "not a member"},
		{"the leader itself", leader, leader.addr, errs.ErrPrecondition, "transfer leadership first"},
	}
	for _, r := range refusals {
		if err := r.on.sys.RemoveMember(r.addr); !errors.Is(err, r.want) || !strings.Contains(err.Error(), r.text) {
			t.Errorf("remove, %s: %v", r.name, err)
		}
	}
	if err := leader.sys.RemoveMember(gone.addr); err != nil {
		t.Fatal(err)
	}
	c.stop(indexOf(c, gone), false)
	members := mustMembers(t, leader, 2)
	for _, m := range members {
		if m.Address == gone.addr || !m.Available || !m.Voter || m.Leader != (m.Address == leader.addr) {
			t.Fatalf("members after removal: %+v", members)
		}
	}
	proposeN(t, leader, "/b", 5)

	// A new master: it runs first, with an empty directory, waiting to be added.
	addr := freeAddrs(t, 1)[0]
	c.peers = append(c.peers, Peer{JournalAddress: addr, RPCAddress: "master-new:19998"})
	d := &node{name: "new", addr: addr, dir: filepath.Join(t.TempDir(), "new")}
	c.nodes = append(c.nodes, d)
	if err := leader.sys.AddMember(addr, "master-new:19998"); !errors.Is(err, errs.ErrUnavailable) {
		t.Fatalf("add before the master runs: %v", err)
	}
	if err := leader.sys.AddMember("no-port", "x:1"); !errors.Is(err, errs.ErrInvalidArg) {
		t.Fatalf("add a bad address: %v", err)
	}
	c.start(len(c.nodes)-1, func(o *Options) { o.Join = true })
	if err := b.sys.AddMember(addr, "master-new:19998"); !errors.Is(err, errs.ErrNotPrimary) {
		t.Fatalf("add asked of a standby: %v", err)
	}
	if err := leader.sys.AddMember(addr, "master-new:19998"); err != nil {
		t.Fatal(err)
	}
	if seq, _ := c.waitConverged(leader); seq != 15 {
		t.Fatalf("sequence %d on the new member", seq)
	}
	if d.sys.Info().Leader != c.rpcOf(leader) {
		t.Fatalf("new member's leader %q", d.sys.Info().Leader)
	}
	for _, m := range mustMembers(t, leader, 3) {
		if m.Address == addr && m.RPCAddress != "master-new:19998" {
			t.Fatalf("new member %+v", m)
		}
	}
	if err := leader.sys.AddMember(addr, "master-new:19998"); !errors.Is(err, errs.ErrAlreadyExists) {
		t.Fatalf("add twice: %v", err)
	}

	// With the new member down, removing a live one would leave no majority
	// answering; removing the dead one is fine.
	c.stop(len(c.nodes)-1, true)
	eventually(t, "the leader to see the new member down", func() bool {
		for _, m := range mustMembers(t, leader, 3) {
			if m.Address == addr {
				return !m.Available
			}
		}
		return false
	})
	if err := leader.sys.RemoveMember(b.addr); !errors.Is(err, errs.ErrPrecondition) || !strings.Contains(err.Error(), "not a majority") {
		t.Fatalf("remove leaving no majority: %v", err)
	}
	if err := leader.sys.RemoveMember(addr); err != nil {
		t.Fatal(err)
	}
	mustMembers(t, leader, 2)
	proposeN(t, leader, "/c", 5)
	if seq, _ := c.waitConverged(leader); seq != 20 {
		t.Fatalf("sequence %d", seq)
	}
}

func mustMembers(t *testing.T, n *node, want int) []journal.QuorumMember {
	t.Helper()
	m, err := n.sys.Members()
	if err != nil || len(m) != want {
		t.Fatalf("members of %s: %+v, %v (want %d)", n.name, m, err, want)
	}
	return m
}

func TestCheckpointOnEmptyJournal(t *testing.T) {
	c := newCluster(t, 1, nil)
	n := c.waitLeader()
	// Only the bootstrap configuration and the leader's no-op are logged.
	seq, err := n.sys.Checkpoint(context.Background())
	if err != nil || seq != 0 {
		t.Fatalf("checkpoint of an empty journal: %d, %v", seq, err)
	}
}
