package master

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/failpoint"
	"github.com/alluxio-go/alluxio/internal/master/state"
)

// intentRunner carries out the under storage intents that committed
// entries recorded (state/intent.go): right after the commit, for the
// operation that made them (mutate); before any later operation on their
// paths; and in the background while this master is primary, which is how
// a new primary finishes what the previous one left. An intent that the
// store refuses for now is retried with a growing pause, logged once and
// counted; one that can never succeed is journaled failed, with the
// reason, which the inode then shows.
type intentRunner struct {
	fs  *fileSystem
	log *slog.Logger
	now func() time.Time

	mu sync.Mutex
	// running holds the intents being carried out, each closed when done:
	// two operations never run the same intent at once.
	running map[uint64]chan struct{}
	// retry is soft state about intents the store refused: a new primary
	// starts without it and simply tries again.
	retry map[uint64]*intentRetry
	wake  chan struct{}
	// every is how often the loop looks; retryMin the first pause after
	// a refusal, doubled with each (tests shorten them).
	every, retryMin time.Duration

	done, retried, failed atomic.Int64
}

type intentRetry struct {
	attempts int
	next     time.Time
	err      string
}

const (
	intentRetryMin = 500 * time.Millisecond
	intentRetryMax = time.Minute
)

func newIntentRunner(fs *fileSystem) *intentRunner {
	return &intentRunner{fs: fs, log: fs.log, now: fs.now, running: map[uint64]chan struct{}{},
		retry: map[uint64]*intentRetry{}, wake: make(chan struct{}, 1), every: time.Second, retryMin: intentRetryMin}
}

// kindName is an intent's kind as users see it: "DELETE", "PUBLISH".
func kindName(in *journalpb.UfsIntent) string { return strings.TrimPrefix(in.Kind.String(), "UFS_") }

func intentPaths(in *journalpb.UfsIntent) []string {
	if in.DstPath != "" {
		return []string{in.Path, in.DstPath}
	}
	return []string{in.Path}
}

func overlapsAny(in *journalpb.UfsIntent, others []*journalpb.UfsIntent) bool {
	for _, o := range others {
		for _, p := range intentPaths(o) {
			if state.IntentOverlaps(in, p) {
				return true
			}
		}
	}
	return false
}

// finish carries out the intents of list (in id order, as PendingIntents
// gives them) and returns an error naming the first one left pending. An
// intent overlapping one left pending is left too, so the intents of a
// path run in journal order. Intents with ids above ownAfter (when not 0)
// were made by the caller's own entry: the pause failpoint applies to
// them. The caller holds the locks of the intents' paths.
func (r *intentRunner) finish(ctx context.Context, list []*journalpb.UfsIntent, ownAfter uint64) error {
	var stuck []*journalpb.UfsIntent
	var first error
	for _, in := range list {
		err := errs.New(errs.ErrUnavailable, "an earlier under storage change on the path is pending")
		if !overlapsAny(in, stuck) {
			err = r.run(ctx, in, ownAfter != 0 && in.Id > ownAfter)
		}
		if err == nil {
			continue
		}
		stuck = append(stuck, in)
		if first == nil {
			first = err
			if !errors.Is(err, errs.ErrNotPrimary) {
				first = errs.New(errs.ErrUnavailable, "%s of %s is pending in the under storage: %s", kindName(in), in.Path, errs.Message(err))
			}
		}
	}
	return first
}

// run carries out one intent unless it is done already, and journals the
// outcome. It returns nil when the intent is no longer pending.
func (r *intentRunner) run(ctx context.Context, in *journalpb.UfsIntent, own bool) error {
	release, err := r.claim(ctx, in.Id)
	if err != nil {
		return err
	}
	defer release()
	if !r.fs.st.IntentPending(in.Id) {
		return nil
	}
	if own {
		r.pause(ctx, in)
	}
	published, err := r.execute(ctx, in)
	switch {
	case errors.Is(err, errIntentResolved):
		return nil
	case err == nil:
		r.succeeded(in)
		_, err = r.fs.propose(ctx, "", entryOf(&journalpb.UfsIntentDone{Id: in.Id, UfsModMs: published.modMs,
			UfsFingerprint: published.fingerprint, Moved: published.moved}))
		if err = ignoreResolved(err); err != nil {
			r.log.Info("under storage change done, but not journaled done: the next primary does it again",
				"kind", kindName(in), "path", in.Path, "intent", in.Id, "err", err)
		}
		return err
	case !permanent(err):
		r.refused(in, err)
		return err
	}
	reason := errs.Message(err)
	r.log.Warn("under storage change failed for good", "kind", kindName(in), "path", in.Path, "intent", in.Id, "err", reason)
	r.forget(in.Id)
	r.failed.Add(1)
	// A publish finding its staged copy gone (errs.ErrNotFound: the store
	// lost an upload it had accepted, or a sweep took it) or not the file
	// (errs.ErrCorrupt) is not the end of an acknowledged file: the cache
	// still holds it.
	again := in.Kind == journalpb.UfsIntentKind_UFS_PUBLISH && (errors.Is(err, errs.ErrNotFound) || errors.Is(err, errs.ErrCorrupt))
	_, err = r.fs.propose(ctx, "", entryOf(&journalpb.UfsIntentFailed{Id: in.Id, Reason: reason, PersistAgain: again}))
	return ignoreResolved(err)
}

// errIntentResolved: another primary resolved the intent while this one
// was about to carry it out.
var errIntentResolved = errors.New("the under storage change was resolved by another primary")

// ignoreResolved drops the error of a done or failed entry for an intent
// someone else resolved first.
func ignoreResolved(err error) error {
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	return err
}

