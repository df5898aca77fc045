package master

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/security/authz"
	"github.com/alluxio-go/alluxio/internal/security/authz/blockcap"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// fileSystem is the file system master's logic: every change goes through
// mutate (mutate.go), which checks the request against the applied state,
// journals one entry, carries out the entry's under storage side after the
// commit and answers from the state the entry produced.
type fileSystem struct {
	cfg     *Config
	st      *state.State
	jr      journal.System
	ufs     *ufsManager
	intents *intentRunner
	// blocks, when set, adds cached block locations to file infos.
	blocks *blockMaster
	log    *slog.Logger
	now    func() time.Time
	locks  *pathLocks
	az     *authorizer

	// syncedAt remembers when each path was last compared with the under
	// storage. It is soft state: a new primary simply syncs again.
	syncMu   sync.Mutex
	syncedAt map[string]time.Time
	// absent is the absent-path cache of load type ONCE: paths the under
	// storage did not have, with the id of the mount that was asked.
	absent map[string]int64

	// forget is a planted bug, nil unless its failpoint is on.
	forget *forgetful
	sweeps sweepStats
}

func newFileSystem(cfg *Config, st *state.State, jr journal.System, log *slog.Logger) *fileSystem {
	fs := &fileSystem{cfg: cfg, st: st, jr: jr, ufs: newUFSManager(cfg, jr.CheckPrimary, log), log: log, now: time.Now,
		locks: newPathLocks(), az: newAuthorizer(cfg), syncedAt: map[string]time.Time{}, absent: map[string]int64{}, forget: newForgetful()}
	fs.intents = newIntentRunner(fs)
	return fs
}

