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

// applyDropUnpublished records a UFS_DROP_UNPUBLISHED intent for each
// copy that no file may publish any more; the others are left alone (a
// sweep that saw a copy as its writer started is no error). Copies outside
// a writable mount, and malformed ones, refuse the entry whole.
func (s *State) applyDropUnpublished(op *journalpb.DropUnpublished) Result {
	type drop struct {
		c         *journalpb.UnpublishedCopy
		path, rel string
	}
	var drops []drop
	for _, c := range op.Copies {
		path, err := fspath.Clean(c.Path)
		if err != nil {
			return Result{Err: err}
		}
		_, rel, ok := s.ufsTarget(path)
		switch {
		case !ok || rel == "":
			return Result{Err: errs.New(errs.ErrInvalidArg, "unpublished copy %s is not in a writable under storage", path)}
		case (c.FileId == 0) == (len(c.Token) == 0):
			return Result{Err: errs.New(errs.ErrInvalidArg, "unpublished copy %s: give a file id or a staged copy's token", path)}
		case c.FileId != 0 && underfs.TempPath(rel, c.FileId) != rel:
			return Result{Err: errs.New(errs.ErrInvalidArg, "unpublished copy %s is not the temporary name of file %d", path, c.FileId)}
		}
		if s.mayPublish(path, c.FileId) {
			continue
		}
		drops = append(drops, drop{c, path, rel})
	}
	if !s.applying.intents {
		return Result{}
	}
	for _, d := range drops {
		s.addIntent(&journalpb.UfsIntent{Kind: journalpb.UfsIntentKind_UFS_DROP_UNPUBLISHED, Path: d.path, UfsPath: d.rel,
			FileId: d.c.FileId, PublishToken: d.c.Token})
	}
	return Result{}
}

// mayPublish reports whether a copy at path may still become a file's:
// for a temporary name (id set), whether file id is, or may yet be,
// created and may still publish its copy from there; for a staged copy,
// whether the file at path may still publish one.
func (s *State) mayPublish(path string, id int64) bool {
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
	m, rel, ok := s.ufsTarget(s.pathOf(n))
	tm, tmp, _ := s.ufsTarget(path)
	return ok && m == tm && underfs.TempPath(rel, id) == tmp
}

// publishing reports whether file n may still publish a copy: it is being
// written, waits for a persist, or waits for its publish intent.
func (s *State) publishing(n *Inode) bool {
	return !n.IsDir && (!n.Completed || n.Persistence == journalpb.PersistenceState_TO_BE_PERSISTED || s.hasPendingPublish(n.ID))
}
