// Package journal defines the seam between the master and its journal: a
// System makes entries durable in one order, feeds them to the state
// machine, and tells the master when it becomes primary or stops being it.
// Two implementations: ufsjournal (a shared folder plus a primary selector,
// e.g. ZooKeeper) and raftjournal (the masters replicate with Raft).
package journal

import (
	"context"
	"io"

	"github.com/alluxio-go/alluxio/api/journalpb"
)

// Result is what a StateMachine's Apply answers for one entry, and what
// Propose hands back to the proposer: the inode the entry is about (when
// there is one) or the error that rejected the entry whole. A rejected
// entry still takes its sequence number, on every member alike.
type Result struct {
	InodeID int64
	Err     error
}

// StateMachine is what a journal feeds (the master's *state.State; the
// journal never imports it, as raft never imports its FSM). The journal
// owns the contract:
//
//   - Apply is called from one goroutine at a time, with entries in
//     sequence order, e.Sequence == LastSequence()+1, at replay, on a
//     standby and on the primary alike. It must be deterministic: the
//     same entries give every member the same state. An Err wrapping
//     errs.ErrCorrupt says the entry could not be applied at all (out of
//     sequence, say), which is this member's fault, not a rejection of
//     the entry; a UFS journal replaying or tailing stops there.
//   - LastSequence may be called from any goroutine.
//   - WriteCheckpoint writes the whole state and returns the last sequence
//     it covers. It may run concurrently with Apply (the UFS journal writes
//     checkpoints in the background), so it must write one consistent cut:
//     the state between two entries.
//   - Restore replaces the whole state with a checkpoint; name is for
//     error messages. It never runs concurrently with Apply.
type StateMachine interface {
	Apply(e *journalpb.Entry) Result
	LastSequence() uint64
	WriteCheckpoint(w io.Writer, createdMs int64) (uint64, error)
	Restore(r io.Reader, name string) error
}

// Primacy is a change of this master's role. Epoch grows with every new
// primary term of the cluster; a primary's entries carry its epoch's fence.
type Primacy struct {
	Primary bool
	Epoch   uint64
}

// Role names for status reports, as Alluxio prints them.
const (
	RolePrimary = "PRIMARY"
	RoleStandby = "STANDBY"
)

// Info describes the journal for status pages and fsadmin.
type Info struct {
	Type           string // UFS or EMBEDDED
	Role           string
	Epoch          uint64
	LastApplied    uint64
	LastCheckpoint uint64
	Location       string
	// Leader is the primary's rpc address as far as this master knows.
	Leader string
}

// System is the journal as the master process sees it.
type System interface {
	// Start loads the local or shared journal into the state machine and
	// begins following it (and taking part in elections). It returns once
	// the state is loaded; failures to load are returned, not retried.
	Start(ctx context.Context) error
	// Primacy delivers role changes, in order, and is closed by Stop. The
	// caller must drain it until it is closed: the journal blocks sending
	// to it once a small buffer is full, and while it is blocked it neither
	// tails, nor changes role, nor finishes Stop.
	Primacy() <-chan Primacy
	// Propose makes e durable, applies it, and returns Apply's result. It
	// fails with errs.ErrNotPrimary unless this master is primary; an
	// entry that fails so was never applied by anyone.
	Propose(ctx context.Context, e *journalpb.Entry) (Result, error)
	// CheckPrimary returns nil only while this master's primacy is known to
	// be valid (its lease or session is alive), so reads it serves are
	// current.
	CheckPrimary(ctx context.Context) error
	// Checkpoint writes a checkpoint now and returns the sequence it covers.
	Checkpoint(ctx context.Context) (uint64, error)
	Info() Info
	// Stop leaves the election and closes the journal. Safe to call twice.
	Stop() error
}

// Flusher is the optional ability of a journal to count its flushes: the
// writes that made entries durable (an fsync of the UFS journal's segment,
// a log append of the embedded journal's leader). Entries per flush show
// how much concurrent proposals are committed together. The count only
// grows, from 0 at Start.
type Flusher interface {
	Flushes() uint64
}

// QuorumMember is one member of a replicated journal's quorum.
type QuorumMember struct {
	// Address is the member's journal address (host:port), its identity.
	Address    string
	RPCAddress string
	Leader     bool
	Voter      bool
	// Available is false when the member does not answer the leader.
	Available bool
}

// Quorum is the optional ability of a journal that replicates among the
// masters themselves (the embedded journal); the master finds it by type
// assertion. Every method refuses unsafe requests with a clear error.
type Quorum interface {
	Members() ([]QuorumMember, error)
	TransferLeadership(address string) error
	RemoveMember(address string) error
	AddMember(address, rpcAddress string) error
}
