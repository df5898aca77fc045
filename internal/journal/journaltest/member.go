package journaltest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/journal"
)

// member is one running journal with its state machine. A goroutine drains
// its Primacy channel, as the contract asks, into a list the suite reads.
type member struct {
	i   int
	sm  *StateMachine
	sys journal.System

	mu      sync.Mutex
	events  []journal.Primacy
	closed  bool
	changed chan struct{} // closed and replaced on every event
	drained chan struct{} // closed when Primacy is closed
}

// open builds and starts member i over its storage with a fresh state
// machine, and drains its Primacy channel until Stop closes it.
func open(t *testing.T, c Cluster, i int) *member {
	t.Helper()
	m := &member{i: i, sm: &StateMachine{}, changed: make(chan struct{}), drained: make(chan struct{})}
	m.sys = c.Open(t, i, m.sm)
	if err := m.sys.Start(context.Background()); err != nil {
		t.Fatalf("member %d: start: %v", i, err)
	}
	go m.drain()
	return m
}

func (m *member) drain() {
	defer close(m.drained)
	for p := range m.sys.Primacy() {
		m.mu.Lock()
		m.events = append(m.events, p)
		close(m.changed)
		m.changed = make(chan struct{})
		m.mu.Unlock()
	}
	m.mu.Lock()
	m.closed = true
	close(m.changed)
	m.mu.Unlock()
}

func (m *member) snapshot() ([]journal.Primacy, bool, chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events), m.closed, m.changed
}

// waitRole waits until member m's latest reported role is primary (or not)
// and returns that report.
func (m *member) waitRole(t *testing.T, primary bool) journal.Primacy {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		ev, closed, changed := m.snapshot()
		if n := len(ev); n > 0 && ev[n-1].Primary == primary {
			return ev[n-1]
		}
		if closed {
			t.Fatalf("member %d: Primacy closed while waiting for primary=%v (events %v)", m.i, primary, ev)
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("member %d: no Primacy report primary=%v within %s (events %v)", m.i, primary, waitFor, ev)
		}
	}
}

// stop stops m and checks that Primacy is closed afterwards.
func (m *member) stop(t *testing.T) {
	t.Helper()
	if err := m.sys.Stop(); err != nil {
		t.Errorf("member %d: stop: %v", m.i, err)
	}
	select {
	case <-m.drained:
	case <-time.After(waitFor):
		t.Fatalf("member %d: Primacy not closed %s after Stop returned", m.i, waitFor)
	}
}

// eventually polls cond until it holds or waitFor passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", waitFor, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
