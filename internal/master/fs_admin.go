package master

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/security/authz"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/underfs/local"
)

// This file holds attribute changes, persist scheduling and the mount
// table.

func (fs *fileSystem) setAttribute(ctx context.Context, req *alluxiopb.SetAttributeRequest) error {
	path, err := fspath.Clean(req.Path)
	if err != nil {
		return err
	}
	op := &journalpb.SetAttribute{Path: path, Mode: req.Mode, Owner: req.Owner, Group: req.Group, Pinned: req.Pinned,
		TtlMs: req.Ttl, Recursive: req.Recursive, ModificationTimeMs: req.ModificationTimeMs, Xattr: req.Xattr, XattrReplaceAll: req.XattrReplaceAll,
		KeepModificationTime: req.KeepModificationTime}
	if req.TtlAction != nil {
		a := journalpb.TtlAction(*req.TtlAction)
		op.TtlAction = &a
	}
	_, err = fs.mutate(ctx, mutation{opID: req.OpId, paths: []string{path}, access: setAttributeNeeds(path, req),
		prepare: func(ctx context.Context) (*journalpb.Entry, error) {
			if err := fs.syncPath(ctx, path, nil, false, false); err != nil {
				return nil, err
			}
			if _, err := fs.st.Stat(path); err != nil {
				return nil, err
			}
			if req.Mode != nil && *req.Mode > 0o7777 {
				return nil, errs.New(errs.ErrInvalidArg, "mode %o of %s", *req.Mode, path)
			}
			// Mode and owner reach the under storage through the entry's
			// intent, on a best effort basis (ufs_exec.go).
			return entryOf(op), nil
		}})
	return err
}

// schedulePersist marks a complete file for a worker to persist.
func (fs *fileSystem) schedulePersist(ctx context.Context, opID, path string) error {
	path, err := fspath.Clean(path)
	if err != nil {
		return err
	}
	_, err = fs.mutate(ctx, mutation{opID: opID, paths: []string{path}, access: []need{{path: path, self: authz.Write}},
		prepare: func(context.Context) (*journalpb.Entry, error) {
			n, err := fs.st.Stat(path)
			switch {
			case err != nil:
				return nil, err
			case n.IsDir:
				return nil, errs.New(errs.ErrIsDirectory, "persist %s", path)
			case !n.Completed:
				return nil, errs.New(errs.ErrIncomplete, "persist %s", path)
			case n.Persistence != journalpb.PersistenceState_NOT_PERSISTED:
				return nil, nil // persisted, or on its way
			}
			pending := journalpb.PersistenceState_TO_BE_PERSISTED
			return entryOf(&journalpb.SetAttribute{Path: path, PersistenceState: &pending}), nil
		}})
	return err
}

func (fs *fileSystem) mount(ctx context.Context, req *alluxiopb.MountRequest) error {
	path, err := fspath.Clean(req.AlluxioPath)
	if err != nil {
		return err
	}
	_, err = fs.mutate(ctx, mutation{opID: req.OpId, paths: []string{path},
		access: []need{{path: path, super: "mount " + path, parent: authz.Write | authz.Exec}},
		prepare: func(ctx context.Context) (*journalpb.Entry, error) {
			if path == "/" {
				return nil, errs.New(errs.ErrAlreadyExists, "/ is mounted already")
			}
			if err := fs.prepareCreate(ctx, path, false, false); err != nil {
				if errors.Is(err, errs.ErrAlreadyExists) {
					return nil, errs.New(errs.ErrAlreadyExists, "mount point %s: the path exists", path)
				}
				return nil, err
			}
			if err := fs.checkMountTarget(path, req.UfsPath); err != nil {
				return nil, err
			}
			mp := state.MountPoint{AlluxioPath: path, UfsURI: req.UfsPath, Properties: req.Properties}
			if err := fs.checkUFSDir(ctx, mp); err != nil {
				return nil, err
			}
			return entryOf(&journalpb.Mount{AlluxioPath: path, UfsUri: req.UfsPath, ReadOnly: req.ReadOnly,
				Shared: req.Shared, Properties: req.Properties}), nil
		}})
	return err
}

