package election

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// Test timings: a short session keeps the tests quick; the test ensemble's
// 500ms tick allows 1s to 10s.
const (
	testSession = 3 * time.Second
	waitLong    = 45 * time.Second
	poll        = 10 * time.Millisecond
	// zkStart bounds the wait for ZooKeeper servers to serve after they
	// start: a JVM on two cores busy with other tests has taken longer than
	// waitLong. No test's point depends on how fast ZooKeeper starts, so
	// the tests wait for it first and then time what they test.
	zkStart = 3 * time.Minute
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain())
	}
	testcluster.Main(m)
}

// testLog is a selector's log: kept for assertions and copied to t.Log
// until the test ends (the selector's goroutines may log while closing).
type testLog struct {
	mu    sync.Mutex
	t     testing.TB
	name  string
	done  bool
	lines []string
}

func newTestLog(t testing.TB, name string) *testLog {
	l := &testLog{t: t, name: name}
	t.Cleanup(func() {
		l.mu.Lock()
		l.done = true
		l.mu.Unlock()
	})
	return l
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l.lines = append(l.lines, line)
		if !l.done {
			l.t.Logf("[%s] %s", l.name, line)
		}
	}
	return len(p), nil
}

func (l *testLog) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

func (l *testLog) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.Contains(line, substr) {
			n++
		}
	}
	return n
}

// member is one selector under test with the roles it delivered.
type member struct {
	name string
	addr string
	z    *ZooKeeper
	log  *testLog

	mu      sync.Mutex
	roles   []Role
	closed  bool
	stopped bool
}

// group runs selectors against one ensemble and checks the invariants
// while they run: the epochs of successive terms grow, and no two members
// vouch for their primacy (Valid) at the same moment.
type group struct {
	t       *testing.T
	servers []string

	mu          sync.Mutex
	members     []*member
	wins        []win
	overlap     []string
	skipOverlap bool
}

type win struct {
	m     *member
	epoch uint64
	at    time.Time
}

func newGroup(t *testing.T, servers []string) *group {
	g := &group{t: t, servers: servers}
	stop := make(chan struct{})
	done := make(chan struct{})
	go g.checkOverlap(stop, done)
	t.Cleanup(func() {
		close(stop)
		<-done
		g.mu.Lock()
		defer g.mu.Unlock()
		if len(g.overlap) > 0 {
			t.Errorf("two masters vouched for primacy at once: %s", strings.Join(g.overlap, "; "))
		}
	})
	return g
}

func (g *group) checkOverlap(stop, done chan struct{}) {
	defer close(done)
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Millisecond):
		}
		g.mu.Lock()
		ms, skip := append([]*member(nil), g.members...), g.skipOverlap
		g.mu.Unlock()
		var valid []string
		for _, m := range ms {
			if m.z.Valid() {
				valid = append(valid, m.name)
			}
		}
		if len(valid) > 1 && !skip {
			g.mu.Lock()
			g.overlap = append(g.overlap, fmt.Sprintf("%v at %s", valid, time.Now().Format("15:04:05.000")))
			g.mu.Unlock()
		}
	}
}

// add starts a selector named name.
func (g *group) add(name string, port int, mutate ...func(*ZKConfig)) *member {
	g.t.Helper()
	m := &member{name: name, addr: fmt.Sprintf("127.0.0.1:%d", port), log: newTestLog(g.t, name)}
	cfg := ZKConfig{Servers: g.servers, SessionTimeout: testSession, Address: m.addr, Logger: m.log.logger()}
	for _, f := range mutate {
		f(&cfg)
	}
	z, err := NewZooKeeper(cfg)
	if err != nil {
		g.t.Fatal(err)
	}
	m.z = z
	g.t.Cleanup(func() { z.Stop() })
	if err := z.Start(context.Background()); err != nil {
		g.t.Fatalf("%s: Start: %v", name, err)
	}
	g.mu.Lock()
	g.members = append(g.members, m)
	g.mu.Unlock()
	go g.record(m)
	return m
}

func (g *group) record(m *member) {
	for r := range m.z.Changes() {
		m.mu.Lock()
		m.roles = append(m.roles, r)
		m.mu.Unlock()
		if !r.Primary {
			continue
		}
		g.mu.Lock()
		if n := len(g.wins); n > 0 && r.Epoch <= g.wins[n-1].epoch {
			g.overlap = append(g.overlap, fmt.Sprintf("epoch %d of %s is not above epoch %d of %s",
				r.Epoch, m.name, g.wins[n-1].epoch, g.wins[n-1].m.name))
		}
		g.wins = append(g.wins, win{m: m, epoch: r.Epoch, at: time.Now()})
		g.mu.Unlock()
	}
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
}

// stop stops m and leaves it out of the overlap check.
func (g *group) stop(m *member) {
	g.t.Helper()
	if err := m.z.Stop(); err != nil {
		g.t.Fatalf("%s: Stop: %v", m.name, err)
	}
	g.mu.Lock()
	for i, x := range g.members {
		if x == m {
			g.members = append(g.members[:i], g.members[i+1:]...)
			break
		}
	}
	g.mu.Unlock()
}

// waitWin waits for the n-th term (counted from 0) and returns it.
func (g *group) waitWin(n int) win {
	g.t.Helper()
	var w win
	testcluster.WaitFor(g.t, waitLong, poll, func() (bool, string) {
		g.mu.Lock()
		defer g.mu.Unlock()
		if len(g.wins) > n {
			w = g.wins[n]
			return true, ""
		}
		return false, fmt.Sprintf("%d terms so far, waiting for term %d", len(g.wins), n+1)
	})
	return w
}

func (g *group) winCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.wins)
}

// lastRole returns m's latest role and how many it delivered.
func (m *member) lastRole() (Role, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.roles) == 0 {
		return Role{}, 0
	}
	return m.roles[len(m.roles)-1], len(m.roles)
}

// waitDemoted waits until m has delivered Role{Primary: false}.
func (m *member) waitDemoted(t *testing.T, timeout time.Duration) {
	t.Helper()
	testcluster.WaitFor(t, timeout, poll, func() (bool, string) {
		r, n := m.lastRole()
		return n > 0 && !r.Primary, fmt.Sprintf("%s: last role %+v of %d", m.name, r, n)
	})
}

// closeClient closes the ZooKeeper client under m's selector, as if the
// session were torn down beneath it.
func (m *member) closeClient() {
	m.z.mu.Lock()
	s := m.z.sess
	m.z.mu.Unlock()
	s.conn.Close()
}

// electionZnode is the path of m's latest election znode, "" before it
// has one.
func (m *member) electionZnode() string {
	m.z.mu.Lock()
	defer m.z.mu.Unlock()
	return m.z.staleNode
}

// sessionTimeout is the timeout ZooKeeper granted m's current session.
func (m *member) sessionTimeout() time.Duration {
	m.z.mu.Lock()
	s := m.z.sess
	m.z.mu.Unlock()
	if s == nil || s.negotiated.Load() == 0 {
		return 0
	}
	return s.timeout()
}

func startEnsemble(t *testing.T, n int) *testcluster.ZKEnsemble {
	t.Helper()
	start := time.Now()
	e := testcluster.StartZooKeeper(t, n)
	e.WaitReady(t, zkStart)
	t.Logf("ensemble of %d ready after %v", n, time.Since(start).Round(time.Millisecond))
	return e
}
