// Package election decides which master is primary when the journal itself
// cannot (the shared-folder UFS journal): a PrimarySelector reports this
// master's role and the epoch of its term. Single serves one master alone;
// the ZooKeeper selector runs the standard leader election recipe, takes
// its epochs from ZooKeeper's transaction ids, and stops vouching for its
// primacy as soon as it cannot be sure of its session (see ZooKeeper).
// Clients find the primary with NewestLeader.
package election

import (
	"context"
	"sync"
)

// Role is this master's role. Epoch is 0 when the selector has no epoch of
// its own and leaves it to the journal to pick the next one.
type Role struct {
	Primary bool
	Epoch   uint64
}

// PrimarySelector elects one primary among masters.
type PrimarySelector interface {
	// Start joins the election. Role changes then arrive on Changes.
	Start(ctx context.Context) error
	// Changes delivers role changes in order; closed by Stop.
	Changes() <-chan Role
	// Valid reports whether this master's primacy is still known to hold:
	// false as soon as the selector cannot vouch for it.
	Valid() bool
	// Leader is the rpc address of the current primary as far as this
	// selector knows ("" when unknown).
	Leader() string
	// Stop leaves the election (a primary hands over at once). Safe to call
	// twice.
	Stop() error
}

// Single is the selector of a cluster of one master: it is primary as soon
// as it starts, until it stops.
type Single struct {
	Address string

	once    sync.Once
	ch      chan Role
	mu      sync.Mutex
	started bool
}

// NewSingle returns a selector for a lone master at address.
func NewSingle(address string) *Single {
	return &Single{Address: address, ch: make(chan Role, 1)}
}

// Start makes this master primary.
func (s *Single) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.started = true
		s.ch <- Role{Primary: true}
	}
	return nil
}

// Changes delivers the one change to primary.
func (s *Single) Changes() <-chan Role { return s.ch }

// Valid is true while the selector is started.
func (s *Single) Valid() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

// Leader is this master's own address.
func (s *Single) Leader() string { return s.Address }

// Stop ends primacy.
func (s *Single) Stop() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.started = false
		s.mu.Unlock()
		close(s.ch)
	})
	return nil
}
