package state

import (
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// Apply applies one journal entry and returns its result. Entries must come
// in sequence order; an entry whose sequence is not the next one is refused,
// because applying it would fork this replica from the others.
func (s *State) Apply(e *journalpb.Entry) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.Sequence != s.lastSeq+1 {
		return Result{Err: errs.New(errs.ErrCorrupt, "journal entry %d applied after %d", e.Sequence, s.lastSeq)}
	}
	s.lastSeq = e.Sequence
	if e.OpId != "" {
		if r, ok := s.retry.get(e.OpId); ok {
			return r
		}
	}
	r := s.apply(e)
	if e.OpId != "" {
		s.retry.put(e.OpId, r)
	}
	return r
}

func (s *State) apply(e *journalpb.Entry) Result {
	t := e.TimeMs
	s.applying.intents, s.applying.timeMs = e.UfsIntents, t
	switch op := e.Op.(type) {
	case *journalpb.Entry_CreateFile:
		return s.applyCreateFile(orEmpty(op.CreateFile), t)
	case *journalpb.Entry_CompleteFile:
		return s.applyCompleteFile(orEmpty(op.CompleteFile), t)
	case *journalpb.Entry_CreateDirectory:
		return s.applyCreateDirectory(orEmpty(op.CreateDirectory), t)
	case *journalpb.Entry_Delete:
		return s.applyDelete(orEmpty(op.Delete))
	case *journalpb.Entry_Rename:
		return s.applyRename(orEmpty(op.Rename), t)
	case *journalpb.Entry_SetAttribute:
		return s.applySetAttribute(orEmpty(op.SetAttribute), t)
	case *journalpb.Entry_Mount:
		return s.applyMount(orEmpty(op.Mount), t)
	case *journalpb.Entry_Unmount:
		return s.applyUnmount(orEmpty(op.Unmount))
	case *journalpb.Entry_SyncMetadata:
		return s.applySync(orEmpty(op.SyncMetadata), t)
	case *journalpb.Entry_Noop:
		return Result{}
	case *journalpb.Entry_PersistDone:
		return s.applyPersistDone(orEmpty(op.PersistDone))
	case *journalpb.Entry_UfsIntentDone:
		return s.applyIntentDone(orEmpty(op.UfsIntentDone))
	case *journalpb.Entry_UfsIntentFailed:
		return s.applyIntentFailed(orEmpty(op.UfsIntentFailed))
	case *journalpb.Entry_DropUnpublished:
		return s.applyDropUnpublished(orEmpty(op.DropUnpublished))
	case *journalpb.Entry_SetClusterId:
		return s.applySetClusterID(orEmpty(op.SetClusterId))
	case *journalpb.Entry_UpdateUfsMode:
		return s.applyUpdateUfsMode(orEmpty(op.UpdateUfsMode))
	case *journalpb.Entry_SetAcl:
		return s.applySetAcl(orEmpty(op.SetAcl), t)
	case *journalpb.Entry_BlockKey:
		return s.applyBlockKey(orEmpty(op.BlockKey), t)
	default:
		return Result{Err: errs.New(errs.ErrCorrupt, "journal entry %d has no known operation", e.Sequence)}
	}
}

// orEmpty stands in an empty message for a nil one, which is what every
// other replica decodes from the journal for it.
func orEmpty[T any](m *T) *T {
	if m == nil {
		return new(T)
	}
	return m
}

// newInode links a fresh inode under parent; the caller fills in the rest.
func (s *State) newInode(parent *Inode, name string, dir bool, timeMs int64) *Inode {
	n := &Inode{ID: s.nextID, ParentID: parent.ID, Name: name, IsDir: dir, CreationMs: timeMs, ModMs: timeMs,
		parent: parent, TTLMs: -1}
	if dir {
		n.children = map[string]*Inode{}
		n.Completed = true
		s.dirs++
	}
	s.nextID++
	s.byID[n.ID] = n
	parent.children[name] = n
	parent.ModMs = timeMs
	return n
}

