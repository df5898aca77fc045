package raftjournal

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/journal/journaltest"
)

// raftCluster is three masters replicating with Raft on loopback.
type raftCluster struct {
	peers []Peer
	dirs  []string
	sys   []*System
}

func TestConformance(t *testing.T) {
	journaltest.Run(t, func(t *testing.T) journaltest.Cluster {
		c := &raftCluster{sys: make([]*System, 3)}
		base := t.TempDir()
		for i, a := range freeAddrs(t, 3) {
			c.peers = append(c.peers, Peer{JournalAddress: a, RPCAddress: fmt.Sprintf("master%d:19998", i)})
			c.dirs = append(c.dirs, filepath.Join(base, fmt.Sprintf("m%d", i)))
		}
		return c
	})
}

func (c *raftCluster) Members() int { return len(c.peers) }

func (c *raftCluster) Open(t *testing.T, i int, sm journal.StateMachine) journal.System {
	t.Helper()
	// The suite moves leadership by transfer, not by timeouts.
	sys, err := New(Options{DataDir: c.dirs[i], LocalAddress: c.peers[i].JournalAddress, Peers: c.peers,
		ElectionTimeoutMin: steadyTimeout, StateMachine: sm, Logger: testLogger(t, fmt.Sprintf("m%d", i)),
		OnFatal: func(err error) { t.Errorf("member %d: fatal: %v", i, err) }})
	if err != nil {
		t.Fatal(err)
	}
	c.sys[i] = sys
	t.Cleanup(func() { _ = sys.Stop() })
	return sys
}

// Elect waits for a leader and hands leadership to member i when another
// member has it.
func (c *raftCluster) Elect(t *testing.T, i int) {
	eventually(t, fmt.Sprintf("member %d to lead", i), func() bool {
		if c.sys[i].Info().Role == journal.RolePrimary {
			return true
		}
		for j, s := range c.sys {
			if j != i && s.Info().Role == journal.RolePrimary {
				_ = s.TransferLeadership(c.peers[i].JournalAddress)
			}
		}
		return false
	})
}

// Depose hands member i's leadership to another member.
func (c *raftCluster) Depose(t *testing.T, i int) {
	if c.sys[i].Info().Role != journal.RolePrimary {
		return // it lost leadership by itself
	}
	for j := range c.peers {
		if j != i {
			if err := c.sys[i].TransferLeadership(c.peers[j].JournalAddress); err == nil {
				return
			}
		}
	}
	t.Fatalf("member %d could not hand its leadership to any other member", i)
}
