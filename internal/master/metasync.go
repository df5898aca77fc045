package master

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Metadata from the under storage reaches the namespace in two ways, as in
// Alluxio: loading (a path or a directory's children missing from Alluxio
// are looked up once, per alluxio.user.file.metadata.load.type) and syncing
// (a path is compared with the under storage again when its last comparison
// is older than alluxio.user.file.metadata.sync.interval). Both journal a
// SyncMetadata entry holding what the primary saw, never a bare "go look".

func (fs *fileSystem) policy(o *alluxiopb.FileSystemMasterCommonOptions) (time.Duration, string) {
	interval, load := fs.cfg.SyncInterval, fs.cfg.LoadType
	if o != nil {
		if o.HasSyncInterval {
			interval = time.Duration(o.SyncIntervalMs) * time.Millisecond
		}
		if o.LoadMetadataType != alluxiopb.LoadMetadataType_LOAD_DEFAULT {
			load = o.LoadMetadataType.String()
		}
	}
	return interval, load
}

// syncForRead is syncPath for the operations that only read: they go
// through mutate only when something is to be loaded, since a load is a
// change to the namespace like any other.
func (fs *fileSystem) syncForRead(ctx context.Context, path string, o *alluxiopb.FileSystemMasterCommonOptions, children, recursive bool) error {
	if !fs.needsSync(path, o, children, recursive) {
		return nil
	}
	_, err := fs.mutate(ctx, mutation{paths: []string{path}, goOnWhilePending: true, ownWork: true,
		prepare: func(ctx context.Context) (*journalpb.Entry, error) {
			return nil, fs.syncPathFor(ctx, path, o, children, recursive, true)
		}})
	return err
}

// needsSync reports whether syncPath might have something to do.
func (fs *fileSystem) needsSync(path string, o *alluxiopb.FileSystemMasterCommonOptions, children, recursive bool) bool {
	if fs.st.UfsModeOf(path) == journalpb.UfsMode_NO_ACCESS {
		return false // alluxio fsadmin ufs --mode noAccess
	}
	interval, load := fs.policy(o)
	if interval >= 0 && fs.syncDue(path, interval) {
		return true
	}
	n, err := fs.st.Stat(path)
	if err != nil {
		return load != "NEVER" && !(load == "ONCE" && fs.knownAbsent(path, true))
	}
	return children && n.IsDir && (recursive || (!n.ChildrenLoaded && n.Persisted()))
}

// syncPath brings path (and, with children, its listing; with recursive,
// everything below) in line with the under storage as the policy asks.
// The caller holds path's lock. Nothing is loaded while an under storage
// change on path, below it or above it is pending: the namespace is ahead
// of the store there, and a load would bring back what is being changed
// (a file being deleted, say).
func (fs *fileSystem) syncPath(ctx context.Context, path string, o *alluxiopb.FileSystemMasterCommonOptions, children, recursive bool) error {
	return fs.syncPathFor(ctx, path, o, children, recursive, false)
}

// syncPathFor is syncPath for a read (forRead) or a change (see
// knownAbsent).
func (fs *fileSystem) syncPathFor(ctx context.Context, path string, o *alluxiopb.FileSystemMasterCommonOptions, children, recursive, forRead bool) error {
	if len(fs.st.PendingIntents(path)) > 0 {
		return nil
	}
	interval, load := fs.policy(o)
	if interval >= 0 && fs.syncDue(path, interval) {
		return fs.syncNow(ctx, path, children, recursive)
	}
	if load == "NEVER" {
		return nil
	}
	n, err := fs.st.Stat(path)
	if err != nil {
		if !errors.Is(err, errs.ErrNotFound) || (load == "ONCE" && fs.knownAbsent(path, forRead)) {
			return nil
		}
		if err := fs.loadMissing(ctx, path); err != nil {
			return err
		}
		if n, err = fs.st.Stat(path); err != nil {
			fs.markAbsent(path)
			return nil
		}
	}
	if !children || !n.IsDir {
		return nil
	}
	return fs.loadChildren(ctx, path, n, recursive)
}

func (fs *fileSystem) syncDue(path string, interval time.Duration) bool {
	fs.syncMu.Lock()
	defer fs.syncMu.Unlock()
	last, ok := fs.syncedAt[path]
	return !ok || interval == 0 || fs.now().Sub(last) >= interval
}

func (fs *fileSystem) markSynced(path string) {
	fs.syncMu.Lock()
	defer fs.syncMu.Unlock()
	if len(fs.syncedAt) > 100000 {
		// Soft state: forgetting only costs an extra comparison later.
		clear(fs.syncedAt)
	}
	fs.syncedAt[path] = fs.now()
}

