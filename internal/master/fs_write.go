package master

import (
	"context"
	"errors"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/security/authz"
	"github.com/alluxio-go/alluxio/internal/security/authz/blockcap"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// This file holds the operations that make files and directories.

func (fs *fileSystem) createFile(ctx context.Context, req *alluxiopb.CreateFileRequest) (*alluxiopb.FileInfo, error) {
	path, err := fspath.Clean(req.Path)
	if err != nil {
		return nil, err
	}
	bs := req.BlockSizeBytes
	if bs == 0 {
		bs = fs.cfg.DefaultBlockSize
	}
	owner, group := fs.az.ownerGroup(ctx)
	r, err := fs.mutate(ctx, mutation{opID: req.OpId, paths: []string{path},
		access: []need{{path: path, parent: authz.Write | authz.Exec}},
		prepare: func(ctx context.Context) (*journalpb.Entry, error) {
			if err := fs.prepareCreate(ctx, path, req.Recursive, req.Overwrite); err != nil {
				return nil, err
			}
			return entryOf(&journalpb.CreateFile{Path: path, Mode: fs.fileMode(req.Mode, path), Owner: owner, Group: group,
				BlockSize: bs, Recursive: req.Recursive, TtlMs: req.Ttl, TtlAction: journalpb.TtlAction(req.TtlAction),
				Persisted: req.Persisted, Overwrite: req.Overwrite}), nil
		}})
	if err != nil {
		return nil, err
	}
	fi := fs.answer(path, r.InodeID, &alluxiopb.FileInfo{BlockSizeBytes: bs, UfsLocation: fs.ufsLocation(path)})
	// Writing is what creating allowed (the checks above, or those of the
	// first attempt of a retried create). A retry answered after the file
	// was removed or replaced still gets one: its writer then learns from
	// the completion that its file is gone (not found), not from a worker
	// that refuses it a capability.
	fs.sign(fs.az.caller(ctx), fi, r.InodeID, blockcap.Write)
	return fi, nil
}

// prepareCreate loads what the under storage has at path and its parent, so
// a create over a file that exists only in the under storage is refused,
// and fails fast on the common errors before anything is journaled.
func (fs *fileSystem) prepareCreate(ctx context.Context, path string, recursive, overwrite bool) error {
	if path == "/" {
		return errs.New(errs.ErrAlreadyExists, "/")
	}
	if err := fs.syncPath(ctx, path, nil, false, false); err != nil {
		return err
	}
	if n, err := fs.st.Stat(path); err == nil {
		if overwrite && !n.IsDir {
			return nil
		}
		return errs.New(errs.ErrAlreadyExists, "%s", path)
	}
	parent := fspath.Parent(path)
	if err := fs.syncPath(ctx, parent, nil, false, false); err != nil {
		return err
	}
	p, err := fs.st.Stat(parent)
	switch {
	case err != nil && !recursive:
		return errs.New(errs.ErrNotFound, "parent of %s: %s does not exist", path, parent)
	case err == nil && !p.IsDir:
		return errs.New(errs.ErrNotDirectory, "parent of %s: %s is a file", path, parent)
	}
	return nil
}

// completeFile accepts a written file. A CACHE_THROUGH or THROUGH writer
// has put the under storage copy under its temporary name; the entry's
// publish intent gives it the file's name once the completion commits
// (publish.go).
func (fs *fileSystem) completeFile(ctx context.Context, req *alluxiopb.CompleteFileRequest) (*alluxiopb.FileInfo, error) {
	path, err := fspath.Clean(req.Path)
	if err != nil {
		return nil, err
	}
	// Completing finishes the create: the creator may have made the file
	// read-only (0444) and still completes it.
	r, err := fs.mutate(ctx, mutation{opID: req.OpId, paths: []string{path},
		access: []need{{path: path, parent: authz.Write | authz.Exec}},
		prepare: func(ctx context.Context) (*journalpb.Entry, error) {
			// A staged copy (a token) is checked when it is published.
			if req.Persisted && len(req.UfsPublishToken) == 0 {
				if err := fs.checkUnpublished(ctx, path, req.FileId, req.Length); err != nil {
					return nil, err
				}
			}
			return entryOf(&journalpb.CompleteFile{Path: path, Length: req.Length, Persisted: req.Persisted,
				ToBePersisted: req.AsyncPersist, FileId: req.FileId, UfsPublishToken: req.UfsPublishToken, Xattr: req.Xattr,
				ModMs: req.ModTimeMs}), nil
		}})
	if err != nil {
		if req.Persisted && req.FileId > 0 && errors.Is(err, errs.ErrNotFound) {
			fs.dropRefused(ctx, path, req.FileId, req.UfsPublishToken)
		}
		return nil, err
	}
	return fs.answer(path, r.InodeID, &alluxiopb.FileInfo{Completed: true, Length: req.Length}), nil
}

// persistDirs says whether a write type puts directories in the under
// storage at once (every type but MUST_CACHE does, as in Alluxio).
func persistDirs(writeType string) bool { return writeType != "MUST_CACHE" }

func (fs *fileSystem) createDirectory(ctx context.Context, req *alluxiopb.CreateDirectoryRequest) (*alluxiopb.FileInfo, error) {
	path, err := fspath.Clean(req.Path)
	if err != nil {
		return nil, err
	}
	var existing *alluxiopb.FileInfo
	owner, group := fs.az.ownerGroup(ctx)
	r, err := fs.mutate(ctx, mutation{opID: req.OpId, paths: []string{path},
		access: []need{{path: path, parent: authz.Write | authz.Exec, ifMissing: req.AllowExists}},
		prepare: func(ctx context.Context) (*journalpb.Entry, error) {
			err := fs.prepareCreate(ctx, path, req.Recursive, false)
			if errors.Is(err, errs.ErrAlreadyExists) && req.AllowExists {
				if n, serr := fs.st.Stat(path); serr == nil && n.IsDir {
					existing = fs.info(path, n)
					return nil, nil
				}
			}
			if err != nil {
				return nil, err
			}
			return entryOf(&journalpb.CreateDirectory{Path: path, Mode: fs.dirMode(req.Mode, path), Owner: owner, Group: group,
				Recursive: req.Recursive, AllowExists: req.AllowExists, Persisted: persistDirs(req.WriteType)}), nil
		}})
	switch {
	case err != nil:
		return nil, err
	case existing != nil:
		return existing, nil
	}
	return fs.answer(path, r.InodeID, &alluxiopb.FileInfo{Folder: true}), nil
}

// checkUnpublished fails a completion whose writer did not leave the copy
// it promised under the temporary name, before anything is journaled.
func (fs *fileSystem) checkUnpublished(ctx context.Context, path string, id, length int64) error {
	n, err := fs.st.Stat(path)
	if err != nil || n.IsDir || n.Completed || (id != 0 && id != n.ID) {
		return nil // the entry is refused for it
	}
	u, _, rel, err := fs.resolveUFS(path)
	if err != nil {
		return err
	}
	tmp := underfs.TempPath(rel, n.ID)
	st, err := u.GetStatus(ctx, tmp)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return errs.New(errs.ErrNotFound, "the under storage copy of %s was not written (no %s)", path, tmp)
	case err != nil:
		return err
	case st.Length != length:
		return errs.New(errs.ErrCorrupt, "the under storage copy of %s is not what was written (%d bytes, want %d)", path, st.Length, length)
	}
	return nil
}
