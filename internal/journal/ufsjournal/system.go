// Package ufsjournal is the journal kept as files in a folder that every
// master can reach (NFS, HDFS, or a local directory for one master). A
// PrimarySelector picks the writer; standbys tail the folder. Each primary
// term claims an epoch marker before it reads the journal to its end, and a
// writer checks for newer markers after each fsync before it answers, so a
// deposed primary can never acknowledge an entry nobody else will apply.
package ufsjournal

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/election"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/lockfile"
)

// Options configure a System.
type Options struct {
	Folder       string
	StateMachine journal.StateMachine
	Selector     election.PrimarySelector
	// MaxLogSize is alluxio.master.journal.log.size.bytes.max.
	MaxLogSize int64
	// CheckpointPeriod is alluxio.master.journal.checkpoint.period.entries.
	CheckpointPeriod uint64
	// TailInterval is how often a standby looks for new entries
	// (alluxio.master.journal.tailer.sleep.time).
	TailInterval time.Duration
	Logger       *slog.Logger
	// CheckpointOnStandby makes standbys write the periodic checkpoints and
	// the primary never: set it when several masters share the folder.
	CheckpointOnStandby bool
	// OnFatal is called when the journal can no longer be written or read;
	// the master should stop.
	OnFatal func(error)
	// Owner names this master in the folder's lock ("master host:port");
	// default: the host name and process id.
	Owner string
}

// System is a journal.System over a shared folder.
type System struct {
	opts Options
	log  *slog.Logger
	fol  *follower

	primacy chan journal.Primacy
	events  chan func()
	stop    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	// running is set once run owns (and will close) the primacy channel.
	running atomic.Bool

	mu     sync.Mutex
	w      *writer
	epoch  uint64
	sinceC atomic.Uint64 // entries applied since the last checkpoint
	lastCk atomic.Uint64
	ckMu   sync.Mutex // one checkpoint at a time
	// flushes counts the batches every writer of this System synced.
	flushes atomic.Uint64
	// lock is this master's claim on the folder, from Start to Stop.
	lock *lockfile.Lock
}

var (
	_ journal.System  = (*System)(nil)
	_ journal.Flusher = (*System)(nil)
)

// systems numbers the Systems of this process, so that masters in one
// process (tests) get distinct default owners.
var systems atomic.Int64

// New checks the options and returns a System that is not started.
func New(opts Options) (*System, error) {
	if opts.Folder == "" || opts.StateMachine == nil || opts.Selector == nil {
		return nil, errs.New(errs.ErrInvalidArg, "ufs journal: folder, state machine and selector are required")
	}
	if opts.MaxLogSize <= 0 {
		opts.MaxLogSize = 10 << 20
	}
	if opts.CheckpointPeriod == 0 {
		opts.CheckpointPeriod = 2000000
	}
	if opts.TailInterval <= 0 {
		opts.TailInterval = 50 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.OnFatal == nil {
		opts.OnFatal = func(error) {}
	}
	if opts.Owner == "" {
		host, _ := os.Hostname()
		opts.Owner = fmt.Sprintf("master %s-%d-%d", host, os.Getpid(), systems.Add(1))
	}
	return &System{
		opts: opts, log: opts.Logger,
		fol:     &follower{dir: opts.Folder, sm: opts.StateMachine},
		primacy: make(chan journal.Primacy, 16),
		events:  make(chan func(), 16),
		stop:    make(chan struct{}),
	}, nil
}

// Start replays the folder into the state machine and joins the election.
func (s *System) Start(ctx context.Context) (err error) {
	if err := formatted(s.opts.Folder); err != nil {
		return err
	}
	if err := s.claim(); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			s.lock.Release()
		}
	}()
	start := time.Now()
	// Not primary yet: hold back entries a newer epoch may still cut off,
	// as a tailing standby does. promote reads to the end once this master
	// has claimed its own epoch.
	n, err := s.fol.catchUp(safeOnly)
	if err != nil {
		return err
	}
	s.log.Info("journal replayed", "folder", s.opts.Folder, "entries", n,
		"last_sequence", s.opts.StateMachine.LastSequence(), "took", time.Since(start))
	if err := s.opts.Selector.Start(ctx); err != nil {
		return err
	}
	s.wg.Add(1)
	s.running.Store(true)
	go s.run()
	return nil
}

func (s *System) run() {
	defer s.wg.Done()
	defer close(s.primacy)
	tick := time.NewTicker(s.opts.TailInterval)
	defer tick.Stop()
	changes := s.opts.Selector.Changes()
	for {
		select {
		case <-s.stop:
			s.demote()
			return
		case fn := <-s.events:
			fn()
		case r, ok := <-changes:
			if !ok {
				s.demote()
				return
			}
			if r.Primary {
				s.promote(r.Epoch)
			} else {
				s.demote()
			}
		case <-tick.C:
			if s.isPrimary() {
				continue
			}
			n, err := s.fol.catchUp(safeOnly)
			if err != nil {
				s.log.Error("journal tailing failed", "err", err)
				s.opts.OnFatal(err)
			}
			if n > 0 && s.opts.CheckpointOnStandby {
				s.applied(n)
			}
		}
	}
}

