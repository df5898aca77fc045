package master

import (
	"context"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/security/authz"
)

// This file holds delete and rename. Their under storage side (removing or
// moving the copy, dropping a writer's unpublished copy) is an intent that
// the Delete or Rename entry records when it applies (ufs_exec.go).

func (fs *fileSystem) remove(ctx context.Context, req *alluxiopb.DeleteRequest) error {
	path, err := fspath.Clean(req.Path)
	if err != nil {
		return err
	}
	_, err = fs.mutate(ctx, mutation{opID: req.OpId, paths: []string{path},
		access: []need{removeNeed(path, req.Recursive)},
		prepare: func(ctx context.Context) (*journalpb.Entry, error) {
			if err := fs.prepareRemove(ctx, path, req); err != nil {
				return nil, err
			}
			e := entryOf(&journalpb.Delete{Path: path, Recursive: req.Recursive, FileId: req.FileId, AlluxioOnly: req.AlluxioOnly})
			return e, nil
		}})
	return err
}

// prepareRemove checks a delete against the namespace, after loading what
// the under storage has at path.
func (fs *fileSystem) prepareRemove(ctx context.Context, path string, req *alluxiopb.DeleteRequest) error {
	if err := fs.syncPath(ctx, path, nil, false, false); err != nil {
		return err
	}
	n, err := fs.st.Stat(path)
	switch {
	case err != nil:
		return err
	case req.FileId != 0 && n.ID != req.FileId:
		return errs.New(errs.ErrNotFound, "delete %s: the file was replaced by another one", path)
	case path == "/":
		return errs.New(errs.ErrInvalidArg, "the root cannot be deleted")
	case n.IsDir && !req.Recursive:
		// The children may be only in the under storage so far.
		if err := fs.syncPath(ctx, path, nil, true, false); err != nil {
			return err
		}
		if kids, err := fs.st.List(path, false); err == nil && len(kids) > 0 {
			return errs.New(errs.ErrNotEmpty, "%s (use -R to delete it and everything below)", path)
		}
	}
	if mps := fs.mountsBelow(path); len(mps) > 0 {
		return errs.New(errs.ErrPrecondition, "delete %s: %s is a mount point (unmount it first)", path, mps[0])
	}
	return nil
}

func (fs *fileSystem) rename(ctx context.Context, req *alluxiopb.RenameRequest) error {
	src, err := fspath.Clean(req.Src)
	if err != nil {
		return err
	}
	dst, err := fspath.Clean(req.Dst)
	if err != nil {
		return err
	}
	_, err = fs.mutate(ctx, mutation{opID: req.OpId, paths: []string{src, dst},
		// Replacing a file removes it from its directory: a sticky one
		// allows that only to its owner or the directory's.
		access: []need{{path: src, parent: authz.Write | authz.Exec, sticky: true}, {path: dst, parent: authz.Write | authz.Exec, sticky: req.ReplaceId != 0}},
		prepare: func(ctx context.Context) (*journalpb.Entry, error) {
			if err := fs.prepareRename(ctx, src, dst, req.ReplaceId); err != nil {
				return nil, err
			}
			return entryOf(&journalpb.Rename{Src: src, Dst: dst, ReplaceId: req.ReplaceId}), nil
		}})
	return err
}

func (fs *fileSystem) prepareRename(ctx context.Context, src, dst string, replaceID int64) error {
	if err := fs.syncPath(ctx, src, nil, false, false); err != nil {
		return err
	}
	n, err := fs.st.Stat(src)
	switch {
	case err != nil:
		return err
	case src == "/":
		return errs.New(errs.ErrInvalidArg, "the root cannot be renamed")
	case src == dst:
		return errs.New(errs.ErrAlreadyExists, "rename %s to itself", src)
	case fspath.IsAncestor(src, dst):
		return errs.New(errs.ErrInvalidArg, "rename %s into itself (%s)", src, dst)
	case !n.IsDir && !n.Completed:
		// Its writer completes it by path and publishes its under storage
		// copy there.
		return errs.New(errs.ErrPrecondition, "rename %s: the file is still being written", src)
	}
	if replaceID != 0 {
		// The entry's Apply checks the file it replaces, after a sync of
		// dst that finds a copy put in the under storage behind Alluxio's
		// back (a file the caller never saw, so not the one it names).
		if err := fs.syncPath(ctx, dst, nil, false, false); err != nil {
			return err
		}
	} else if err := fs.prepareCreate(ctx, dst, false, false); err != nil {
		return err
	}
	return fs.checkRenameMounts(src, dst)
}

// checkRenameMounts refuses a rename that would move a file from one
// under storage to another, or move a mount point.
func (fs *fileSystem) checkRenameMounts(src, dst string) error {
	smp, _, err := fs.st.Resolve(src)
	if err != nil {
		return err
	}
	dmp, _, err := fs.st.Resolve(dst)
	if err != nil {
		return err
	}
	if smp.ID != dmp.ID || smp.AlluxioPath == src {
		return errs.New(errs.ErrCrossMount, "rename %s to %s crosses mount points", src, dst)
	}
	if mps := fs.mountsBelow(src); len(mps) > 0 {
		return errs.New(errs.ErrInvalidArg, "rename %s: mount point %s is below it", src, mps[0])
	}
	if smp.ReadOnly {
		return errs.New(errs.ErrReadOnly, "rename in read-only mount %s", smp.AlluxioPath)
	}
	return nil
}
