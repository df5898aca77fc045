package raftjournal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
)

// Propose replicates e to a quorum and returns what Apply made of it here.
func (s *System) Propose(ctx context.Context, e *journalpb.Entry) (journal.Result, error) {
	if ok, _ := s.primaryEpoch(); !ok {
		return journal.Result{}, s.notPrimary()
	}
	data, err := proto.Marshal(e)
	if err != nil {
		return journal.Result{}, errs.New(errs.ErrInvalidArg, "journal entry does not encode: %v", err)
	}
	var enqueue time.Duration // Raft's timeout only bounds the wait to enqueue.
	if dl, ok := ctx.Deadline(); ok {
		if enqueue = time.Until(dl); enqueue <= 0 {
			return journal.Result{}, ctx.Err()
		}
	}
	f := s.raft.Apply(data, enqueue)
	if err := wait(ctx, f); err != nil {
		return journal.Result{}, applyError(err)
	}
	r, ok := f.Response().(journal.Result)
	if !ok {
		return journal.Result{}, errs.New(errs.ErrInternal, "journal apply answered %T", f.Response())
	}
	return r, nil
}

// applyError tells apart failures where the entry was never logged from
// those where it may be committed by the next leader.
func applyError(err error) error {
	const mayApply = "; the cluster may yet apply this entry (retry with the same operation id)"
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("embedded journal: %w before the entry was committed"+mayApply, err)
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrLeadershipTransferInProgress):
		return errs.New(errs.ErrNotPrimary, "embedded journal: %v", err)
	case errors.Is(err, raft.ErrEnqueueTimeout):
		return errs.New(errs.ErrUnavailable, "embedded journal: too busy to take the entry before the deadline")
	case errors.Is(err, raft.ErrLeadershipLost), errors.Is(err, raft.ErrRaftShutdown):
		return errs.New(errs.ErrNotPrimary, "embedded journal: %v"+mayApply, err)
	default:
		return errs.New(errs.ErrUnavailable, "embedded journal: %v", err)
	}
}

// wait waits for a Raft future, or for ctx. Raft futures cannot be
// abandoned, so when ctx ends first the future is left to a goroutine.
// Raft answers most futures at the latest when it shuts down, but not
// those still in its apply queue then (an Apply or a Barrier queued as
// leadership ended): their goroutine stays, which is why nothing may
// wait for such a future without a ctx that ends.
func wait(ctx context.Context, f raft.Future) error {
	if ctx.Done() == nil {
		return f.Error()
	}
	ch := make(chan error, 1)
	go func() { ch <- f.Error() }()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CheckPrimary confirms leadership with a quorum (Raft's VerifyLeader) so
// a read served after it is linearizable: a deposed leader that has not
// noticed yet cannot get a quorum to answer. The term must also be the one
// whose barrier ran, or the state may miss entries of an interim leader.
func (s *System) CheckPrimary(ctx context.Context) error {
	ok, epoch := s.primaryEpoch()
	if !ok || s.raft.CurrentTerm() != epoch {
		return s.notPrimary()
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.ElectionTimeoutMin)
	defer cancel()
	if err := wait(ctx, s.raft.VerifyLeader()); err != nil {
		return errs.New(errs.ErrNotPrimary, "leadership of term %d not confirmed by a quorum: %v", epoch, err)
	}
	if s.raft.CurrentTerm() != epoch {
		return s.notPrimary()
	}
	return nil
}

// Checkpoint takes a Raft snapshot now (it also compacts the log) and
// returns the sequence the newest snapshot covers.
func (s *System) Checkpoint(ctx context.Context) (uint64, error) {
	if s.raft == nil {
		return 0, errs.New(errs.ErrPrecondition, "embedded journal not started")
	}
	err := wait(ctx, s.raft.Snapshot())
	if err != nil && !errors.Is(err, raft.ErrNothingNewToSnapshot) {
		return s.fsm.lastCk.Load(), fmt.Errorf("embedded journal: checkpoint: %w", err)
	}
	return s.fsm.lastCk.Load(), nil
}
