package master

import (
	"context"
	"errors"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Writers (CACHE_THROUGH and THROUGH clients, workers persisting
// ASYNC_THROUGH files) write a file's under storage copy under a temporary
// name (underfs.TempPath); the master moves it to the file's own name when
// it accepts the file, holding the path's lock. So the under storage only
// ever shows files the namespace has, and a writer that lost its file to a
// delete or an overwrite cannot put a stale copy in place of the current
// one.

// publishUFS makes the copy written for file id visible at path: with
// token, a staged copy (see underfs.Stager) is published; without, the copy
// under its temporary name is renamed. It returns the copy's status, whose
// modification time and fingerprint readers check the copy by. The caller
// holds path's lock and has checked that id is the file at path.
func (fs *fileSystem) publishUFS(ctx context.Context, path string, id, length int64, token []byte) (underfs.Status, error) {
	u, _, rel, err := fs.resolveUFS(path)
	if err != nil {
		return underfs.Status{}, err
	}
	var st underfs.Status
	if len(token) > 0 {
		st, err = fs.publishStaged(ctx, u, path, rel, token)
	} else if err = fs.renameTemp(ctx, u, path, rel, id, length); err == nil {
		st, err = u.GetStatus(ctx, rel)
	}
	if err != nil {
		return underfs.Status{}, err
	}
	if st.Length != length {
		return underfs.Status{}, errs.New(errs.ErrCorrupt, "the under storage copy of %s is not what was written (%d bytes, want %d)", path, st.Length, length)
	}
	return st, nil
}

func (fs *fileSystem) renameTemp(ctx context.Context, u underfs.UnderFileSystem, path, rel string, id, length int64) error {
	if err := fs.confirmPrimary(ctx); err != nil {
		return err
	}
	tmp := underfs.TempPath(rel, id)
	err := u.Rename(ctx, tmp, rel)
	if errors.Is(err, errs.ErrAlreadyExists) {
		// An older copy (of the file this one overwrites, or put there
		// behind Alluxio's back): the namespace says this file is the one.
		if derr := u.Delete(ctx, rel, false); derr != nil && !errors.Is(derr, errs.ErrNotFound) {
			return derr
		}
		err = u.Rename(ctx, tmp, rel)
	}
	if errors.Is(err, errs.ErrNotFound) {
		// An earlier attempt of the same completion may have published it
		// and then failed to journal.
		if st, serr := u.GetStatus(ctx, rel); serr == nil && !st.IsDir && st.Length == length {
			return nil
		}
		return errs.New(errs.ErrNotFound, "the under storage copy of %s was not written (no %s)", path, tmp)
	}
	return err
}

// dropTemp removes what a writer of file id left under path's directory
// (or the staged copy token names), once the file is gone or was never
// accepted. Best effort: a leftover is only wasted space, never seen by a
// metadata load.
func (fs *fileSystem) dropTemp(ctx context.Context, path string, id int64, token []byte) {
	u, mp, rel, err := fs.resolveUFS(path)
	if err != nil || mp.ReadOnly {
		return
	}
	if len(token) > 0 {
		fs.discardStaged(ctx, u, path, rel, token)
		return
	}
	if err := u.Delete(ctx, underfs.TempPath(rel, id), false); err != nil && !errors.Is(err, errs.ErrNotFound) {
		fs.log.Debug("could not remove an unpublished under storage copy", "path", path, "file_id", id, "err", err)
	}
}

// finishPersist publishes the copy a worker wrote of file id and journals
// the file persisted. It returns the file's path, or "" when there is
// nothing to do (the file is gone, or persisted already).
func (fs *fileSystem) finishPersist(ctx context.Context, id int64, token []byte) (string, error) {
	_, path, err := fs.st.StatID(id)
	if err != nil {
		return "", nil
	}
	defer fs.locks.lock(path)()
	n, now, err := fs.st.StatID(id)
	switch {
	case err != nil:
		return "", nil
	case now != path:
		// Renamed meanwhile: the copy is under the old directory, and the
		// file, still waiting, is handed out again.
		return path, errs.New(errs.ErrPrecondition, "file %d moved to %s while it was persisted", id, now)
	case n.Persisted():
		return "", nil
	}
	if _, err := fs.publishUFS(ctx, path, id, n.Length, token); err != nil {
		return path, err
	}
	done := journalpb.PersistenceState_PERSISTED
	_, err = fs.propose(ctx, "", &journalpb.Entry{Op: &journalpb.Entry_SetAttribute{SetAttribute: &journalpb.SetAttribute{
		Path: path, PersistenceState: &done}}})
	return path, err
}

// confirmPrimary asks the journal whether this master still leads before
// an under storage change that cannot be undone (a delete, a rename, a
// publish over an older copy). A leader that was paused and deposed, and
// has not noticed yet, would otherwise act on a namespace that is no
// longer current: delete the copy of a file the new leader created since.
// The entry it then proposes is refused anyway; the check keeps the under
// storage out of it, short of a pause between the check and the change.
func (fs *fileSystem) confirmPrimary(ctx context.Context) error {
	return fs.jr.CheckPrimary(ctx)
}