// knownAbsent reports whether, with load type ONCE, the under storage was
// already asked for path and did not have it: path or an ancestor of it is
// in the absent-path cache for the mount it still resolves to, or the
// deepest ancestor in the namespace is a file. As in Alluxio, ONCE loads a
// path at most once, and a read of a name a listing did not find asks the
// under storage: a file put there after its directory was listed is not
// listed again, but opening it by name loads it.
//
// A change (forRead false) also takes a listed directory's names as all
// there is: a copy the under storage holds at a name the namespace does not
// have there (left by a primary deposed before its entry committed) gives
// way to a create or a rename onto the name rather than refusing it.
func (fs *fileSystem) knownAbsent(path string, forRead bool) bool {
	for p := path; p != ""; p = fspath.Parent(p) {
		if n, err := fs.st.Stat(p); err == nil {
			return !n.IsDir || (!forRead && p != path && n.ChildrenLoaded)
		}
		fs.syncMu.Lock()
		mount, ok := fs.absent[p]
		fs.syncMu.Unlock()
		if ok {
			if mp, _, err := fs.st.Resolve(p); err == nil && mp.ID == mount {
				return true
			}
		}
	}
	return false
}

// forgetAbsent drops paths from the absent-path cache: a change put them
// in the namespace, or took them out of it while their copies stay.
func (fs *fileSystem) forgetAbsent(paths ...string) {
	fs.syncMu.Lock()
	defer fs.syncMu.Unlock()
	for _, p := range paths {
		delete(fs.absent, p)
	}
}

// maxAbsent bounds the absent-path cache (Alluxio's
// alluxio.master.ufs.path.cache.capacity); when full it starts over, which
// costs only a lookup in the under storage per path asked for again.
const maxAbsent = 100000

// markAbsent records that the under storage of path's mount has nothing
// at path.
func (fs *fileSystem) markAbsent(path string) {
	mp, _, err := fs.st.Resolve(path)
	if err != nil {
		return
	}
	fs.syncMu.Lock()
	defer fs.syncMu.Unlock()
	if len(fs.absent) >= maxAbsent {
		clear(fs.absent)
	}
	fs.absent[path] = mp.ID
}

func ufsToProto(s underfs.Status) *journalpb.UfsStatus {
	return &journalpb.UfsStatus{Name: s.Name, IsDirectory: s.IsDir, Length: s.Length,
		ModificationTimeMs: modMs(s.ModTime), Mode: uint32(s.Mode.Perm()), Owner: s.Owner, Group: s.Group,
		Fingerprint: s.Fingerprint}
}

// missingChain looks up path and each of its ancestors missing from the
// namespace in the under storage. ok is false when any of them is absent
// there, or when an existing ancestor is a file.
func (fs *fileSystem) missingChain(ctx context.Context, path string) (target *journalpb.UfsStatus, ancestors []*journalpb.UfsStatus, ok bool, err error) {
	if underfs.IsTemp(fspath.Base(path)) {
		return nil, nil, false, nil
	}
	var missing []string
	p := path
	for {
		if n, serr := fs.st.Stat(p); serr == nil {
			if !n.IsDir {
				return nil, nil, false, nil
			}
			break
		}
		missing = append(missing, p)
		p = fspath.Parent(p)
	}
	u, _, rel, err := fs.resolveUFS(path)
	if err != nil {
		return nil, nil, false, err
	}
	st, err := u.GetStatus(ctx, rel)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	target = ufsToProto(st)
	for i := len(missing) - 1; i >= 1; i-- {
		_, _, arel, err := fs.resolveUFS(missing[i])
		if err != nil {
			return nil, nil, false, err
		}
		ast, err := u.GetStatus(ctx, arel)
		if err != nil || !ast.IsDir {
			return nil, nil, false, nil
		}
		a := ufsToProto(ast)
		a.Name = fspath.Base(missing[i])
		ancestors = append(ancestors, a)
	}
	return target, ancestors, true, nil
}

func (fs *fileSystem) loadMissing(ctx context.Context, path string) error {
	target, anc, ok, err := fs.missingChain(ctx, path)
	if err != nil || !ok {
		return err
	}
	_, err = fs.propose(ctx, "", entryOf(&journalpb.SyncMetadata{
		Path: path, Exists: true, Status: target, MissingAncestors: anc, BlockSize: fs.cfg.DefaultBlockSize}))
	return ignoreRace(err)
}

// ignoreRace drops the errors a load gets when a concurrent operation
// changed the path first; the caller reads the state afresh anyway.
func ignoreRace(err error) error {
	if errors.Is(err, errs.ErrNotFound) || errors.Is(err, errs.ErrAlreadyExists) || errors.Is(err, errs.ErrNotDirectory) {
		return nil
	}
	return err
}