// claim makes the caller the one who runs intent id, waiting for another
// who runs it now.
func (r *intentRunner) claim(ctx context.Context, id uint64) (release func(), err error) {
	for {
		r.mu.Lock()
		ch, busy := r.running[id]
		if !busy {
			ch = make(chan struct{})
			r.running[id] = ch
			r.mu.Unlock()
			return func() {
				r.mu.Lock()
				delete(r.running, id)
				r.mu.Unlock()
				close(ch)
			}, nil
		}
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// due reports whether the loop may try intent id again: an operation on
// its paths tries it at once, the loop only after a pause that grows with
// each refusal.
func (r *intentRunner) due(id uint64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	rt := r.retry[id]
	return rt == nil || !r.now().Before(rt.next)
}

// refused notes an attempt the store refused; only the first is logged.
// An attempt cut short because this master stops being primary is not a
// refusal.
func (r *intentRunner) refused(in *journalpb.UfsIntent, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	if errors.Is(err, errs.ErrNotPrimary) {
		r.log.Info("not the primary any more: the under storage change is left to the next one",
			"kind", kindName(in), "path", in.Path, "intent", in.Id)
		return
	}
	r.retried.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	rt := r.retry[in.Id]
	if rt == nil {
		rt = &intentRetry{}
		r.retry[in.Id] = rt
		r.log.Warn("under storage change refused; retrying until it succeeds", "kind", kindName(in), "path", in.Path,
			"intent", in.Id, "err", err)
	}
	rt.attempts++
	rt.err = errs.Message(err)
	rt.next = r.now().Add(min(r.retryMin<<min(rt.attempts-1, 16), intentRetryMax))
}

func (r *intentRunner) succeeded(in *journalpb.UfsIntent) {
	r.done.Add(1)
	r.mu.Lock()
	rt := r.retry[in.Id]
	delete(r.retry, in.Id)
	r.mu.Unlock()
	if rt != nil {
		r.log.Info("under storage change done after retries", "kind", kindName(in), "path", in.Path, "intent", in.Id,
			"attempts", rt.attempts+1)
	}
}

func (r *intentRunner) forget(id uint64) {
	r.mu.Lock()
	delete(r.retry, id)
	r.mu.Unlock()
}

// retrying describes the last refusal of intent id, for the path's status.
func (r *intentRunner) retrying(id uint64) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rt := r.retry[id]; rt != nil {
		return fmt.Sprintf("%d attempts, last: %s", rt.attempts, rt.err)
	}
	return ""
}

// reset forgets the soft state when this master stops being primary.
func (r *intentRunner) reset() {
	r.mu.Lock()
	clear(r.retry)
	r.mu.Unlock()
}

// permanent tells a refusal that can never succeed (a name the store
// cannot hold, a path that is not a directory, a copy that was never
// written) from one worth retrying (the store is unreachable or full, or
// this master no longer leads).
func permanent(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch errs.Code(err) {
	case "UNAVAILABLE", "NOT_PRIMARY", "NO_SPACE", "INTERNAL":
		return false
	}
	return true
}

// loop finishes pending intents until ctx ends (when this master stops
// being primary): at once, which is how a new primary takes over its
// predecessor's, then every second (r.every) and when woken.
func (r *intentRunner) loop(ctx context.Context) {
	if n := len(r.fs.st.PendingIntents()); n > 0 {
		r.log.Info("finishing the under storage changes the previous primary left pending", "count", n)
	}
	for {
		r.sweep(ctx)
		r.mu.Lock()
		t := time.NewTimer(r.every)
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-r.wake:
			t.Stop()
		}
	}
}

// kick makes the loop sweep now.
func (r *intentRunner) kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// sweep tries every pending intent once, in journal order.
func (r *intentRunner) sweep(ctx context.Context) {
	var stuck []*journalpb.UfsIntent
	for _, in := range r.fs.st.PendingIntents() {
		if ctx.Err() != nil {
			return
		}
		if overlapsAny(in, stuck) || !r.due(in.Id) {
			stuck = append(stuck, in)
			continue
		}
		unlock := r.fs.locks.lock(intentPaths(in)...)
		err := r.run(ctx, in, false)
		unlock()
		if err != nil {
			stuck = append(stuck, in)
		}
	}
}

// pause is the PauseBeforeUFSChange failpoint. What the pause lets happen
// meanwhile (the master deposed, its successor done with the change) is
// for the fence in execute to catch: the state is not looked at again.
func (r *intentRunner) pause(ctx context.Context, in *journalpb.UfsIntent) {
	spec, on := failpoint.Value(failpoint.PauseBeforeUFSChange)
	if !on {
		return
	}
	d, kind, prefix := parsePauseSpec(spec)
	if d <= 0 || (kind != "" && kind != kindName(in)) || !strings.HasPrefix(in.Path, prefix) {
		return
	}
	r.log.Warn("failpoint: pausing before an under storage change", "failpoint", failpoint.PauseBeforeUFSChange,
		"kind", kindName(in), "path", in.Path, "intent", in.Id, "for", d)
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	r.log.Warn("failpoint: pause over", "kind", kindName(in), "path", in.Path, "intent", in.Id)
}

// parsePauseSpec reads "DURATION[:KIND[:PATH-PREFIX]]".
func parsePauseSpec(spec string) (d time.Duration, kind, prefix string) {
	parts := strings.SplitN(spec, ":", 3)
	d, _ = time.ParseDuration(parts[0])
	if len(parts) > 1 && parts[1] != "*" {
		kind = parts[1]
	}
	if len(parts) > 2 {
		prefix = parts[2]
	}
	return d, kind, prefix
}