// parentFor returns the directory that will hold path, creating missing
// ancestors when recursive (shaped like template). The caller has checked
// path is not "/".
func (s *State) parentFor(path string, recursive bool, template *Inode, timeMs int64) (*Inode, string, error) {
	parts, err := fspath.Split(path)
	if err != nil {
		return nil, "", err
	}
	n := s.root
	for i, name := range parts[:len(parts)-1] {
		c, ok := n.children[name]
		if !ok {
			if !recursive {
				return nil, "", errs.New(errs.ErrNotFound, "parent of %s: %s does not exist", path, fspath.Join(s.pathOf(n), name))
			}
			c = s.newInode(n, name, true, timeMs)
			if template != nil {
				c.Owner, c.Group, c.Mode, c.Persistence = template.Owner, template.Group, template.Mode, template.Persistence
			}
			inherit(n, c)
		} else if !c.IsDir {
			return nil, "", errs.New(errs.ErrNotDirectory, "parent of %s: %s is a file", path, "/"+joinParts(parts[:i+1]))
		}
		n = c
	}
	return n, parts[len(parts)-1], nil
}

func joinParts(p []string) string {
	out := ""
	for i, s := range p {
		if i > 0 {
			out += "/"
		}
		out += s
	}
	return out
}

// checkWritable refuses changes under a read-only mount, or a mount of a
// store whose mode (alluxio fsadmin ufs --mode) is not READ_WRITE.
func (s *State) checkWritable(path string) error {
	m, _, ok := s.mounts.resolve(path)
	if !ok {
		return nil
	}
	if m.ReadOnly {
		return errs.New(errs.ErrReadOnly, "%s is in read-only mount %s", path, m.AlluxioPath)
	}
	switch mode := s.mountMode(m); mode {
	case journalpb.UfsMode_READ_WRITE:
	case journalpb.UfsMode_READ_ONLY:
		// ErrReadOnly narrows ErrPermission: FUSE answers EROFS, as for a
		// read-only mount.
		return errs.New(errs.ErrReadOnly, "%s is in mount %s of %s, whose under storage mode is %s (alluxio fsadmin ufs --mode)",
			path, m.AlluxioPath, m.UfsURI, mode)
	default:
		return errs.New(errs.ErrPermission, "%s is in mount %s of %s, whose under storage mode is %s (alluxio fsadmin ufs --mode)",
			path, m.AlluxioPath, m.UfsURI, mode)
	}
	return nil
}

func (s *State) applyCreateFile(op *journalpb.CreateFile, t int64) Result {
	path, err := fspath.Clean(op.Path)
	if err != nil {
		return Result{Err: err}
	}
	if path == "/" {
		return Result{Err: errs.New(errs.ErrAlreadyExists, "/ is a directory")}
	}
	if err := s.checkWritable(path); err != nil {
		return Result{Err: err}
	}
	if op.BlockSize <= 0 {
		return Result{Err: errs.New(errs.ErrInvalidArg, "create %s: block size %d must be positive", path, op.BlockSize)}
	}
	if existing, err := s.lookup(path); err == nil {
		if !op.Overwrite || existing.IsDir {
			return Result{Err: errs.New(errs.ErrAlreadyExists, "%s", path)}
		}
		s.removeSubtree(existing)
	}
	persist := journalpb.PersistenceState_NOT_PERSISTED
	if op.Persisted {
		persist = journalpb.PersistenceState_PERSISTED
	}
	dirTemplate := &Inode{Owner: op.Owner, Group: op.Group, Mode: 0o755, Persistence: persist}
	mkdirs := s.parentsIntent(op, path, dirTemplate.Mode)
	parent, name, err := s.parentFor(path, op.Recursive, dirTemplate, t)
	if err != nil {
		return Result{Err: err}
	}
	if mkdirs != nil {
		s.addIntent(mkdirs)
	}
	n := s.newInode(parent, name, false, t)
	n.Owner, n.Group, n.Mode = op.Owner, op.Group, op.Mode
	inherit(parent, n)
	n.BlockSize = op.BlockSize
	n.Persistence = persist
	s.setTTL(n, op.TtlMs, op.TtlAction)
	return Result{InodeID: n.ID}
}

