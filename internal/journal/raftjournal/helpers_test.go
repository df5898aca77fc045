package raftjournal

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/logging/logtest"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// waitFor bounds every wait in these tests; none sleeps a fixed time.
const waitFor = 20 * time.Second

// testTimeout is the election timeout minimum the test clusters use: short
// enough for fast failovers, long enough that heartbeats under the race
// detector on two cores do not cause spurious elections.
const testTimeout = 400 * time.Millisecond

// steadyTimeout is the election timeout of the tests whose point is not how
// fast an election is. Its lease (half of it) outlasts the pauses of a
// leader starved of CPU by the race detector on two busy cores, where
// testTimeout's 200 ms does not: the leader stepped down mid-test and a
// proposal failed with "leadership lost". The price is the first election
// of each cluster (2 to 4 s).
const steadyTimeout = 2 * time.Second

// steady makes a cluster's members use steadyTimeout.
func steady(o *Options) { o.ElectionTimeoutMin = steadyTimeout }

func testLogger(t testing.TB, name string) *slog.Logger {
	if _, bench := t.(*testing.B); bench {
		return logtest.New(t, name, slog.LevelWarn)
	}
	return logtest.New(t, name, slog.LevelInfo)
}

// freeAddrs picks n loopback addresses from the harness's port range,
// which nothing takes as an ephemeral port while a stopped member waits to
// be restarted on its address.
func freeAddrs(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	for _, p := range testcluster.FreePorts(t, n) {
		out = append(out, net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	}
	return out
}

// node is one master: its journal, state machine and data directory.
type node struct {
	name  string
	addr  string
	dir   string
	st    *state.State
	sys   *System
	fatal chan error

	mu     sync.Mutex
	events []journal.Primacy
}

func (n *node) primacyEvents() []journal.Primacy {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]journal.Primacy(nil), n.events...)
}

func (n *node) running() bool { return n.sys != nil }

type cluster struct {
	t     testing.TB
	peers []Peer
	nodes []*node
	opts  func(*Options)
}

// newCluster starts n masters on loopback, each with its own directory and
// state; opts adjusts every node's Options.
func newCluster(t testing.TB, n int, opts func(*Options)) *cluster {
	t.Helper()
	c := &cluster{t: t, opts: opts}
	base := t.TempDir()
	for i, a := range freeAddrs(t, n) {
		c.peers = append(c.peers, Peer{JournalAddress: a, RPCAddress: fmt.Sprintf("master%d:19998", i)})
		c.nodes = append(c.nodes, &node{name: fmt.Sprintf("m%d", i), addr: a, dir: filepath.Join(base, fmt.Sprintf("m%d", i))})
	}
	for i := range c.nodes {
		c.start(i)
	}
	return c
}

func (c *cluster) options(n *node) Options {
	o := Options{DataDir: n.dir, LocalAddress: n.addr, Peers: c.peers, ElectionTimeoutMin: testTimeout,
		StateMachine: n.st, Logger: testLogger(c.t, n.name),
		OnFatal: func(err error) {
			select {
			case n.fatal <- err:
			default:
			}
		}}
	if c.opts != nil {
		c.opts(&o)
	}
	return o
}

// start (re)starts node i with a fresh state over its directory.
func (c *cluster) start(i int, adjust ...func(*Options)) {
	c.t.Helper()
	n := c.nodes[i]
	n.st = state.New(state.Options{})
	n.fatal = make(chan error, 4)
	o := c.options(n)
	for _, a := range adjust {
		a(&o)
	}
	sys, err := New(o)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := sys.Start(context.Background()); err != nil {
		c.t.Fatalf("%s: start: %v", n.name, err)
	}
	n.sys = sys
	c.t.Cleanup(func() { _ = sys.Stop() })
	go func() {
		for p := range sys.Primacy() {
			n.mu.Lock()
			n.events = append(n.events, p)
			n.mu.Unlock()
		}
	}()
}

// stop stops node i; abrupt skips the leadership handover, as a crash would.
func (c *cluster) stop(i int, abrupt bool) {
	c.t.Helper()
	n := c.nodes[i]
	n.sys.abruptStop = abrupt
	if err := n.sys.Stop(); err != nil {
		c.t.Errorf("%s: stop: %v", n.name, err)
	}
	n.sys = nil
}

func (c *cluster) running() []*node {
	var out []*node
	for _, n := range c.nodes {
		if n.running() {
			out = append(out, n)
		}
	}
	return out
}

// eventually polls cond until it holds or waitFor passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitLeader waits until exactly one running node is primary and every
// running node names its rpc address as the leader.
func (c *cluster) waitLeader() *node {
	c.t.Helper()
	var leader *node
	eventually(c.t, "one leader", func() bool {
		leader = nil
		for _, n := range c.running() {
			if n.sys.Info().Role == journal.RolePrimary {
				if leader != nil {
					return false
				}
				leader = n
			}
		}
		if leader == nil {
			return false
		}
		rpc := c.rpcOf(leader)
		for _, n := range c.running() {
			if n.sys.Info().Leader != rpc {
				return false
			}
		}
		return true
	})
	return leader
}

func (c *cluster) rpcOf(n *node) string {
	for _, p := range c.peers {
		if p.JournalAddress == n.addr {
			return p.RPCAddress
		}
	}
	return ""
}

func (c *cluster) followers(leader *node) []*node {
	var out []*node
	for _, n := range c.running() {
		if n != leader {
			out = append(out, n)
		}
	}
	return out
}

// waitConverged waits until every running node has applied the same
// entries as ref and holds the same state.
func (c *cluster) waitConverged(ref *node) (uint64, string) {
	c.t.Helper()
	var seq uint64
	var sum string
	eventually(c.t, "replicas to converge", func() bool {
		seq, _, sum = ref.st.Digest()
		for _, n := range c.running() {
			s2, _, sum2 := n.st.Digest()
			if s2 != seq || sum2 != sum {
				return false
			}
		}
		return true
	})
	return seq, sum
}

func mkdir(path string) *journalpb.Entry {
	return &journalpb.Entry{TimeMs: 1, Op: &journalpb.Entry_CreateDirectory{
		CreateDirectory: &journalpb.CreateDirectory{Path: path, Mode: 0o755, Recursive: true}}}
}

// proposeN proposes n directories under prefix through leader.
func proposeN(t testing.TB, leader *node, prefix string, n int) {
	t.Helper()
	for i := range n {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		r, err := leader.sys.Propose(ctx, mkdir(fmt.Sprintf("%s/d%d", prefix, i)))
		cancel()
		if err != nil || r.Err != nil {
			t.Fatalf("propose %s/d%d on %s: %v / %v", prefix, i, leader.name, err, r.Err)
		}
	}
}

func wipe(t testing.TB, dir string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
}
