package raftjournal

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/hashicorp/raft"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
)

// Peer is one master of the quorum as the configuration lists it.
type Peer struct {
	// JournalAddress is the entry of alluxio.master.embedded.journal.addresses;
	// it is also the member's Raft server id.
	JournalAddress string
	// RPCAddress is the matching entry of alluxio.master.rpc.addresses, the
	// address clients are sent to when this member leads.
	RPCAddress string
}

// Options configure a System. The zero values of the optional fields take
// the defaults named on them.
type Options struct {
	// DataDir holds this master's Raft log (raft.db) and snapshots; it lives
	// under alluxio.master.journal.folder. Required.
	DataDir string
	// LocalAddress is this master's journal address (host:port), one of
	// the Peers. Required.
	LocalAddress string
	// Peers are all masters of the initial quorum, index-aligned from
	// alluxio.master.embedded.journal.addresses and alluxio.master.rpc.addresses.
	// A master with an empty log bootstraps the cluster with exactly these.
	Peers []Peer
	// Join marks a master being added to a running quorum (fsadmin journal
	// quorum add). It never bootstraps: with an empty log it waits for the
	// leader to replicate to it. Bootstrapping with a quorum different from
	// the one the cluster began with would give two different entries the
	// same Raft index and term.
	Join bool
	// ServerTLS and ClientTLS, when set (alluxio.network.tls.enabled),
	// make the Raft transport mutual TLS: peers accept and dial only
	// peers with certificates of a trusted authority. Both or neither.
	ServerTLS, ClientTLS *tls.Config
	// BindHost is alluxio.master.embedded.journal.bind.host; empty binds the
	// host of LocalAddress only.
	BindHost string
	// ElectionTimeoutMin and ElectionTimeoutMax are
	// alluxio.master.embedded.journal.election.timeout.min/.max (1s and 2s
	// here). See raftConfig for how they map onto Raft's timers.
	ElectionTimeoutMin time.Duration
	ElectionTimeoutMax time.Duration
	// SnapshotPeriod is alluxio.master.journal.checkpoint.period.entries
	// (default 2000000): a snapshot is taken once the log holds this many
	// entries beyond the last one.
	SnapshotPeriod uint64
	// TrailingLogs is how many entries stay in the log after a snapshot, so a
	// follower that is only a little behind catches up from the log instead
	// of a whole snapshot (default 10240).
	TrailingLogs uint64
	// SnapshotCheckInterval is how often the SnapshotPeriod is checked
	// (default 30s; Raft staggers it between 1x and 2x).
	SnapshotCheckInterval time.Duration
	// SegmentSize is the size of the log's segment files (default 64 MiB,
	// raft-wal's). Compaction drops whole segments only: entries before a
	// snapshot stay readable, and are sent to a lagging follower instead
	// of the snapshot, until their segment is full and dropped.
	SegmentSize  int
	StateMachine journal.StateMachine
	Logger       *slog.Logger
	// OnFatal is called when this replica can no longer follow the journal
	// (a snapshot it was sent does not load); the master should stop.
	OnFatal func(error)
}