// parentsIntent is the intent to make the directories of a file created
// as already in the under storage (Persisted), when the namespace makes
// them now or has them only in Alluxio; nil when there is none.
func (s *State) parentsIntent(op *journalpb.CreateFile, path string, mode uint32) *journalpb.UfsIntent {
	if !s.applying.intents || !op.Persisted || !op.Recursive {
		return nil
	}
	parent := fspath.Parent(path)
	if p, err := s.lookup(parent); err == nil && p.Persisted() {
		return nil
	}
	return &journalpb.UfsIntent{Kind: journalpb.UfsIntentKind_UFS_MKDIRS, Path: parent, Mode: &mode}
}

func (s *State) applyCompleteFile(op *journalpb.CompleteFile, t int64) Result {
	n, err := s.lookup(op.Path)
	if err != nil {
		return Result{Err: err}
	}
	switch {
	case op.FileId != 0 && n.ID != op.FileId:
		return Result{Err: errs.New(errs.ErrNotFound, "complete %s: the file being written was deleted (%s is now another file)", op.Path, op.Path)}
	case n.IsDir:
		return Result{Err: errs.New(errs.ErrIsDirectory, "complete %s", op.Path)}
	case n.Completed:
		return Result{Err: errs.New(errs.ErrPrecondition, "complete %s: the file is already complete", op.Path)}
	case op.Length < 0:
		return Result{Err: errs.New(errs.ErrInvalidArg, "complete %s: length %d", op.Path, op.Length)}
	}
	if err := checkXattr(op.Path, n.Xattr, op.Xattr, false); err != nil {
		return Result{Err: err}
	}
	n.Length, n.Completed, n.ModMs, n.ChangeMs = op.Length, true, t, t
	if op.ModMs > 0 {
		n.ModMs = op.ModMs
	}
	setXattr(n, op.Xattr, false)
	switch {
	case op.Persisted && s.applying.intents:
		// Persisted once the copy is published (UfsIntentDone).
		n.Persistence = journalpb.PersistenceState_TO_BE_PERSISTED
		s.addIntent(&journalpb.UfsIntent{Kind: journalpb.UfsIntentKind_UFS_PUBLISH, Path: s.pathOf(n), FileId: n.ID, Length: n.Length,
			PublishToken: op.UfsPublishToken})
	case op.Persisted:
		s.markPersisted(n)
		n.UfsModMs = op.UfsModMs
	case op.ToBePersisted && !n.Persisted():
		n.Persistence = journalpb.PersistenceState_TO_BE_PERSISTED
	}
	return Result{InodeID: n.ID}
}

func (s *State) applyCreateDirectory(op *journalpb.CreateDirectory, t int64) Result {
	path, err := fspath.Clean(op.Path)
	if err != nil {
		return Result{Err: err}
	}
	if existing, err := s.lookup(path); err == nil {
		if existing.IsDir && op.AllowExists {
			return Result{InodeID: existing.ID}
		}
		return Result{Err: errs.New(errs.ErrAlreadyExists, "%s", path)}
	}
	if err := s.checkWritable(path); err != nil {
		return Result{Err: err}
	}
	persist := journalpb.PersistenceState_NOT_PERSISTED
	if op.Persisted {
		persist = journalpb.PersistenceState_PERSISTED
	}
	tmpl := &Inode{Owner: op.Owner, Group: op.Group, Mode: op.Mode, Persistence: persist}
	p, perr := s.lookup(fspath.Parent(path))
	leftover := perr == nil && p.IsDir && p.ChildrenLoaded
	parent, name, err := s.parentFor(path, op.Recursive, tmpl, t)
	if err != nil {
		return Result{Err: err}
	}
	n := s.newInode(parent, name, true, t)
	n.Owner, n.Group, n.Mode, n.Persistence = op.Owner, op.Group, op.Mode, persist
	inherit(parent, n)
	// A directory made in Alluxio has nothing in the under storage to load.
	n.ChildrenLoaded = true
	if op.Persisted && s.applying.intents {
		mode := op.Mode
		s.addIntent(&journalpb.UfsIntent{Kind: journalpb.UfsIntentKind_UFS_MKDIRS, Path: path, Mode: &mode, ReplaceLeftover: leftover})
	}
	return Result{InodeID: n.ID}
}