// mountCheckTimeout bounds the look at a mount target: a store that does
// not answer (a dead endpoint, a black-holed address, a hung server) fails
// the mount. It is shorter than a client's wait for one call (30 s), so
// the client hears why instead of giving up on the master.
const mountCheckTimeout = 20 * time.Second

// checkUFSDir makes sure a mount target is a directory that exists, opening
// it with the options the mount will have, within mountCheckTimeout. A
// store's own error (wrong keys, a missing bucket, an endpoint that does
// not answer: it names the bucket or folder, the endpoint and the cause)
// is kept, with its kind.
func (fs *fileSystem) checkUFSDir(ctx context.Context, mp state.MountPoint) error {
	u, err := fs.ufs.openChecked(mp)
	if err != nil {
		return err
	}
	defer u.Close()
	ctx, cancel := context.WithTimeout(ctx, mountCheckTimeout)
	defer cancel()
	st, err := u.GetStatus(ctx, "")
	switch {
	// A store that does not answer fails the mount as a precondition,
	// not as "unavailable": clients retry that, taking it for this master,
	// and would look at the store again and again for their whole retry
	// budget before saying what is wrong.
	case errors.Is(err, context.DeadlineExceeded):
		return errs.New(errs.ErrPrecondition, "under storage %s did not answer within %s: %v", mp.UfsURI, mountCheckTimeout, err)
	case errors.Is(err, errs.ErrUnavailable):
		return errs.New(errs.ErrPrecondition, "under storage %s cannot be reached: %v", mp.UfsURI, errs.Message(err))
	case errors.Is(err, errs.ErrNotFound):
		return errs.New(errs.ErrNotFound, "under storage %s: %v", mp.UfsURI, errs.Message(err))
	case err != nil:
		return err
	}
	if !st.IsDir {
		return errs.New(errs.ErrNotDirectory, "under storage %s is not a directory", mp.UfsURI)
	}
	return nil
}

// unmount removes a mount point. Under storage changes still pending in
// it are abandoned with it: Alluxio no longer manages that store.
func (fs *fileSystem) unmount(ctx context.Context, req *alluxiopb.UnmountRequest) error {
	path, err := fspath.Clean(req.AlluxioPath)
	if err != nil {
		return err
	}
	var id int64 = -1
	_, err = fs.mutate(ctx, mutation{opID: req.OpId, paths: []string{path}, goOnWhilePending: true,
		access: []need{{path: path, super: "unmount " + path, parent: authz.Write | authz.Exec}},
		prepare: func(context.Context) (*journalpb.Entry, error) {
			for _, m := range fs.st.MountTable() {
				if m.AlluxioPath == path {
					id = m.ID
				}
			}
			return entryOf(&journalpb.Unmount{AlluxioPath: path}), nil
		},
		after: func(context.Context, state.Result) error {
			fs.ufs.forget(id)
			return nil
		}})
	return err
}

// mountRoot journals the root mount the first time a primary finds none.
// A local root directory is created when missing; any other store must
// exist already.
func (fs *fileSystem) mountRoot(ctx context.Context) error {
	if fs.st.RootMounted() {
		return nil
	}
	uri := fs.cfg.RootUFS
	_, err := fs.mutate(ctx, mutation{paths: []string{"/"}, ownWork: true,
		prepare: func(ctx context.Context) (*journalpb.Entry, error) {
			if fs.st.RootMounted() {
				return nil, nil
			}
			if s := underfs.Scheme(uri); s == "" || s == underfs.LocalScheme {
				dir, err := local.Dir(uri)
				if err == nil {
					err = os.MkdirAll(dir, 0o755)
				}
				if err != nil {
					return nil, errs.New(errs.ErrInvalidArg, "alluxio.master.mount.table.root.ufs (%s): %v", uri, err)
				}
			}
			if err := fs.checkUFSDir(ctx, state.MountPoint{AlluxioPath: "/", UfsURI: uri}); err != nil {
				return nil, err
			}
			return entryOf(&journalpb.Mount{AlluxioPath: "/", UfsUri: uri}), nil
		}})
	return err
}
