package master

import (
	"context"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Writers (CACHE_THROUGH and THROUGH clients, workers persisting
// ASYNC_THROUGH files) write a file's under storage copy under a temporary
// name (underfs.TempPath). The entry that accepts the file (CompleteFile,
// or PersistDone for an asynchronous persist) records a publish intent,
// which renames the copy to the file's own name after the entry commits,
// holding the path's lock. So the under storage only ever shows files the
// namespace has, and a writer that lost its file to a delete or an
// overwrite cannot put a stale copy in place of the current one. The file
// is PERSISTED, with the copy's modification time that readers check it
// by, once the publish is journaled done.

// dropRefused removes the copy a writer made for file id, whose completion
// was refused because the file is gone: its DropUnpublished entry makes it
// an intent, which this or the next primary carries out. When that entry
// cannot be journaled now (this master is deposed meanwhile), the sweep
// finds the copy later (leftovers.go).
func (fs *fileSystem) dropRefused(ctx context.Context, path string, id int64, token []byte) {
	c := &journalpb.DropUnpublished{Path: underfs.TempPath(path, id), FileId: id}
	if len(token) > 0 {
		c = &journalpb.DropUnpublished{Path: path, FileId: id, Token: token}
	}
	if mp, _, err := fs.st.Resolve(c.Path); err != nil || mp.ReadOnly {
		return
	}
	if err := fs.dropUnpublished(ctx, c); err != nil {
		fs.log.Info("the copy of a refused completion is left to the sweep", "path", path, "file_id", id, "err", err)
	}
}

// persistDone records that a worker finished (or, with failure, can never
// finish) the persist of file id; the entry's publish intent then gives
// the copy the file's name. It returns the file's path, "" when there is
// nothing to do (the file is gone, or not waiting for a persist).
func (fs *fileSystem) persistDone(ctx context.Context, id int64, failure string, token []byte) (string, error) {
	_, path, err := fs.st.StatID(id)
	if err != nil {
		return "", nil
	}
	var skipped bool
	_, err = fs.mutate(ctx, mutation{paths: []string{path}, ownWork: true,
		prepare: func(context.Context) (*journalpb.Entry, error) {
			n, now, err := fs.st.StatID(id)
			switch {
			case err != nil || n.Persistence != journalpb.PersistenceState_TO_BE_PERSISTED:
				skipped = true
				return nil, nil
			case now != path:
				// Renamed meanwhile: the copy is under the old directory, and
				// the file, still waiting, is handed out again.
				return nil, errs.New(errs.ErrPrecondition, "file %d moved to %s while it was persisted", id, now)
			}
			return entryOf(&journalpb.PersistDone{Path: path, FileId: id, Length: n.Length, Failure: failure, UfsPublishToken: token}), nil
		}})
	if skipped {
		return "", err
	}
	return path, err
}