func (fs *fileSystem) loadChildren(ctx context.Context, path string, n state.Inode, recursive bool) error {
	if !n.ChildrenLoaded && n.Persisted() {
		if err := fs.syncDir(ctx, path, false); err != nil {
			return err
		}
	}
	if !recursive {
		return nil
	}
	kids, err := fs.st.List(path, false)
	if err != nil {
		return nil
	}
	for _, k := range kids {
		if k.Inode.IsDir {
			if err := fs.loadChildren(ctx, k.Path, k.Inode, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncDir lists a directory in the under storage and journals the listing
// when it differs from the namespace (or was never loaded).
func (fs *fileSystem) syncDir(ctx context.Context, path string, force bool) error {
	u, _, rel, err := fs.resolveUFS(path)
	if err != nil {
		return err
	}
	st, err := u.GetStatus(ctx, rel)
	if errors.Is(err, errs.ErrNotFound) {
		return fs.syncAbsent(ctx, path)
	}
	if err != nil {
		return err
	}
	var listing []underfs.Status
	if st.IsDir {
		if listing, err = u.List(ctx, rel); err != nil && !errors.Is(err, errs.ErrNotFound) {
			return err
		}
		listing = slices.DeleteFunc(listing, func(c underfs.Status) bool { return underfs.IsTemp(c.Name) })
	}
	if !force && !fs.differs(path, st, listing, st.IsDir) {
		return nil
	}
	op := &journalpb.SyncMetadata{Path: path, Exists: true, Status: ufsToProto(st), ListedChildren: st.IsDir,
		BlockSize: fs.cfg.DefaultBlockSize}
	for _, c := range listing {
		op.Children = append(op.Children, ufsToProto(c))
	}
	if _, serr := fs.st.Stat(path); serr != nil {
		target, anc, ok, err := fs.missingChain(ctx, path)
		if err != nil || !ok {
			return err
		}
		op.Status, op.MissingAncestors = target, anc
	}
	_, err = fs.propose(ctx, "", entryOf(op))
	return ignoreRace(err)
}

func (fs *fileSystem) syncAbsent(ctx context.Context, path string) error {
	n, err := fs.st.Stat(path)
	if err != nil || !n.Persisted() || n.MountPoint {
		return nil
	}
	_, err = fs.propose(ctx, "", entryOf(&journalpb.SyncMetadata{Path: path}))
	return ignoreRace(err)
}

// syncNow compares path with the under storage now, whatever the load type.
func (fs *fileSystem) syncNow(ctx context.Context, path string, children, recursive bool) error {
	if err := fs.syncDir(ctx, path, false); err != nil {
		return err
	}
	fs.markSynced(path)
	if !children || !recursive {
		return nil
	}
	kids, err := fs.st.List(path, false)
	if err != nil {
		return nil
	}
	for _, k := range kids {
		if k.Inode.IsDir && k.Inode.Persisted() {
			if err := fs.syncNow(ctx, k.Path, true, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// differs reports whether the namespace at path disagrees with what the
// under storage showed, so unchanged paths are not journaled again.
func (fs *fileSystem) differs(path string, st underfs.Status, listing []underfs.Status, listed bool) bool {
	n, err := fs.st.Stat(path)
	if err != nil {
		return true
	}
	if n.MountPoint || path == "/" {
		// Only the listing matters for a mount point.
	} else if !n.Persisted() {
		return false
	} else if n.IsDir != st.IsDir || (!n.IsDir && changed(n, st)) {
		return true
	}
	if !listed || !n.IsDir {
		return false
	}
	if !n.ChildrenLoaded {
		return true
	}
	kids, err := fs.st.List(path, false)
	if err != nil {
		return true
	}
	have := make(map[string]state.Inode, len(kids))
	for _, k := range kids {
		have[k.Inode.Name] = k.Inode
	}
	seen := make(map[string]bool, len(listing))
	for _, c := range listing {
		seen[c.Name] = true
		k, ok := have[c.Name]
		if !ok {
			return true
		}
		if k.Persisted() && !k.MountPoint && (k.IsDir != c.IsDir || (!k.IsDir && changed(k, c))) {
			return true
		}
	}
	for name, k := range have {
		if !seen[name] && k.Persisted() && !k.MountPoint {
			return true
		}
	}
	return false
}

// changed compares a persisted file with its under storage copy. A file
// Alluxio wrote itself has no recorded under storage time, so only its
// length can tell.
func changed(n state.Inode, st underfs.Status) bool {
	return state.UfsChanged(n, ufsToProto(st))
}

// modMs is a modification time in ms, 0 when the store gave none (an
// object store's directory without a marker).
func modMs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
