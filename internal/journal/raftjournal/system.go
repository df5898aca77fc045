package raftjournal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"
	"github.com/hashicorp/raft-wal/metadb"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/lockfile"
)

// System is a journal.System replicated among the masters with Raft.
type System struct {
	opts Options
	log  *slog.Logger
	fsm  *fsm

	primacy chan journal.Primacy
	stop    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	stopErr error

	// Set by Start, closed by Stop.
	raft    *raft.Raft
	trans   *raft.NetworkTransport
	store   *logStore
	walMeta *metadb.BoltMetaDB
	dirLock *lockfile.Lock

	mu      sync.Mutex
	primary bool
	epoch   uint64
	// rpcOf maps journal addresses to rpc addresses: the configured Peers
	// plus members added through this master.
	rpcOf map[string]string
	// failing are the members this master, as leader, cannot heartbeat.
	failing map[raft.ServerID]bool

	// flushes counts the log appends (each one fsync of the WAL).
	flushes atomic.Uint64

	// abruptStop makes Stop skip the leadership handover, as a crash would.
	abruptStop bool
}

var (
	_ journal.System  = (*System)(nil)
	_ journal.Quorum  = (*System)(nil)
	_ journal.Flusher = (*System)(nil)
)

// Flushes is how many batches of entries this member appended to its log.
func (s *System) Flushes() uint64 { return s.flushes.Load() }

// New checks the options and returns a System that is not started.
func New(opts Options) (*System, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	rpcOf := map[string]string{}
	for _, p := range opts.Peers {
		rpcOf[p.JournalAddress] = p.RPCAddress
	}
	log := opts.Logger
	return &System{
		opts: opts, log: log,
		fsm:     &fsm{sm: opts.StateMachine, log: log, tmpDir: opts.DataDir, onFatal: opts.OnFatal},
		primacy: make(chan journal.Primacy, 16),
		stop:    make(chan struct{}),
		rpcOf:   rpcOf,
		failing: map[raft.ServerID]bool{},
	}, nil
}