func (s *System) promote(epoch uint64) {
	if s.isPrimary() {
		return
	}
	claimed, err := claimEpoch(s.opts.Folder, epoch)
	if err == nil {
		_, err = s.fol.catchUp(toEnd)
	}
	if err != nil {
		s.log.Error("could not take over the journal", "err", err)
		s.opts.OnFatal(err)
		return
	}
	w := &writer{dir: s.opts.Folder, epoch: claimed, sm: s.opts.StateMachine, maxSize: s.opts.MaxLogSize, flushes: &s.flushes}
	w.onApplied = s.primaryApplied
	w.onFenced = func() { s.post(func() { s.log.Warn("journal fenced by a newer epoch"); s.demote() }) }
	w.onFailed = func(err error) { s.post(func() { s.demote(); s.opts.OnFatal(err) }) }
	if err := openWriter(w); err != nil {
		s.log.Error("could not open a journal segment", "err", err)
		s.opts.OnFatal(err)
		return
	}
	s.mu.Lock()
	s.w, s.epoch = w, claimed
	s.mu.Unlock()
	s.log.Info("journal opened for writing", "epoch", claimed, "first_sequence", s.opts.StateMachine.LastSequence()+1)
	s.primacy <- journal.Primacy{Primary: true, Epoch: claimed}
}

func (s *System) demote() {
	s.mu.Lock()
	w := s.w
	s.w = nil
	s.mu.Unlock()
	if w == nil {
		return
	}
	w.close()
	s.primacy <- journal.Primacy{Primary: false, Epoch: w.epoch}
}

// post runs fn on the System's goroutine; writer callbacks use it because
// they run on the writer's goroutine, which demote waits for.
func (s *System) post(fn func()) {
	go func() {
		select {
		case s.events <- fn:
		case <-s.stop:
		}
	}()
}

func (s *System) isPrimary() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w != nil
}

func (s *System) primaryApplied(n int) {
	if !s.opts.CheckpointOnStandby {
		s.applied(n)
	}
}

// applied counts entries applied and starts a checkpoint in the background
// once a period's worth has accumulated.
func (s *System) applied(n int) {
	if s.sinceC.Add(uint64(n)) >= s.opts.CheckpointPeriod && s.ckMu.TryLock() {
		s.sinceC.Store(0)
		// Stop waits for it: a stopped master must not write to the folder.
		// The writer calls applied while run (counted in wg) waits for it,
		// so the count is above zero here.
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.ckMu.Unlock()
			if _, err := s.checkpointLocked(); err != nil {
				s.log.Error("checkpoint failed", "err", err)
			}
		}()
	}
}

// Primacy delivers role changes.
func (s *System) Primacy() <-chan journal.Primacy { return s.primacy }

// Propose journals e as primary.
func (s *System) Propose(ctx context.Context, e *journalpb.Entry) (journal.Result, error) {
	s.mu.Lock()
	w := s.w
	s.mu.Unlock()
	if w == nil {
		return journal.Result{}, errs.New(errs.ErrNotPrimary, "this master is a standby")
	}
	return w.propose(ctx, e)
}

// CheckPrimary vouches for reads while the writer holds the journal and the
// selector still backs it.
func (s *System) CheckPrimary(context.Context) error {
	if !s.isPrimary() || !s.opts.Selector.Valid() {
		return errs.New(errs.ErrNotPrimary, "this master is not the primary")
	}
	return nil
}

// Checkpoint writes a checkpoint now.
func (s *System) Checkpoint(context.Context) (uint64, error) {
	s.ckMu.Lock()
	defer s.ckMu.Unlock()
	s.sinceC.Store(0)
	return s.checkpointLocked()
}

func (s *System) checkpointLocked() (uint64, error) {
	start := time.Now()
	last, path, err := writeCheckpoint(s.opts.Folder, s.opts.StateMachine)
	if err != nil {
		return 0, err
	}
	s.lastCk.Store(last)
	s.log.Info("checkpoint written", "path", path, "sequence", last, "took", time.Since(start))
	return last, nil
}

// Flushes is how many batches of entries this master wrote and synced as
// primary.
func (s *System) Flushes() uint64 { return s.flushes.Load() }

// Info describes the journal.
func (s *System) Info() journal.Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	role := journal.RoleStandby
	if s.w != nil {
		role = journal.RolePrimary
	}
	return journal.Info{Type: "UFS", Role: role, Epoch: s.epoch, LastApplied: s.opts.StateMachine.LastSequence(),
		LastCheckpoint: s.lastCk.Load(), Location: s.opts.Folder, Leader: s.opts.Selector.Leader()}
}

// Stop closes the journal and leaves the election.
func (s *System) Stop() error {
	var err error
	s.once.Do(func() {
		close(s.stop)
		s.wg.Wait()
		if !s.running.Load() {
			// Never started (or start-up failed): run never ran to close it.
			close(s.primacy)
		}
		err = s.opts.Selector.Stop()
		s.lock.Release()
	})
	return err
}
