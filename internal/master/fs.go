package master

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/failpoint"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// fileSystem is the file system master's logic: it checks a request against
// the applied state, does the under storage side of it, journals one entry
// and answers from the state the entry produced.
type fileSystem struct {
	cfg *Config
	st  *state.State
	jr  journal.System
	ufs *ufsManager
	// blocks, when set, adds cached block locations to file infos.
	blocks *blockMaster
	log    *slog.Logger
	now    func() time.Time
	locks  *pathLocks

	// syncedAt remembers when each path was last compared with the under
	// storage. It is soft state: a new primary simply syncs again.
	syncMu   sync.Mutex
	syncedAt map[string]time.Time
}

func newFileSystem(cfg *Config, st *state.State, jr journal.System, log *slog.Logger) *fileSystem {
	return &fileSystem{cfg: cfg, st: st, jr: jr, ufs: newUFSManager(), log: log, now: time.Now,
		locks: newPathLocks(), syncedAt: map[string]time.Time{}}
}

// propose journals e for a client operation. A retried operation id is
// answered from the retry cache before anything else happens, so its under
// storage side is not done twice either.
func (fs *fileSystem) propose(ctx context.Context, opID string, e *journalpb.Entry) (state.Result, error) {
	if r, ok := fs.st.RetryOutcome(opID); ok {
		return r, r.Err
	}
	e.OpId = opID
	e.TimeMs = fs.now().UnixMilli()
	r, err := fs.jr.Propose(ctx, e)
	if err != nil {
		return r, err
	}
	return r, r.Err
}

// retried reports whether opID's outcome is known already.
func (fs *fileSystem) retried(opID string) (state.Result, bool) {
	return fs.st.RetryOutcome(opID)
}

func (fs *fileSystem) info(path string, n state.Inode) *alluxiopb.FileInfo {
	fi := &alluxiopb.FileInfo{
		FileId: n.ID, Name: n.Name, Path: path, Length: n.Length, BlockSizeBytes: n.BlockSize,
		CreationTimeMs: n.CreationMs, Completed: n.Completed, Folder: n.IsDir, Pinned: n.Pinned,
		Persisted: n.Persisted(), BlockIds: n.BlockIDs(), LastModificationTimeMs: n.ModMs,
		Ttl: n.TTLMs, TtlAction: alluxiopb.TtlAction(n.TTLAction), Owner: n.Owner, Group: n.Group, Mode: n.Mode,
		PersistenceState: n.Persistence.String(), MountPoint: n.MountPoint, LastAccessTimeMs: n.ModMs,
		UfsModMs: n.UfsModMs, Xattr: n.Xattr,
	}
	if path == "/" {
		fi.Name = ""
	}
	if mp, rel, err := fs.st.Resolve(path); err == nil {
		fi.UfsPath = joinUfs(mp.UfsURI, rel)
		fi.MountId = mp.ID
		fi.UfsLocation = &alluxiopb.UfsLocation{MountUri: mp.UfsURI, RelativePath: rel, MountProperties: mp.Properties}
	}
	if fs.blocks != nil && !n.IsDir {
		var cached int64
		fi.FileBlockInfos, cached = fs.blocks.blockInfos(n)
		if n.Length > 0 {
			fi.InAlluxioPercentage = int32(cached * 100 / n.Length)
		} else if n.Completed {
			fi.InAlluxioPercentage = 100
		}
	}
	return fi
}

// ufsLocation says where path lives in its under storage.
func (fs *fileSystem) ufsLocation(path string) *alluxiopb.UfsLocation {
	mp, rel, err := fs.st.Resolve(path)
	if err != nil {
		return nil
	}
	return &alluxiopb.UfsLocation{MountUri: mp.UfsURI, RelativePath: rel, MountProperties: mp.Properties}
}

func joinUfs(root, rel string) string {
	if rel == "" {
		return root
	}
	if len(root) > 0 && root[len(root)-1] == '/' {
		return root + rel
	}
	return root + "/" + rel
}

