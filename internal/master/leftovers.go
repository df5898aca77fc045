package master

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Copies written and never published stay in the under storage when their
// file ends first and the writer goes on writing (or dies before it says
// anything), or when the master that would have removed them loses its
// primacy: dropping them on the spot cannot be made durable, since nobody
// may know they exist. So every primary sweeps the writable under
// storages, once when it becomes primary and every
// alluxio.underfs.cleanup.interval:
//
//   - copies under a temporary name (underfs.TempPath: the file id is in
//     the name) and, on stores that stage (S3), open uploads older than
//     the store's clean age (underfs.StagedLister), are proposed, each in
//     a DropUnpublished entry through mutate; Apply keeps only those no
//     file may still publish at that point of the journal (the file is
//     gone, complete and published, or elsewhere), whose intents the
//     runner then carries out, fenced, like any other. A copy whose file
//     is being written, waits for its persist or for its publish is never
//     touched, and the decision is the journal's, so a deposed primary's
//     sweep changes nothing.
//   - what dead writers left unfinished inside the store, which can be
//     nobody's file (a local store's half-written files no writer holds),
//     is removed by the store's own Cleanup (underfs.Cleaner), on a
//     confirmed primary.

// sweepStats counts what the sweeps found, for /metrics.
type sweepStats struct {
	proposed, cleaned atomic.Int64
}

// sweepLoop sweeps until ctx ends (when this master stops being primary).
func (fs *fileSystem) sweepLoop(ctx context.Context, every time.Duration) {
	for {
		fs.sweep(ctx)
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// sweep looks through every writable mount once.
func (fs *fileSystem) sweep(ctx context.Context) {
	for _, mp := range fs.st.MountTable() {
		if mp.ReadOnly || ctx.Err() != nil {
			continue
		}
		if err := fs.sweepMount(ctx, mp); err != nil && ctx.Err() == nil && !errors.Is(err, errs.ErrNotPrimary) {
			fs.log.Warn("sweeping the under storage for unpublished copies failed; the next sweep tries again",
				"mount", mp.AlluxioPath, "ufs", mp.UfsURI, "err", err)
		}
	}
}

func (fs *fileSystem) sweepMount(ctx context.Context, mp state.MountPoint) error {
	f, err := fs.ufs.get(mp)
	if err != nil {
		return err
	}
	add := func(c *journalpb.DropUnpublished) error {
		if fs.st.MayPublish(c) {
			return nil
		}
		return fs.dropUnpublished(ctx, c)
	}
	if l, ok := f.u.(underfs.StagedLister); ok {
		err = l.ListStaged(ctx, func(rel string, token []byte) error {
			p, ok := fs.inMount(mp, rel)
			if !ok {
				return nil
			}
			return add(&journalpb.DropUnpublished{Path: p, Token: token})
		})
	} else {
		err = fs.walkTemps(ctx, f, mp, "", add)
	}
	if err != nil {
		return err
	}
	c, err := f.change(ctx)
	if err != nil {
		return err
	}
	n, err := c.Cleanup(ctx)
	if n > 0 {
		fs.sweeps.cleaned.Add(int64(n))
		fs.log.Info("removed what dead writers left unfinished in the under storage", "mount", mp.AlluxioPath, "removed", n)
	}
	return err
}

// walkTemps lists dir (relative to the mount) and everything below it,
// and calls add for each copy under a temporary name. Stores that stage
// (S3) have none: their writers leave uploads, not names.
func (fs *fileSystem) walkTemps(ctx context.Context, f *fencedUFS, mp state.MountPoint, dir string,
	add func(*journalpb.DropUnpublished) error) error {
	list, err := f.List(ctx, dir)
	if errors.Is(err, errs.ErrNotFound) || errors.Is(err, errs.ErrNotDirectory) {
		return nil // removed meanwhile
	}
	if err != nil {
		return err
	}
	for _, st := range list {
		rel := st.Name
		if dir != "" {
			rel = dir + "/" + st.Name
		}
		p, ok := fs.inMount(mp, rel)
		switch {
		case !ok:
			continue
		case st.IsDir:
			if err := fs.walkTemps(ctx, f, mp, rel, add); err != nil {
				return err
			}
		default:
			if id, ok := underfs.TempFileID(st.Name); ok {
				if err := add(&journalpb.DropUnpublished{Path: p, FileId: id}); err != nil {
					return err
				}
			}
		}
	}
	return ctx.Err()
}

// inMount returns the Alluxio path of rel in mp, and whether it is mp's:
// a path shadowed by a mount below mp belongs to that one, and a name
// Alluxio cannot hold to nobody.
func (fs *fileSystem) inMount(mp state.MountPoint, rel string) (string, bool) {
	p, err := fspath.Clean(fspath.Join(mp.AlluxioPath, rel))
	if err != nil {
		return "", false
	}
	m, _, err := fs.st.Resolve(p)
	return p, err == nil && m.ID == mp.ID
}

// dropUnpublished proposes the removal of copy c (found by the sweep, or
// a refused completion's) through mutate; Apply keeps it unless no file
// may still publish it, and its intent is carried out after the commit.
func (fs *fileSystem) dropUnpublished(ctx context.Context, c *journalpb.DropUnpublished) error {
	proposed := false
	_, err := fs.mutate(ctx, mutation{paths: []string{c.Path}, ownWork: true,
		prepare: func(context.Context) (*journalpb.Entry, error) {
			if fs.st.MayPublish(c) {
				return nil, nil
			}
			proposed = true
			return entryOf(c), nil
		}})
	if err == nil && proposed {
		fs.sweeps.proposed.Add(1)
		fs.log.Info("removed an under storage copy that no file will publish", "path", c.Path, "file_id", c.FileId,
			"staged", len(c.Token) > 0)
	}
	return err
}

// Cleanup runs the store's own cleanup (underfs.Cleaner), if it has one.
func (c ufsChanger) Cleanup(ctx context.Context) (int, error) {
	if cl, ok := c.u.(underfs.Cleaner); ok {
		return cl.Cleanup(ctx)
	}
	return 0, nil
}