func (s *State) applyDelete(op *journalpb.Delete) Result {
	n, err := s.lookup(op.Path)
	if err != nil {
		return Result{Err: err}
	}
	path := s.pathOf(n)
	if op.FileId != 0 && n.ID != op.FileId {
		return Result{Err: errs.New(errs.ErrNotFound, "delete %s: the file was replaced by another one", path)}
	}
	if n == s.root {
		return Result{Err: errs.New(errs.ErrInvalidArg, "the root cannot be deleted")}
	}
	if err := s.checkWritable(path); err != nil {
		return Result{Err: err}
	}
	if n.IsDir && len(n.children) > 0 && !op.Recursive {
		return Result{Err: errs.New(errs.ErrNotEmpty, "%s (use -R to delete it and everything below)", path)}
	}
	for _, p := range s.mounts.paths() {
		if fspath.IsAncestor(path, p) {
			return Result{Err: errs.New(errs.ErrPrecondition, "delete %s: %s is a mount point (unmount it first)", path, p)}
		}
	}
	if s.applying.intents && !op.AlluxioOnly {
		s.deleteIntent(n, path)
	}
	s.removeSubtree(n)
	return Result{InodeID: n.ID}
}

// deleteIntent records what the under storage must lose with n: its copy
// when it has one (or is about to: a pending publish), and the copy of a
// file whose writer or persister may have left one under its temporary
// name.
func (s *State) deleteIntent(n *Inode, path string) {
	in := &journalpb.UfsIntent{Kind: journalpb.UfsIntentKind_UFS_DELETE, Path: path, Recursive: n.IsDir,
		DeleteTarget: n.Persisted() || s.publishBelow(n)}
	if !n.IsDir && (!n.Completed || n.Persistence == journalpb.PersistenceState_TO_BE_PERSISTED) {
		in.FileId = n.ID
	}
	if in.DeleteTarget || in.FileId != 0 {
		s.addIntent(in)
	}
}

// removeSubtree unlinks n and forgets it and everything below it.
func (s *State) removeSubtree(n *Inode) {
	var forget func(n *Inode)
	forget = func(n *Inode) {
		for _, c := range n.children {
			forget(c)
		}
		delete(s.byID, n.ID)
		delete(s.ttl, n.ID)
		if n.IsDir {
			s.dirs--
		}
	}
	forget(n)
	if n.parent != nil {
		delete(n.parent.children, n.Name)
	}
}

