package state

import (
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// Under storage intents: an entry proposed with ufs_intents set never
// changes the under storage before it commits. Its Apply records what the
// under storage must do (a UfsIntent, id = the entry's sequence), the
// primary does it after the commit and journals UfsIntentDone (or
// UfsIntentFailed). Intents are replicated state: a new primary finds the
// ones its predecessor left open and finishes them. Intents on
// overlapping paths are carried out in id order, which is journal order.

// intentTable holds the pending intents.
type intentTable struct {
	byID map[uint64]*journalpb.UfsIntent
	// publishOf maps a file id to its pending publish, so a file waiting
	// for one is not handed to a worker to persist again.
	publishOf map[int64]uint64
}

func newIntentTable() *intentTable {
	return &intentTable{byID: map[uint64]*journalpb.UfsIntent{}, publishOf: map[int64]uint64{}}
}

func (t *intentTable) add(in *journalpb.UfsIntent) {
	t.byID[in.Id] = in
	if in.Kind == journalpb.UfsIntentKind_UFS_PUBLISH {
		t.publishOf[in.FileId] = in.Id
	}
}

func (t *intentTable) remove(id uint64) *journalpb.UfsIntent {
	in, ok := t.byID[id]
	if !ok {
		return nil
	}
	delete(t.byID, id)
	if in.Kind == journalpb.UfsIntentKind_UFS_PUBLISH && t.publishOf[in.FileId] == id {
		delete(t.publishOf, in.FileId)
	}
	return in
}

// sorted lists the intents in id order; keep filters them.
func (t *intentTable) sorted(keep func(*journalpb.UfsIntent) bool) []*journalpb.UfsIntent {
	var out []*journalpb.UfsIntent
	for _, in := range t.byID {
		if keep == nil || keep(in) {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	return out
}

// IntentOverlaps reports whether in concerns path, a path below it or one
// of its ancestors: an operation on path must wait for it.
func IntentOverlaps(in *journalpb.UfsIntent, path string) bool {
	for _, p := range []string{in.Path, in.DstPath} {
		if p != "" && (fspath.IsAncestor(p, path) || fspath.IsAncestor(path, p)) {
			return true
		}
	}
	return false
}

func clones(in []*journalpb.UfsIntent) []*journalpb.UfsIntent {
	out := make([]*journalpb.UfsIntent, len(in))
	for i, x := range in {
		out[i] = proto.Clone(x).(*journalpb.UfsIntent)
	}
	return out
}

// PendingIntents lists, in id order, the pending intents that overlap any
// of paths (all of them when paths is empty).
func (s *State) PendingIntents(paths ...string) []*journalpb.UfsIntent {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.intents.byID) == 0 {
		return nil
	}
	return clones(s.intents.sorted(func(in *journalpb.UfsIntent) bool {
		if len(paths) == 0 {
			return true
		}
		for _, p := range paths {
			if IntentOverlaps(in, p) {
				return true
			}
		}
		return false
	}))
}

// IntentPending reports whether intent id is still pending.
func (s *State) IntentPending(id uint64) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.intents.byID[id]
	return ok
}

// PendingOn returns the pending intent about exactly path, or about file
// id, for showing in the path's status.
func (s *State) PendingOn(path string, id int64) (*journalpb.UfsIntent, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pid, ok := s.intents.publishOf[id]; ok {
		return proto.Clone(s.intents.byID[pid]).(*journalpb.UfsIntent), true
	}
	var first *journalpb.UfsIntent
	for _, in := range s.intents.byID {
		if (in.Path == path || in.DstPath == path) && (first == nil || in.Id < first.Id) {
			first = in
		}
	}
	if first == nil {
		return nil, false
	}
	return proto.Clone(first).(*journalpb.UfsIntent), true
}

// PendingByMount counts the pending intents of each mount id.
func (s *State) PendingByMount() map[int64]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[int64]int{}
	for _, in := range s.intents.byID {
		out[in.MountId]++
	}
	return out
}

// ufsTarget is where path lives in a writable under storage; ok is false
// when no mount holds it or the mount is read-only.
func (s *State) ufsTarget(path string) (*MountPoint, string, bool) {
	m, rel, ok := s.mounts.resolve(path)
	if !ok || m.ReadOnly {
		return nil, "", false
	}
	return m, rel, true
}

// addIntent records in for the entry being applied when in.Path is in a
// writable under storage. Callers deriving an intent from an entry check
// s.applying.intents first: entries from before intents did their under
// storage side before they were proposed.
func (s *State) addIntent(in *journalpb.UfsIntent) {
	m, rel, ok := s.ufsTarget(in.Path)
	if !ok {
		return
	}
	in.Id, in.CreatedMs, in.MountId = s.lastSeq, s.applying.timeMs, m.ID
	if in.UfsPath == "" {
		in.UfsPath = rel
	}
	s.intents.add(in)
}

// hasPendingPublish reports whether file id waits for a publish.
func (s *State) hasPendingPublish(id int64) bool {
	_, ok := s.intents.publishOf[id]
	return ok
}

// publishBelow reports whether any file in n's subtree waits for a publish.
func (s *State) publishBelow(n *Inode) bool {
	if !n.IsDir {
		return s.hasPendingPublish(n.ID)
	}
	if len(s.intents.publishOf) == 0 {
		return false
	}
	for _, c := range n.children {
		if s.publishBelow(c) {
			return true
		}
	}
	return false
}