// Start opens the log, loads the newest local snapshot into the state
// machine and joins the quorum. Entries logged after that snapshot are
// applied once a leader confirms they are committed (Raft does not persist
// its commit index); a new leader applies all of them before it reports
// Primacy.
func (s *System) Start(ctx context.Context) (err error) {
	if s.raft != nil {
		return errs.New(errs.ErrPrecondition, "embedded journal already started")
	}
	if err := os.MkdirAll(s.opts.DataDir, 0o755); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = s.closeAll()
			s.raft, s.trans, s.store, s.walMeta, s.dirLock = nil, nil, nil, nil, nil
		}
	}()
	hl := newRaftLogger(s.log)
	// The directory lock makes a second master on the same directory fail
	// instead of corrupting the log.
	if s.dirLock, err = lockDir(s.opts.DataDir, s.opts.LocalAddress); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(s.opts.DataDir, "raft.db")); err == nil {
		return errs.New(errs.ErrPrecondition, "embedded journal: %s holds a log in the old format (raft.db); format this master and let it rejoin from the others",
			s.opts.DataDir)
	}
	walDir := filepath.Join(s.opts.DataDir, "wal")
	if err := os.MkdirAll(walDir, 0o755); err != nil {
		return err
	}
	// The System keeps the WAL's metadata database and closes it: the WAL
	// may be opened again while it runs (logStore).
	s.walMeta = &metadb.BoltMetaDB{}
	open := func() (*wal.WAL, error) {
		// A size of 0 is raft-wal's default.
		return wal.Open(walDir, wal.WithLogger(hl), wal.WithMetaStore(keptMeta{s.walMeta}), wal.WithSegmentSize(s.opts.SegmentSize))
	}
	s.store, err = newLogStore(open, &s.flushes, s.log)
	if err != nil {
		return fmt.Errorf("embedded journal: open %s: %w", walDir, err)
	}
	// Only now that the lock is held: a running master's may be in use.
	removeStaleTemps(s.opts.DataDir)
	snaps, err := raft.NewFileSnapshotStoreWithLogger(s.opts.DataDir, 2, hl)
	if err != nil {
		return fmt.Errorf("embedded journal: snapshot store: %w", err)
	}
	bind, err := s.opts.bindAddress()
	if err != nil {
		return err
	}
	adv, err := net.ResolveTCPAddr("tcp", s.opts.LocalAddress)
	if err != nil {
		return fmt.Errorf("embedded journal: resolve %s: %w", s.opts.LocalAddress, err)
	}
	if s.opts.ServerTLS != nil {
		s.trans, err = newTLSTransport(bind, adv, s.opts.ServerTLS, s.opts.ClientTLS, hl)
	} else {
		s.trans, err = raft.NewTCPTransportWithLogger(bind, adv, 3, 10*time.Second, hl)
	}
	if err != nil {
		return fmt.Errorf("embedded journal: listen on %s: %w", bind, err)
	}
	existing, err := raft.HasExistingState(s.store, s.store, snaps)
	if err != nil {
		return err
	}
	conf := s.opts.raftConfig()
	conf.Logger = hl
	start := time.Now()
	s.raft, err = raft.NewRaft(conf, s.fsm, s.store, s.store, snaps, s.trans)
	if err != nil {
		return fmt.Errorf("embedded journal: %w", err)
	}
	switch {
	case existing:
		s.log.Info("embedded journal reopened", "dir", s.opts.DataDir, "sequence", s.opts.StateMachine.LastSequence(),
			"last_raft_index", s.raft.LastIndex(), "took", time.Since(start))
	case s.opts.Join:
		s.log.Info("embedded journal is empty; waiting to be added to the quorum", "address", s.opts.LocalAddress)
	default:
		// Every master of a new cluster bootstraps with the same servers, so
		// their first log entries are identical whoever wins the election.
		var servers []raft.Server
		for _, p := range s.opts.Peers {
			servers = append(servers, raft.Server{Suffrage: raft.Voter, ID: raft.ServerID(p.JournalAddress),
				Address: raft.ServerAddress(p.JournalAddress)})
		}
		if err := s.raft.BootstrapCluster(raft.Configuration{Servers: servers}).Error(); err != nil && !errors.Is(err, raft.ErrCantBootstrap) {
			return fmt.Errorf("embedded journal: bootstrap: %w", err)
		}
		s.log.Info("embedded journal bootstrapped", "peers", len(servers))
	}
	s.log.Info("embedded journal started", "options", s.opts.String())
	if s.opts.ElectionTimeoutMax != 2*s.opts.ElectionTimeoutMin {
		s.log.Warn("raft waits between the election timeout min and twice the min; the max is not used",
			"min", s.opts.ElectionTimeoutMin, "max", s.opts.ElectionTimeoutMax, "effective_max", 2*s.opts.ElectionTimeoutMin)
	}
	obs := make(chan raft.Observation, 64)
	s.raft.RegisterObserver(raft.NewObserver(obs, false, func(o *raft.Observation) bool {
		switch o.Data.(type) {
		case raft.FailedHeartbeatObservation, raft.ResumedHeartbeatObservation, raft.PeerObservation, raft.LeaderObservation:
			return true
		}
		return false
	}))
	s.wg.Add(2)
	go s.run(s.raft.LeaderCh())
	go s.observe(obs)
	return nil
}

// run turns Raft's leadership changes into Primacy events.
func (s *System) run(leaderCh <-chan bool) {
	defer s.wg.Done()
	defer close(s.primacy)
	for {
		select {
		case <-s.stop:
			s.demote()
			return
		case leader := <-leaderCh:
			if leader {
				s.promote()
			} else {
				s.demote()
			}
		}
	}
}

// promote reports Primacy only after a barrier: the new leader's state then
// holds every entry committed in earlier terms, so what it serves is
// current. Leadership lost on the way shows up as a later false (or, if
// regained, true) on the leader channel.
func (s *System) promote() {
	term := s.raft.CurrentTerm()
	start := time.Now()
	// Stop must not wait for the barrier: one still in Raft's queue when
	// Raft shuts down is never answered.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := wait(ctx, s.raft.Barrier(0)); err != nil {
		s.log.Warn("elected, but lost leadership before catching up", "term", term, "err", err)
		return
	}
	if s.raft.State() != raft.Leader || s.raft.CurrentTerm() != term {
		return
	}
	s.mu.Lock()
	was, old := s.primary, s.epoch
	s.primary, s.epoch = true, term
	s.failing = map[raft.ServerID]bool{}
	s.mu.Unlock()
	if was && old == term {
		return
	}
	if was {
		s.primacy <- journal.Primacy{Primary: false, Epoch: old}
	}
	s.log.Info("embedded journal leader", "term", term, "sequence", s.opts.StateMachine.LastSequence(),
		"caught_up_in", time.Since(start))
	s.primacy <- journal.Primacy{Primary: true, Epoch: term}
}