// resolveUFS returns the under storage that holds path and path within it.
func (fs *fileSystem) resolveUFS(path string) (underfs.UnderFileSystem, state.MountPoint, string, error) {
	mp, rel, err := fs.st.Resolve(path)
	if err != nil {
		return nil, mp, "", err
	}
	u, err := fs.ufs.get(mp)
	return u, mp, rel, err
}

func (fs *fileSystem) getStatus(ctx context.Context, path string, o *alluxiopb.FileSystemMasterCommonOptions) (*alluxiopb.FileInfo, error) {
	path, err := fspath.Clean(path)
	if err != nil {
		return nil, err
	}
	if err := fs.syncForRead(ctx, path, o, false, false); err != nil {
		return nil, err
	}
	n, err := fs.st.Stat(path)
	if err != nil {
		return nil, err
	}
	return fs.info(path, n), nil
}

func (fs *fileSystem) listStatus(ctx context.Context, path string, recursive bool, o *alluxiopb.FileSystemMasterCommonOptions, send func([]*alluxiopb.FileInfo) error) error {
	path, err := fspath.Clean(path)
	if err != nil {
		return err
	}
	if err := fs.syncForRead(ctx, path, o, true, recursive); err != nil {
		return err
	}
	entries, err := fs.st.List(path, recursive)
	if err != nil {
		return err
	}
	const batch = 1000
	out := make([]*alluxiopb.FileInfo, 0, min(batch, len(entries)))
	for _, e := range entries {
		out = append(out, fs.info(e.Path, e.Inode))
		if len(out) == batch {
			if err := send(out); err != nil {
				return err
			}
			out = out[:0]
		}
	}
	if len(out) > 0 || len(entries) == 0 {
		return send(out)
	}
	return nil
}

func (fs *fileSystem) fileMode(req uint32) uint32 {
	if req != 0 {
		return req & 0o7777
	}
	return 0o666 &^ fs.cfg.Umask
}

func (fs *fileSystem) dirMode(req uint32) uint32 {
	if req != 0 {
		return req & 0o7777
	}
	return 0o777 &^ fs.cfg.Umask
}