func (o *Options) setDefaults() {
	if o.ElectionTimeoutMin <= 0 {
		o.ElectionTimeoutMin = time.Second
	}
	if o.ElectionTimeoutMax <= 0 {
		o.ElectionTimeoutMax = 2 * o.ElectionTimeoutMin
	}
	if o.SnapshotPeriod == 0 {
		o.SnapshotPeriod = 2000000
	}
	if o.TrailingLogs == 0 {
		o.TrailingLogs = 10240
	}
	if o.SnapshotCheckInterval <= 0 {
		o.SnapshotCheckInterval = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.OnFatal == nil {
		o.OnFatal = func(error) {}
	}
}

func (o *Options) validate() error {
	bad := func(format string, args ...any) error {
		return errs.New(errs.ErrInvalidArg, "embedded journal: "+format, args...)
	}
	switch {
	case o.DataDir == "":
		return bad("a data directory (under alluxio.master.journal.folder) is required")
	case o.StateMachine == nil:
		return bad("a state machine is required")
	case len(o.Peers) == 0:
		return bad("alluxio.master.embedded.journal.addresses is empty")
	case o.ElectionTimeoutMin < 10*time.Millisecond:
		return bad("alluxio.master.embedded.journal.election.timeout.min (%s) must be at least 10ms", o.ElectionTimeoutMin)
	case o.ElectionTimeoutMax < o.ElectionTimeoutMin:
		return bad("alluxio.master.embedded.journal.election.timeout.max (%s) must not be below .min (%s)",
			o.ElectionTimeoutMax, o.ElectionTimeoutMin)
	}
	if _, _, err := net.SplitHostPort(o.LocalAddress); err != nil {
		return bad("this master's journal address (%q): %v", o.LocalAddress, err)
	}
	seen := map[string]bool{}
	self := false
	for _, p := range o.Peers {
		if _, _, err := net.SplitHostPort(p.JournalAddress); err != nil {
			return bad("alluxio.master.embedded.journal.addresses entry %q: %v", p.JournalAddress, err)
		}
		if seen[p.JournalAddress] {
			return bad("alluxio.master.embedded.journal.addresses lists %s twice", p.JournalAddress)
		}
		seen[p.JournalAddress] = true
		self = self || p.JournalAddress == o.LocalAddress
	}
	if !self {
		return bad("alluxio.master.embedded.journal.addresses does not include this master (%s)", o.LocalAddress)
	}
	return nil
}

// raftConfig maps the options onto Raft's timers.
//
// Raft waits a random time in [HeartbeatTimeout, 2*HeartbeatTimeout) without
// hearing from a leader before it campaigns, and a candidate waits a random
// time in [ElectionTimeout, 2*ElectionTimeout) before it tries again, so both
// are set to the minimum: with Alluxio's own max of twice the min (10s/20s,
// or our 1s/2s) the range is exactly [min, max]. A max other than 2*min
// cannot be expressed and is only reported.
//
// LeaderLeaseTimeout is half the minimum: a leader that has not heard from a
// quorum for that long steps down (and its Primacy ends) before any follower
// can have started an election, so two masters rarely both believe they
// lead. Reads do not rely on that timing: CheckPrimary asks a quorum.
func (o *Options) raftConfig() *raft.Config {
	c := raft.DefaultConfig()
	c.LocalID = raft.ServerID(o.LocalAddress)
	c.HeartbeatTimeout = o.ElectionTimeoutMin
	c.ElectionTimeout = o.ElectionTimeoutMin
	c.LeaderLeaseTimeout = o.ElectionTimeoutMin / 2
	c.SnapshotThreshold = o.SnapshotPeriod
	c.TrailingLogs = o.TrailingLogs
	c.SnapshotInterval = o.SnapshotCheckInterval
	c.NoLegacyTelemetry = true
	// Queue proposals so the leader commits whatever is waiting as one
	// batch (one fsync, one round of AppendEntries). Apply's own timeout
	// then becomes approximate; Propose bounds the wait with its context.
	c.BatchApplyCh = true
	return c
}

// bindAddress is where the journal listens: BindHost on LocalAddress's port.
func (o *Options) bindAddress() (string, error) {
	if o.BindHost == "" {
		return o.LocalAddress, nil
	}
	_, port, err := net.SplitHostPort(o.LocalAddress)
	if err != nil {
		return "", err
	}
	return net.JoinHostPort(o.BindHost, port), nil
}

func (o *Options) String() string {
	return fmt.Sprintf("local=%s peers=%d election_timeout=[%s,%s] snapshot_period=%d trailing_logs=%d join=%v",
		o.LocalAddress, len(o.Peers), o.ElectionTimeoutMin, o.ElectionTimeoutMax, o.SnapshotPeriod, o.TrailingLogs, o.Join)
}