func (s *System) demote() {
	s.mu.Lock()
	was, epoch := s.primary, s.epoch
	s.primary = false
	s.mu.Unlock()
	if was {
		s.log.Info("embedded journal lost leadership", "term", epoch)
		s.primacy <- journal.Primacy{Primary: false, Epoch: epoch}
	}
}

// Primacy delivers role changes.
func (s *System) Primacy() <-chan journal.Primacy { return s.primacy }

func (s *System) primaryEpoch() (bool, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.primary, s.epoch
}

func (s *System) notPrimary() error {
	if l := s.leaderRPC(); l != "" {
		return errs.New(errs.ErrNotPrimary, "this master is a standby; the primary is %s", l)
	}
	return errs.New(errs.ErrNotPrimary, "this master is a standby")
}

// Info describes the journal.
func (s *System) Info() journal.Info {
	ok, epoch := s.primaryEpoch()
	role := journal.RoleStandby
	if ok {
		role = journal.RolePrimary
	} else if s.raft != nil {
		epoch = s.raft.CurrentTerm()
	}
	return journal.Info{Type: "EMBEDDED", Role: role, Epoch: epoch, LastApplied: s.opts.StateMachine.LastSequence(),
		LastCheckpoint: s.fsm.lastCk.Load(), Location: s.opts.DataDir, Leader: s.leaderRPC()}
}

// leaderRPC is the rpc address of the leader this master knows of, or ""
// (none known, or a member added elsewhere whose rpc address it lacks).
func (s *System) leaderRPC() string {
	if s.raft == nil {
		return ""
	}
	_, id := s.raft.LeaderWithID()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rpcOf[string(id)]
}

// Stop hands leadership over if this master leads, then leaves the quorum
// and closes the log. Safe to call twice.
func (s *System) Stop() error {
	s.once.Do(func() {
		if s.raft == nil {
			close(s.stop)
			close(s.primacy)
			return
		}
		if s.raft.State() == raft.Leader && !s.abruptStop {
			s.handOver()
		}
		close(s.stop)
		s.stopErr = s.closeAll()
		s.wg.Wait()
	})
	return s.stopErr
}

// handOver asks Raft to make the most up-to-date follower leader, so
// clients wait for one round trip instead of an election timeout. Raft
// itself gives up after an election timeout; the bound here is a backstop.
func (s *System) handOver() {
	if servers, _, err := s.configuration(); err != nil || len(servers) < 2 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*s.opts.ElectionTimeoutMin)
	defer cancel()
	start := time.Now()
	if err := wait(ctx, s.raft.LeadershipTransfer()); err != nil {
		s.log.Warn("leadership handover before stopping failed", "err", err)
		return
	}
	// Raft also reports success when this master merely stepped down.
	if _, id := s.raft.LeaderWithID(); id != "" && string(id) != s.opts.LocalAddress {
		s.log.Info("leadership handed over before stopping", "to", id, "took", time.Since(start))
	} else {
		s.log.Info("stepped down before stopping; no successor yet", "took", time.Since(start))
	}
}

func (s *System) closeAll() error {
	var errList []error
	if s.raft != nil {
		errList = append(errList, s.raft.Shutdown().Error())
	}
	if s.trans != nil {
		errList = append(errList, s.trans.Close())
	}
	if s.store != nil {
		errList = append(errList, s.store.Close())
	}
	if s.walMeta != nil {
		errList = append(errList, s.walMeta.Close())
	}
	if s.dirLock != nil {
		errList = append(errList, s.dirLock.Release())
	}
	return errors.Join(errList...)
}