// dropMountIntents forgets the intents of an unmounted store: Alluxio no
// longer manages it.
func (s *State) dropMountIntents(mountID int64) {
	for id, in := range s.intents.byID {
		if in.MountId == mountID {
			s.intents.remove(id)
		}
	}
}

func (s *State) applyPersistDone(op *journalpb.PersistDone) Result {
	n, ok := s.byID[op.FileId]
	if !ok || n.IsDir {
		return Result{Err: errs.New(errs.ErrNotFound, "persisted file %d (%s) is gone", op.FileId, op.Path)}
	}
	path := s.pathOf(n)
	switch {
	case path != op.Path:
		return Result{Err: errs.New(errs.ErrPrecondition, "file %d moved from %s to %s while it was persisted", op.FileId, op.Path, path)}
	case !n.Completed || n.Persistence != journalpb.PersistenceState_TO_BE_PERSISTED || s.hasPendingPublish(n.ID):
		return Result{Err: errs.New(errs.ErrPrecondition, "%s is not waiting for a persist (%s)", path, n.Persistence)}
	case op.Failure != "":
		n.Persistence, n.UfsError = journalpb.PersistenceState_NOT_PERSISTED, op.Failure
		return Result{InodeID: n.ID}
	case op.Length != n.Length:
		return Result{Err: errs.New(errs.ErrCorrupt, "persisted copy of %s has %d bytes, the file %d", path, op.Length, n.Length)}
	}
	if _, _, ok := s.ufsTarget(path); !ok {
		return Result{Err: errs.New(errs.ErrPermission, "%s is not in a writable under storage", path)}
	}
	s.addIntent(&journalpb.UfsIntent{Kind: journalpb.UfsIntentKind_UFS_PUBLISH, Path: path, FileId: n.ID, Length: n.Length,
		PublishToken: op.UfsPublishToken})
	return Result{InodeID: n.ID}
}

func (s *State) applyIntentDone(op *journalpb.UfsIntentDone) Result {
	in := s.intents.remove(op.Id)
	if in == nil {
		return Result{Err: errs.New(errs.ErrNotFound, "under storage intent %d is not pending", op.Id)}
	}
	if in.Kind == journalpb.UfsIntentKind_UFS_RENAME {
		return s.movedCopyDone(in, op)
	}
	if in.Kind != journalpb.UfsIntentKind_UFS_PUBLISH {
		return Result{}
	}
	n, ok := s.byID[in.FileId]
	if !ok {
		return Result{}
	}
	s.markPersisted(n)
	n.UfsModMs, n.UfsFingerprint, n.UfsError = op.UfsModMs, op.UfsFingerprint, ""
	return Result{InodeID: n.ID}
}

// movedCopyDone records what a renamed file's copy is checked by after the
// move (an object store's copy has a new ETag), when the done entry says
// and the destination still holds the file moved.
func (s *State) movedCopyDone(in *journalpb.UfsIntent, op *journalpb.UfsIntentDone) Result {
	if in.FileId == 0 {
		s.movedCopiesDone(in, op.Moved)
		return Result{}
	}
	if op.UfsModMs == 0 && op.UfsFingerprint == "" {
		return Result{}
	}
	n, err := s.lookup(in.DstPath)
	if err != nil || n.IsDir || n.ID != in.FileId {
		return Result{}
	}
	n.UfsModMs, n.UfsFingerprint = op.UfsModMs, op.UfsFingerprint
	return Result{InodeID: n.ID}
}

// movedCopiesDone records what the moved copies of a renamed directory's
// files are checked by, for each file still below the directory's
// destination (the same file: a new one at its path is not the copy that
// moved).
func (s *State) movedCopiesDone(in *journalpb.UfsIntent, moved []*journalpb.MovedCopy) {
	for _, m := range moved {
		n, ok := s.byID[m.FileId]
		if !ok || n.IsDir || !n.Persisted() || !fspath.IsAncestor(in.DstPath, s.pathOf(n)) {
			continue
		}
		n.UfsModMs, n.UfsFingerprint = m.UfsModMs, m.UfsFingerprint
	}
}

func (s *State) applyIntentFailed(op *journalpb.UfsIntentFailed) Result {
	in := s.intents.remove(op.Id)
	if in == nil {
		return Result{Err: errs.New(errs.ErrNotFound, "under storage intent %d is not pending", op.Id)}
	}
	var n *Inode
	switch in.Kind {
	case journalpb.UfsIntentKind_UFS_PUBLISH:
		n = s.byID[in.FileId]
		switch {
		case n == nil:
		case op.PersistAgain && n.Completed:
			// Its blocks may still be cached: a worker writes the copy
			// again (ToBePersisted); if they are gone too, that persist
			// fails and leaves the file unpersisted.
			n.Persistence = journalpb.PersistenceState_TO_BE_PERSISTED
		default:
			n.Persistence = journalpb.PersistenceState_NOT_PERSISTED
		}
	case journalpb.UfsIntentKind_UFS_MKDIRS:
		// The directory is not in the under storage: a sync must not
		// take its absence there for a removal.
		if n, _ = s.lookup(in.Path); n != nil && n.IsDir && n != s.root && !n.MountPoint {
			n.Persistence = journalpb.PersistenceState_NOT_PERSISTED
		}
	case journalpb.UfsIntentKind_UFS_RENAME:
		n, _ = s.lookup(in.DstPath)
	case journalpb.UfsIntentKind_UFS_SET_ATTRIBUTE:
		n, _ = s.lookup(in.Path)
	}
	if n == nil {
		return Result{}
	}
	n.UfsError = op.Reason
	return Result{InodeID: n.ID}
}