func (s *State) applyRename(op *journalpb.Rename, t int64) Result {
	src, err := s.lookup(op.Src)
	if err != nil {
		return Result{Err: err}
	}
	dst, err := fspath.Clean(op.Dst)
	if err != nil {
		return Result{Err: err}
	}
	srcPath := s.pathOf(src)
	switch {
	case src == s.root:
		return Result{Err: errs.New(errs.ErrInvalidArg, "the root cannot be renamed")}
	case srcPath == dst:
		return Result{Err: errs.New(errs.ErrAlreadyExists, "rename %s to itself", srcPath)}
	case fspath.IsAncestor(srcPath, dst):
		return Result{Err: errs.New(errs.ErrInvalidArg, "rename %s into itself (%s)", srcPath, dst)}
	}
	if _, ok := s.mounts.byPath[srcPath]; ok {
		return Result{Err: errs.New(errs.ErrInvalidArg, "rename %s: it is a mount point", srcPath)}
	}
	for _, p := range s.mounts.paths() {
		if fspath.IsAncestor(srcPath, p) {
			return Result{Err: errs.New(errs.ErrInvalidArg, "rename %s: mount point %s is below it", srcPath, p)}
		}
	}
	if ms, _, _ := s.mounts.resolve(srcPath); ms != nil {
		if md, _, _ := s.mounts.resolve(dst); md != ms {
			return Result{Err: errs.New(errs.ErrCrossMount, "rename %s to %s crosses mount points", srcPath, dst)}
		}
		if ms.ReadOnly {
			return Result{Err: errs.New(errs.ErrReadOnly, "rename in read-only mount %s", ms.AlluxioPath)}
		}
	}
	replaced, err := s.lookup(dst)
	switch {
	case op.ReplaceId != 0:
		if err := replaceable(replaced, err, dst, op.ReplaceId); err != nil {
			return Result{Err: err}
		}
	case err == nil:
		return Result{Err: errs.New(errs.ErrAlreadyExists, "rename %s: destination %s", srcPath, dst)}
	default:
		replaced = nil
	}
	parent, name, err := s.parentFor(dst, false, nil, t)
	if err != nil {
		return Result{Err: err}
	}
	if replaced != nil {
		s.replaceIntent(src, srcPath, dst, parent, replaced)
		s.removeSubtree(replaced)
	} else {
		s.renameIntent(src, srcPath, dst, parent.ChildrenLoaded)
	}
	delete(src.parent.children, src.Name)
	src.parent.ModMs = t
	src.Name, src.parent, src.ParentID = name, parent, parent.ID
	parent.children[name] = src
	// The directories changed; the renamed inode's content did not, and
	// keeps its modification time (POSIX and HDFS: rsync and make compare
	// it after renames).
	parent.ModMs = t
	src.ChangeMs = t
	return Result{InodeID: src.ID}
}

// replaceable checks that a rename may replace n, found at dst (or not,
// with err), as the rename's replace_id asks: the complete file of that
// id.
func replaceable(n *Inode, err error, dst string, id int64) error {
	switch {
	case err != nil || n.ID != id:
		return errs.New(errs.ErrPrecondition, "rename over %s: it is no longer file %d", dst, id)
	case n.IsDir || !n.Completed:
		return errs.New(errs.ErrPrecondition, "rename over %s: only a complete file is replaced", dst)
	}
	return nil
}

// replaceIntent is renameIntent for a rename that replaces old at dst in
// one entry, so in one intent. A persisted source's move overwrites old's
// copy (a leftover to the store's rename, after old's pending publish,
// which comes first); a copy a worker staged for old, its persist
// unfinished, is left to the sweep of unpublished copies. A source
// without a copy leaves what old has in the store to be deleted, as a
// delete of old would.
func (s *State) replaceIntent(src *Inode, srcPath, dst string, dstParent, old *Inode) {
	if !src.Persisted() {
		if s.applying.intents {
			s.deleteIntent(old, dst)
		}
		return
	}
	oldCopy := old.Persisted() || s.hasPendingPublish(old.ID)
	s.renameIntent(src, srcPath, dst, oldCopy || dstParent.ChildrenLoaded)
}

// renameIntent records the move of a persisted inode's copy. Whatever the
// store holds at the destination is a leftover (replaceLeftover) when the
// namespace had listed the destination's directory and, having checked,
// has nothing there, or when the rename replaces the file there.
func (s *State) renameIntent(src *Inode, srcPath, dst string, replaceLeftover bool) {
	if !s.applying.intents || !src.Persisted() {
		return
	}
	_, drel, _ := s.mounts.resolve(dst)
	in := &journalpb.UfsIntent{Kind: journalpb.UfsIntentKind_UFS_RENAME, Path: srcPath, DstPath: dst,
		UfsDstPath: drel, ReplaceLeftover: replaceLeftover}
	if !src.IsDir {
		// The done entry records the moved copy's fingerprint for it.
		in.FileId = src.ID
	}
	s.addIntent(in)
}

