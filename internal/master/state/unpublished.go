package state

import (
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Copies written but never published: a writer puts a file's under
// storage copy under a temporary name (or stages it), and only the
// file's publish intent gives it the file's name. A copy whose file ended
// first (deleted, replaced, moved while it was persisted, or refused at
// completion) is removed by the entry that ended the file when it knows
// the copy (a delete's intent drops the temporary name), but a writer may
// still be writing it then, or die before it says anything. The primary
// therefore sweeps the under storage for such copies and proposes
// DropUnpublished for what it finds; Apply decides, at that point of the
// journal, which of them no file may still publish.

// applyDropUnpublished records a UFS_DROP_UNPUBLISHED intent for the copy
// when no file may publish it any more, and nothing otherwise (a sweep
// that saw a copy as its writer started is no error). A copy outside a
// writable mount, or a malformed one, refuses the entry.
func (s *State) applyDropUnpublished(op *journalpb.DropUnpublished) Result {
	path, err := fspath.Clean(op.Path)
	if err != nil {
		return Result{Err: err}
	}
	_, rel, ok := s.ufsTarget(path)
	switch {
	case !ok || rel == "":
		return Result{Err: errs.New(errs.ErrInvalidArg, "unpublished copy %s is not in a writable under storage", path)}
	case op.FileId == 0 && len(op.Token) == 0:
		return Result{Err: errs.New(errs.ErrInvalidArg, "unpublished copy %s: give a file id or a staged copy's token", path)}
	case op.FileId < 0 || (len(op.Token) == 0 && underfs.TempPath(rel, op.FileId) != rel):
		return Result{Err: errs.New(errs.ErrInvalidArg, "unpublished copy %s is not the temporary name of file %d", path, op.FileId)}
	}
	if s.applying.intents && !s.mayPublish(path, op.FileId, len(op.Token) > 0) {
		s.addIntent(&journalpb.UfsIntent{Kind: journalpb.UfsIntentKind_UFS_DROP_UNPUBLISHED, Path: path, UfsPath: rel,
			FileId: op.FileId, PublishToken: op.Token})
	}
	return Result{}
}

// mayPublish reports whether a copy at path may still become a file's.
// With a file id, whether file id is, or may yet be, created and may still
// publish it: for a copy under a temporary name, from there; for a staged
// copy, at all. Without one (a staged copy a sweep found), whether the
// file at path may still publish a copy.
func (s *State) mayPublish(path string, id int64, staged bool) bool {
	if id == 0 {
		n, err := s.lookup(path)
		return err == nil && s.publishing(n)
	}
	if id >= s.nextID {
		// Not created yet as far as this journal goes: the copy cannot be
		// judged (a sweep never sees such a copy on a primary that is up
		// to date).
		return true
	}
	n, ok := s.byID[id]
	if !ok || !s.publishing(n) {
		return false
	}
	if staged {
		return true
	}
	m, rel, ok := s.ufsTarget(s.pathOf(n))
	tm, tmp, _ := s.ufsTarget(path)
	return ok && m == tm && underfs.TempPath(rel, id) == tmp
}

// publishing reports whether file n may still publish a copy: it is being
// written, waits for a persist, or waits for its publish intent.
func (s *State) publishing(n *Inode) bool {
	return !n.IsDir && (!n.Completed || n.Persistence == journalpb.PersistenceState_TO_BE_PERSISTED || s.hasPendingPublish(n.ID))
}

// MayPublish is mayPublish for the primary's sweep, which proposes only
// the copies that no file may publish at this point (Apply checks again).
func (s *State) MayPublish(c *journalpb.DropUnpublished) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.mayPublish(c.Path, c.FileId, len(c.Token) > 0)
}
