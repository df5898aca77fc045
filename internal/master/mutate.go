package master

import (
	"context"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/master/state"
)

// Every change the master makes to its namespace goes through mutate:
//
//  1. lock the paths (pathlock.go) until the answer;
//  2. finish the under storage changes still pending on them (a previous
//     primary's, or one that failed and is retried), in journal order, so
//     nothing new lands on a path whose under storage is behind;
//  3. answer a retried operation id from its first outcome (its entry is
//     committed; what it asked of the under storage follows), and fail
//     a new one with "unavailable" while a change on its paths is pending;
//  4. prepare: check the request against the applied state, loading
//     metadata when the policy says so, and build the entry;
//  5. propose it; Apply records the intents for its under storage side;
//  6. carry those out (fenced, see fenced.go) and journal them done;
//  7. answer from what the entry did.
//
// The under storage never changes before the entry that asks for it has
// committed, and a change that cannot be made now stays pending in the
// replicated state for this or the next primary to finish.

// mutation is one change to the namespace.
type mutation struct {
	// opID is the client's operation id, "" for the master's own changes.
	opID string
	// paths are locked, clean. None for a change that touches no path (the
	// cluster id, an under storage mode): then no pending under storage
	// change holds it up.
	paths []string
	// prepare checks the request and returns the entry to propose, or nil
	// to propose nothing. It runs only for an operation id with no
	// outcome yet. It may propose metadata loads of its own (metasync.go).
	prepare func(ctx context.Context) (*journalpb.Entry, error)
	// after, when set, runs once the entry committed (or prepare returned
	// none) for effects outside the journal and the under storage, such as
	// dropping cached blocks. It does not run for a retried operation id.
	after func(ctx context.Context, r state.Result) error
	// access is what the caller needs to be allowed the operation,
	// checked after prepare (which may load the paths' metadata) against
	// the state under the locks. A client's operation without it is
	// refused: every operation names its permissions.
	access []need
	// ownWork marks the master's own changes made while serving a call
	// (metadata loads, TTL actions, persist completions): they need no
	// permission of the caller.
	ownWork bool
	// goOnWhilePending lets the operation go ahead while an under storage
	// change on its paths stays pending: reads that would load metadata
	// (they skip the load, see syncPath) and unmount (which abandons the
	// changes with the mount).
	goOnWhilePending bool
}

// mutate runs m and returns the result of its entry.
func (fs *fileSystem) mutate(ctx context.Context, m mutation) (state.Result, error) {
	defer fs.locks.lock(m.paths...)()
	var pending error
	if len(m.paths) > 0 {
		pending = fs.intents.finish(ctx, fs.st.PendingIntents(m.paths...), 0)
	}
	if r, ok := fs.st.RetryOutcome(m.opID); ok && !fs.forget.forgets(m.opID) {
		return r, r.Err
	}
	if pending != nil && !m.goOnWhilePending {
		return state.Result{}, pending
	}
	e, err := m.prepare(ctx)
	if err != nil {
		return state.Result{}, err
	}
	if err := fs.allow(ctx, m); err != nil {
		return state.Result{}, err
	}
	var r state.Result
	if e != nil {
		before := fs.st.LastSequence()
		if r, err = fs.propose(ctx, m.opID, e); err != nil {
			return r, err
		}
		fs.forgetAbsent(m.paths...)
		// The entry is committed: its under storage side must not be
		// cut short by a client that stops waiting.
		if len(m.paths) > 0 {
			fs.intents.finish(context.WithoutCancel(ctx), fs.st.PendingIntents(m.paths...), before)
		}
	}
	if m.after != nil {
		if err := m.after(ctx, r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// allow checks m's permissions for ctx's caller.
func (fs *fileSystem) allow(ctx context.Context, m mutation) error {
	if m.ownWork {
		return nil
	}
	c := fs.az.caller(ctx)
	if len(m.access) == 0 {
		if c.checked {
			return errs.New(errs.ErrInternal, "operation on %v names no permissions", m.paths)
		}
		return nil
	}
	return fs.authorize(c, m.access...)
}

// propose journals e. Only mutate and the steps it runs (metadata loads in
// prepare, intents done or failed) call it.
func (fs *fileSystem) propose(ctx context.Context, opID string, e *journalpb.Entry) (state.Result, error) {
	if _, known := fs.st.RetryOutcome(opID); known && fs.forget.forgets(opID) {
		// The planted bug: run it again, under an id the state does not
		// know.
		opID = ""
	}
	fs.forget.proposed(opID)
	e.OpId = opID
	e.TimeMs = fs.now().UnixMilli()
	e.UfsIntents = true
	r, err := fs.jr.Propose(ctx, e)
	if err != nil {
		return r, err
	}
	return r, r.Err
}

// entryOf wraps one journal operation in an entry. Anything else gives an
// entry without an operation, which Apply refuses.
func entryOf(op any) *journalpb.Entry {
	e := &journalpb.Entry{}
	switch o := op.(type) {
	case *journalpb.CreateFile:
		e.Op = &journalpb.Entry_CreateFile{CreateFile: o}
	case *journalpb.CompleteFile:
		e.Op = &journalpb.Entry_CompleteFile{CompleteFile: o}
	case *journalpb.CreateDirectory:
		e.Op = &journalpb.Entry_CreateDirectory{CreateDirectory: o}
	case *journalpb.Delete:
		e.Op = &journalpb.Entry_Delete{Delete: o}
	case *journalpb.Rename:
		e.Op = &journalpb.Entry_Rename{Rename: o}
	case *journalpb.SetAttribute:
		e.Op = &journalpb.Entry_SetAttribute{SetAttribute: o}
	case *journalpb.Mount:
		e.Op = &journalpb.Entry_Mount{Mount: o}
	case *journalpb.Unmount:
		e.Op = &journalpb.Entry_Unmount{Unmount: o}
	case *journalpb.SyncMetadata:
		e.Op = &journalpb.Entry_SyncMetadata{SyncMetadata: o}
	case *journalpb.PersistDone:
		e.Op = &journalpb.Entry_PersistDone{PersistDone: o}
	case *journalpb.UfsIntentDone:
		e.Op = &journalpb.Entry_UfsIntentDone{UfsIntentDone: o}
	case *journalpb.UfsIntentFailed:
		e.Op = &journalpb.Entry_UfsIntentFailed{UfsIntentFailed: o}
	case *journalpb.DropUnpublished:
		e.Op = &journalpb.Entry_DropUnpublished{DropUnpublished: o}
	}
	return e
}