func (s *State) applySetAttribute(op *journalpb.SetAttribute, t int64) Result {
	n, err := s.lookup(op.Path)
	if err != nil {
		return Result{Err: err}
	}
	if op.Mode != nil && *op.Mode > 0o7777 {
		return Result{Err: errs.New(errs.ErrInvalidArg, "mode %o of %s", *op.Mode, op.Path)}
	}
	if err := checkXattr(op.Path, n.Xattr, op.Xattr, op.XattrReplaceAll); err != nil {
		return Result{Err: err}
	}
	if op.Recursive && (len(op.Xattr) > 0 || op.XattrReplaceAll) {
		return Result{Err: errs.New(errs.ErrInvalidArg, "%s: extended attributes are set on one path, not recursively", op.Path)}
	}
	s.attributeIntent(n, op)
	set := func(n *Inode) {
		setXattr(n, op.Xattr, op.XattrReplaceAll)
		if op.Mode != nil {
			n.Mode = *op.Mode
		}
		if op.Owner != nil {
			n.Owner = *op.Owner
		}
		if op.Group != nil {
			n.Group = *op.Group
		}
		if op.Pinned != nil {
			n.Pinned = *op.Pinned
		}
		if op.TtlMs != nil || op.TtlAction != nil {
			ttl, action := n.TTLMs, n.TTLAction
			if op.TtlMs != nil {
				ttl = *op.TtlMs
			}
			if op.TtlAction != nil {
				action = *op.TtlAction
			}
			s.setTTL(n, ttl, action)
		}
		if op.PersistenceState != nil && !n.IsDir {
			if *op.PersistenceState == journalpb.PersistenceState_PERSISTED {
				s.markPersisted(n)
			} else {
				n.Persistence = *op.PersistenceState
			}
			n.UfsError = ""
		}
		switch {
		case op.ModificationTimeMs != nil:
			n.ModMs = *op.ModificationTimeMs
		case !op.KeepModificationTime:
			n.ModMs = t
		}
		n.ChangeMs = t
	}
	if !op.Recursive || !n.IsDir {
		set(n)
		return Result{InodeID: n.ID}
	}
	var walk func(n *Inode)
	walk = func(n *Inode) {
		set(n)
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(n)
	return Result{InodeID: n.ID}
}

// attributeIntent records the under storage side of a mode or owner
// change of a persisted inode (the inode itself: a recursive change stays
// in Alluxio below it, as before intents).
func (s *State) attributeIntent(n *Inode, op *journalpb.SetAttribute) {
	if !s.applying.intents || !n.Persisted() || (op.Mode == nil && op.Owner == nil && op.Group == nil) {
		return
	}
	s.addIntent(&journalpb.UfsIntent{Kind: journalpb.UfsIntentKind_UFS_SET_ATTRIBUTE, Path: s.pathOf(n),
		Mode: op.Mode, Owner: op.Owner, Group: op.Group})
}

func (s *State) setTTL(n *Inode, ttl int64, action journalpb.TtlAction) {
	if ttl <= 0 {
		ttl = -1
	}
	n.TTLMs, n.TTLAction = ttl, action
	if ttl > 0 {
		s.ttl[n.ID] = struct{}{}
	} else {
		delete(s.ttl, n.ID)
	}
}

// markPersisted marks a file persisted together with its ancestors: a file
// in the under storage implies its directories are there too.
func (s *State) markPersisted(n *Inode) {
	for ; n != nil && n != s.root && !n.Persisted(); n = n.parent {
		n.Persistence = journalpb.PersistenceState_PERSISTED
	}
}