func (fs *fileSystem) createFile(ctx context.Context, user string, req *alluxiopb.CreateFileRequest) (*alluxiopb.FileInfo, error) {
	path, err := fspath.Clean(req.Path)
	if err != nil {
		return nil, err
	}
	defer fs.locks.lock(path)()
	if _, ok := fs.retried(req.OpId); !ok {
		if err := fs.prepareCreate(ctx, path, req.Recursive, req.Overwrite); err != nil {
			return nil, err
		}
		if req.Recursive && req.Persisted {
			if err := fs.mkdirsUFS(ctx, fspath.Parent(path), fs.dirMode(0)); err != nil {
				return nil, err
			}
		}
	}
	bs := req.BlockSizeBytes
	if bs == 0 {
		bs = fs.cfg.DefaultBlockSize
	}
	r, err := fs.propose(ctx, req.OpId, &journalpb.Entry{Op: &journalpb.Entry_CreateFile{CreateFile: &journalpb.CreateFile{
		Path: path, Mode: fs.fileMode(req.Mode), Owner: user, Group: user, BlockSize: bs, Recursive: req.Recursive,
		TtlMs: req.Ttl, TtlAction: journalpb.TtlAction(req.TtlAction), Persisted: req.Persisted, Overwrite: req.Overwrite,
	}}})
	if err != nil {
		return nil, err
	}
	return fs.answer(path, r.InodeID, &alluxiopb.FileInfo{BlockSizeBytes: bs, UfsLocation: fs.ufsLocation(path)}), nil
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

// answer describes the inode an acknowledged entry made or changed. It may
// be gone already: a retry whose first attempt was applied, after which
// another client deleted the file. The operation still succeeded, so the
// answer is what the entry knew (gone, filled in), not "not found"; a
// writer then learns the file is gone from CompleteFile.
func (fs *fileSystem) answer(path string, id int64, gone *alluxiopb.FileInfo) *alluxiopb.FileInfo {
	if fi, err := fs.infoByID(id); err == nil {
		return fi
	}
	gone.FileId, gone.Path, gone.Name = id, path, fspath.Base(path)
	return gone
}

func (fs *fileSystem) infoByID(id int64) (*alluxiopb.FileInfo, error) {
	n, path, err := fs.st.StatID(id)
	if err != nil {
		return nil, err
	}
	return fs.info(path, n), nil
}

func (fs *fileSystem) completeFile(ctx context.Context, req *alluxiopb.CompleteFileRequest) (*alluxiopb.FileInfo, error) {
	path, err := fspath.Clean(req.Path)
	if err != nil {
		return nil, err
	}
	defer fs.locks.lock(path)()
	var ufsModMs int64
	if _, ok := fs.retried(req.OpId); !ok && req.Persisted {
		n, err := fs.st.Stat(path)
		if err == nil && !n.IsDir && !n.Completed && (req.FileId == 0 || req.FileId == n.ID) {
			if ufsModMs, err = fs.publishUFS(ctx, path, n.ID, req.Length); err != nil {
				return nil, err
			}
		}
	}
	r, err := fs.propose(ctx, req.OpId, &journalpb.Entry{Op: &journalpb.Entry_CompleteFile{CompleteFile: &journalpb.CompleteFile{
		Path: path, Length: req.Length, Persisted: req.Persisted, ToBePersisted: req.AsyncPersist, FileId: req.FileId,
		UfsModMs: ufsModMs, Xattr: req.Xattr}}})
	if err != nil {
		if req.Persisted && req.FileId != 0 && errors.Is(err, errs.ErrNotFound) {
			fs.dropTemp(ctx, path, req.FileId)
		}
		return nil, err
	}
	return fs.answer(path, r.InodeID, &alluxiopb.FileInfo{Completed: true, Length: req.Length}), nil
}

// persistDirs says whether a write type puts directories in the under
// storage at once (every type but MUST_CACHE does, as in Alluxio).
func persistDirs(writeType string) bool { return writeType != "MUST_CACHE" }

func (fs *fileSystem) createDirectory(ctx context.Context, user string, req *alluxiopb.CreateDirectoryRequest) (*alluxiopb.FileInfo, error) {
	path, err := fspath.Clean(req.Path)
	if err != nil {
		return nil, err
	}
	defer fs.locks.lock(path)()
	persisted := persistDirs(req.WriteType)
	if _, ok := fs.retried(req.OpId); !ok {
		if err := fs.prepareCreate(ctx, path, req.Recursive, false); err != nil {
			if errors.Is(err, errs.ErrAlreadyExists) && req.AllowExists {
				if n, serr := fs.st.Stat(path); serr == nil && n.IsDir {
					return fs.info(path, n), nil
				}
			}
			return nil, err
		}
		if persisted {
			if err := fs.mkdirsUFS(ctx, path, fs.dirMode(req.Mode)); err != nil {
				return nil, err
			}
		}
	}
	r, err := fs.propose(ctx, req.OpId, &journalpb.Entry{Op: &journalpb.Entry_CreateDirectory{CreateDirectory: &journalpb.CreateDirectory{
		Path: path, Mode: fs.dirMode(req.Mode), Owner: user, Group: user, Recursive: req.Recursive,
		AllowExists: req.AllowExists, Persisted: persisted}}})
	if err != nil {
		return nil, err
	}
	return fs.answer(path, r.InodeID, &alluxiopb.FileInfo{Folder: true}), nil
}

// mkdirsUFS creates path in the under storage unless it is under a
// read-only mount (the journal entry is then refused anyway).
func (fs *fileSystem) mkdirsUFS(ctx context.Context, path string, mode uint32) error {
	u, mp, rel, err := fs.resolveUFS(path)
	if err != nil {
		return err
	}
	if mp.ReadOnly {
		return errs.New(errs.ErrPermission, "%s is in read-only mount %s", path, mp.AlluxioPath)
	}
	err = u.Mkdirs(ctx, rel, os.FileMode(mode&0o777))
	if errors.Is(err, errs.ErrAlreadyExists) && fs.dropLeftover(ctx, u, path, rel) {
		err = u.Mkdirs(ctx, rel, os.FileMode(mode&0o777))
	}
	return err
}

func (fs *fileSystem) remove(ctx context.Context, req *alluxiopb.DeleteRequest) error {
	path, err := fspath.Clean(req.Path)
	if err != nil {
		return err
	}
	defer fs.locks.lock(path)()
	var unpublished int64 // a file deleted while being written may have a copy under its temporary name
	if _, ok := fs.retried(req.OpId); !ok {
		if err := fs.syncPath(ctx, path, nil, false, false); err != nil {
			return err
		}
		n, err := fs.st.Stat(path)
		if err != nil {
			return err
		}
		if req.FileId != 0 && n.ID != req.FileId {
			return errs.New(errs.ErrNotFound, "delete %s: the file was replaced by another one", path)
		}
		if !n.IsDir && !n.Completed && !req.AlluxioOnly {
			unpublished = n.ID
		}
		if path == "/" {
			return errs.New(errs.ErrInvalidArg, "the root cannot be deleted")
		}
		if n.IsDir && !req.Recursive {
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
		if n.Persisted() && !req.AlluxioOnly {
			u, mp, rel, err := fs.resolveUFS(path)
			if err != nil {
				return err
			}
			if mp.ReadOnly {
				return errs.New(errs.ErrPermission, "%s is in read-only mount %s", path, mp.AlluxioPath)
			}
			if err := fs.confirmPrimary(ctx); err != nil {
				return err
			}
			if err := u.Delete(ctx, rel, true); err != nil && !errors.Is(err, errs.ErrNotFound) {
				return err
			}
		}
	}
	entry := &journalpb.Entry{Op: &journalpb.Entry_Delete{Delete: &journalpb.Delete{Path: path, Recursive: req.Recursive, FileId: req.FileId}}}
	if failpoint.Enabled(failpoint.AckDeleteBeforeCommit) {
		go fs.propose(context.WithoutCancel(ctx), req.OpId, entry)
		return nil
	}
	_, err = fs.propose(ctx, req.OpId, entry)
	if err == nil && unpublished != 0 {
		fs.dropTemp(ctx, path, unpublished)
	}
	return err
}

func (fs *fileSystem) mountsBelow(path string) []string {
	var out []string
	for _, m := range fs.st.MountTable() {
		if fspath.IsAncestor(path, m.AlluxioPath) {
			out = append(out, m.AlluxioPath)
		}
	}
	return out
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
	defer fs.locks.lock(src, dst)()
	if _, ok := fs.retried(req.OpId); !ok {
		if err := fs.prepareRename(ctx, src, dst); err != nil {
			return err
		}
	}
	_, err = fs.propose(ctx, req.OpId, &journalpb.Entry{Op: &journalpb.Entry_Rename{Rename: &journalpb.Rename{Src: src, Dst: dst}}})
	return err
}

func (fs *fileSystem) prepareRename(ctx context.Context, src, dst string) error {
	if err := fs.syncPath(ctx, src, nil, false, false); err != nil {
		return err
	}
	n, err := fs.st.Stat(src)
	if err != nil {
		return err
	}
	switch {
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
	if err := fs.prepareCreate(ctx, dst, false, false); err != nil {
		return err
	}
	smp, srel, err := fs.st.Resolve(src)
	if err != nil {
		return err
	}
	dmp, drel, err := fs.st.Resolve(dst)
	if err != nil {
		return err
	}
	if smp.ID != dmp.ID || smp.AlluxioPath == src {
		return errs.New(errs.ErrInvalidArg, "rename %s to %s crosses mount points", src, dst)
	}
	if mps := fs.mountsBelow(src); len(mps) > 0 {
		return errs.New(errs.ErrInvalidArg, "rename %s: mount point %s is below it", src, mps[0])
	}
	if smp.ReadOnly {
		return errs.New(errs.ErrPermission, "rename in read-only mount %s", smp.AlluxioPath)
	}
	if !n.Persisted() {
		return nil
	}
	u, err := fs.ufs.get(smp)
	if err != nil {
		return err
	}
	if err := fs.confirmPrimary(ctx); err != nil {
		return err
	}
	if err := u.Mkdirs(ctx, fspath.Parent("/" + drel)[1:], underfs.DefaultDirPerm); err != nil && !errors.Is(err, errs.ErrAlreadyExists) {
		return err
	}
	err = u.Rename(ctx, srel, drel)
	if errors.Is(err, errs.ErrAlreadyExists) && fs.dropLeftover(ctx, u, dst, drel) {
		err = u.Rename(ctx, srel, drel)
	}
	if errors.Is(err, errs.ErrNotFound) {
		if _, serr := u.GetStatus(ctx, srel); errors.Is(serr, errs.ErrNotFound) {
			// The copy is already gone: a leader deposed mid-delete removed
			// it (found by the chaos harness), or someone did behind
			// Alluxio's back. The namespace still has the file, so the
			// rename is the namespace's; what is cached stays readable.
			fs.log.Warn("renaming a persisted file whose under storage copy is missing", "src", src, "dst", dst)
			return nil
		}
	}
	return err
}

// dropLeftover removes the file the under storage holds at rel, where the
// namespace has listed path's directory and has nothing at path, and
// reports whether it did (so the caller tries again). Such a file is a
// leftover, e.g. a copy a leader published just before it was deposed, for
// a file whose completion never committed and that was deleted since
// (found by the chaos harness): the namespace is the authority.
func (fs *fileSystem) dropLeftover(ctx context.Context, u underfs.UnderFileSystem, path, rel string) bool {
	if _, err := fs.st.Stat(path); err == nil {
		return false
	}
	if p, err := fs.st.Stat(fspath.Parent(path)); err != nil || !p.IsDir || !p.ChildrenLoaded {
		return false
	}
	fs.log.Warn("removing an under storage leftover the namespace does not have", "path", path)
	err := u.Delete(ctx, rel, false)
	return err == nil || errors.Is(err, errs.ErrNotFound)
}

func (fs *fileSystem) setAttribute(ctx context.Context, req *alluxiopb.SetAttributeRequest) error {
	path, err := fspath.Clean(req.Path)
	if err != nil {
		return err
	}
	defer fs.locks.lock(path)()
	op := &journalpb.SetAttribute{Path: path, Mode: req.Mode, Owner: req.Owner, Group: req.Group, Pinned: req.Pinned,
		TtlMs: req.Ttl, Recursive: req.Recursive, Xattr: req.Xattr, XattrReplaceAll: req.XattrReplaceAll}
	if req.TtlAction != nil {
		a := journalpb.TtlAction(*req.TtlAction)
		op.TtlAction = &a
	}
	if _, ok := fs.retried(req.OpId); !ok {
		if err := fs.syncPath(ctx, path, nil, false, false); err != nil {
			return err
		}
		n, err := fs.st.Stat(path)
		if err != nil {
			return err
		}
		if req.Mode != nil && *req.Mode > 0o7777 {
			return errs.New(errs.ErrInvalidArg, "mode %o of %s", *req.Mode, path)
		}
		if n.Persisted() && (req.Mode != nil || req.Owner != nil || req.Group != nil) {
			fs.setUFSAttributes(ctx, path, req)
		}
	}
	_, err = fs.propose(ctx, req.OpId, &journalpb.Entry{Op: &journalpb.Entry_SetAttribute{SetAttribute: op}})
	return err
}

// setUFSAttributes carries mode and owner changes to the under storage on a
// best effort basis: Alluxio's namespace is what clients see, and a store
// that cannot change owners (most cannot as a non-root user) must not fail
// the call.
func (fs *fileSystem) setUFSAttributes(ctx context.Context, path string, req *alluxiopb.SetAttributeRequest) {
	u, mp, rel, err := fs.resolveUFS(path)
	if err != nil || mp.ReadOnly {
		return
	}
	if req.Mode != nil {
		if err := u.SetMode(ctx, rel, os.FileMode(*req.Mode&0o777)); err != nil {
			fs.log.Debug("under storage refused a mode change", "path", path, "err", err)
		}
	}
	if req.Owner != nil || req.Group != nil {
		if err := u.SetOwner(ctx, rel, req.GetOwner(), req.GetGroup()); err != nil {
			fs.log.Debug("under storage refused an owner change", "path", path, "err", err)
		}
	}
}

func (fs *fileSystem) mount(ctx context.Context, req *alluxiopb.MountRequest) error {
	path, err := fspath.Clean(req.AlluxioPath)
	if err != nil {
		return err
	}
	defer fs.locks.lock(path)()
	if _, ok := fs.retried(req.OpId); !ok {
		if path == "/" {
			return errs.New(errs.ErrAlreadyExists, "/ is mounted already")
		}
		if err := fs.prepareCreate(ctx, path, false, false); err != nil {
			if errors.Is(err, errs.ErrAlreadyExists) {
				return errs.New(errs.ErrAlreadyExists, "mount point %s: the path exists", path)
			}
			return err
		}
		if err := fs.checkMountTarget(path, req.UfsPath); err != nil {
			return err
		}
		if err := checkUFSDir(ctx, req.UfsPath); err != nil {
			return err
		}
	}
	_, err = fs.propose(ctx, req.OpId, &journalpb.Entry{Op: &journalpb.Entry_Mount{Mount: &journalpb.Mount{
		AlluxioPath: path, UfsUri: req.UfsPath, ReadOnly: req.ReadOnly, Shared: req.Shared, Properties: req.Properties}}})
	return err
}

// checkUFSDir makes sure a mount target is a directory that exists.
func checkUFSDir(ctx context.Context, uri string) error {
	u, err := underfs.Open(uri)
	if err != nil {
		return err
	}
	defer u.Close()
	st, err := u.GetStatus(ctx, "")
	if err != nil {
		return errs.New(errs.ErrNotFound, "under storage %s: %v", uri, errs.Message(err))
	}
	if !st.IsDir {
		return errs.New(errs.ErrNotDirectory, "under storage %s is not a directory", uri)
	}
	return nil
}

func (fs *fileSystem) unmount(ctx context.Context, req *alluxiopb.UnmountRequest) error {
	path, err := fspath.Clean(req.AlluxioPath)
	if err != nil {
		return err
	}
	defer fs.locks.lock(path)()
	var id int64 = -1
	for _, m := range fs.st.MountTable() {
		if m.AlluxioPath == path {
			id = m.ID
		}
	}
	if _, err = fs.propose(ctx, req.OpId, &journalpb.Entry{Op: &journalpb.Entry_Unmount{Unmount: &journalpb.Unmount{AlluxioPath: path}}}); err != nil {
		return err
	}
	fs.ufs.forget(id)
	return nil
}

// mountRoot journals the root mount the first time a primary finds none.
func (fs *fileSystem) mountRoot(ctx context.Context) error {
	if fs.st.RootMounted() {
		return nil
	}
	if err := os.MkdirAll(fs.cfg.RootUFS, 0o755); err != nil && isLocalPath(fs.cfg.RootUFS) {
		return errs.New(errs.ErrInvalidArg, "alluxio.master.mount.table.root.ufs (%s): %v", fs.cfg.RootUFS, err)
	}
	if err := checkUFSDir(ctx, fs.cfg.RootUFS); err != nil {
		return err
	}
	_, err := fs.propose(ctx, "", &journalpb.Entry{Op: &journalpb.Entry_Mount{Mount: &journalpb.Mount{AlluxioPath: "/", UfsUri: fs.cfg.RootUFS}}})
	return err
}

func isLocalPath(uri string) bool { return len(uri) > 0 && uri[0] == '/' }

// free drops the cached copies of path's blocks. Workers hold the cache;
// until they register with the master there is nothing cached to drop.
func (fs *fileSystem) free(ctx context.Context, path string) error {
	_, err := fs.st.Stat(path)
	return err
}