func (fs *fileSystem) info(path string, n state.Inode) *alluxiopb.FileInfo {
	fi := &alluxiopb.FileInfo{
		FileId: n.ID, Name: n.Name, Path: path, Length: n.Length, BlockSizeBytes: n.BlockSize,
		CreationTimeMs: n.CreationMs, Completed: n.Completed, Folder: n.IsDir, Pinned: n.Pinned,
		Persisted: n.Persisted(), BlockIds: n.BlockIDs(), LastModificationTimeMs: n.ModMs, LastChangeTimeMs: n.ChangedMs(),
		Ttl: n.TTLMs, TtlAction: alluxiopb.TtlAction(n.TTLAction), Owner: n.Owner, Group: n.Group, Mode: n.Mode,
		PersistenceState: n.Persistence.String(), MountPoint: n.MountPoint, LastAccessTimeMs: n.ModMs,
		UfsModMs: n.UfsModMs, UfsFingerprint: n.UfsFingerprint, Xattr: n.Xattr, Acl: aclLines(n),
	}
	if path == "/" {
		fi.Name = ""
	}
	if mp, rel, err := fs.st.Resolve(path); err == nil {
		fi.UfsPath = joinUfs(mp.UfsURI, rel)
		fi.MountId = mp.ID
		fi.UfsLocation = fs.ufsLocationOf(mp, rel)
	}
	fi.UfsError = n.UfsError
	if in, ok := fs.st.PendingOn(path, n.ID); ok {
		fi.UfsPending = kindName(in)
		if why := fs.intents.retrying(in.Id); why != "" {
			fi.UfsPending += " (" + why + ")"
		}
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
	return fs.ufsLocationOf(mp, rel)
}

// ufsLocationOf says where rel of mount mp is, for clients and workers:
// credentials among the mount's options are masked, and a worker fetches
// them by the mount's id (GetMountOptions), so that clients never see
// them.
func (fs *fileSystem) ufsLocationOf(mp state.MountPoint, rel string) *alluxiopb.UfsLocation {
	return &alluxiopb.UfsLocation{MountUri: mp.UfsURI, RelativePath: rel, MountProperties: underfs.MaskSecrets(fs.ufs.properties(mp)),
		MountId: mp.ID}
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
func (fs *fileSystem) resolveUFS(path string) (*fencedUFS, state.MountPoint, string, error) {
	mp, rel, err := fs.st.Resolve(path)
	if err != nil {
		return nil, mp, "", err
	}
	u, err := fs.ufs.get(mp)
	return u, mp, rel, err
}

// getStatus is a file's status with, when the caller may read it, a read
// capability. renew, when not 0, is the capability a reader or writer
// renews (blockcap.Read or Write): the caller must have that permission
// on the file now, and a write one only while the file is incomplete.
func (fs *fileSystem) getStatus(ctx context.Context, path string, o *alluxiopb.FileSystemMasterCommonOptions, renew uint32) (*alluxiopb.FileInfo, error) {
	path, err := fspath.Clean(path)
	if err != nil {
		return nil, err
	}
	if renew != 0 && renew != blockcap.Read && renew != blockcap.Write {
		return nil, errs.New(errs.ErrInvalidArg, "capability %d: want 4 (read) or 2 (write)", renew)
	}
	if err := fs.syncForRead(ctx, path, o, false, false); err != nil {
		return nil, err
	}
	c := fs.az.caller(ctx)
	nd := need{path: path}
	if renew != 0 {
		nd.self = authz.Perm(renew)
	}
	if err := fs.authorize(c, nd); err != nil {
		return nil, err
	}
	n, err := fs.st.Stat(path)
	if err != nil {
		return nil, err
	}
	fi := fs.info(path, n)
	switch {
	case renew == blockcap.Write && n.Completed:
		return nil, errs.New(errs.ErrPrecondition, "no write capability for %s: the file is complete", path)
	case renew == blockcap.Write:
		fs.grant(c, fi, n, blockcap.Write)
	default:
		fs.grant(c, fi, n, blockcap.Read)
	}
	return fi, nil
}

func (fs *fileSystem) listStatus(ctx context.Context, path string, recursive bool, o *alluxiopb.FileSystemMasterCommonOptions, send func([]*alluxiopb.FileInfo) error) error {
	path, err := fspath.Clean(path)
	if err != nil {
		return err
	}
	if err := fs.syncForRead(ctx, path, o, true, recursive); err != nil {
		return err
	}
	c := fs.az.caller(ctx)
	if err := fs.authorizeRead(c, path, true, recursive); err != nil {
		return err
	}
	entries, err := fs.st.List(path, recursive)
	if err != nil {
		return err
	}
	const batch = 1000
	out := make([]*alluxiopb.FileInfo, 0, min(batch, len(entries)))
	for _, e := range entries {
		fi := fs.info(e.Path, e.Inode)
		fs.grant(c, fi, e.Inode, blockcap.Read)
		out = append(out, fi)
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

// fileMode and dirMode are the modes of a new file or directory at path:
// the one asked for, else the default less the umask. As in POSIX, the
// umask does not apply below a directory with a default ACL, which
// limits the new inode's bits instead (state.inherit).
func (fs *fileSystem) fileMode(req uint32, path string) uint32 {
	if req != 0 {
		return req & 0o7777
	}
	return 0o666 &^ fs.umaskAt(path)
}

func (fs *fileSystem) dirMode(req uint32, path string) uint32 {
	if req != 0 {
		return req & 0o7777
	}
	return 0o777 &^ fs.umaskAt(path)
}

func (fs *fileSystem) umaskAt(path string) uint32 {
	if p, err := fs.st.Stat(fspath.Parent(path)); err == nil && p.DefaultACL != nil {
		return 0
	}
	return fs.cfg.Umask
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

func (fs *fileSystem) mountsBelow(path string) []string {
	var out []string
	for _, m := range fs.st.MountTable() {
		if fspath.IsAncestor(path, m.AlluxioPath) {
			out = append(out, m.AlluxioPath)
		}
	}
	return out
}

// free drops the cached copies of path's files; recursive is needed for a
// directory with files, forced for pinned files. A file not in the under
// storage is refused, since its cached copy is its only one.
func (fs *fileSystem) free(ctx context.Context, path string, recursive, forced bool) error {
	path, err := fspath.Clean(path)
	if err != nil {
		return err
	}
	var blocks []int64
	_, err = fs.mutate(ctx, mutation{paths: []string{path}, access: []need{{path: path, self: authz.Read}},
		prepare: func(context.Context) (*journalpb.Entry, error) {
			var ferr error
			blocks, ferr = fs.freeable(path, recursive, forced)
			return nil, ferr
		},
		after: func(context.Context, state.Result) error {
			fs.dropBlocks(blocks)
			return nil
		}})
	return err
}

// freeable lists the blocks free(path) drops, or says why it may not.
func (fs *fileSystem) freeable(path string, recursive, forced bool) ([]int64, error) {
	entries, err := fs.st.List(path, true)
	if err != nil {
		return nil, err
	}
	if n, err := fs.st.Stat(path); err == nil && n.IsDir && !recursive && len(entries) > 0 {
		return nil, errs.New(errs.ErrInvalidArg, "free %s: a directory needs recursive", path)
	}
	var blocks []int64
	for _, e := range entries {
		n := e.Inode
		switch {
		case n.IsDir:
			continue
		case n.Pinned && !forced:
			return nil, errs.New(errs.ErrPrecondition, "free %s: %s is pinned (use -f to free it anyway)", path, e.Path)
		case !n.Persisted():
			return nil, errs.New(errs.ErrPrecondition, "free %s: %s is not persisted; freeing it would lose its data", path, e.Path)
		}
		blocks = append(blocks, n.BlockIDs()...)
	}
	return blocks, nil
}

// dropBlocks orders the workers that cache blocks to drop them. Workers
// hold the cache; until they register there is nothing cached to drop.
func (fs *fileSystem) dropBlocks(blocks []int64) {
	if fs.blocks != nil {
		fs.blocks.free(blocks)
	}
}
