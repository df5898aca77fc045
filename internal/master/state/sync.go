package state

import (
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// applySync makes the namespace at a path agree with what the primary saw in
// the under storage. Only persisted inodes are ever removed or changed:
// data that lives only in Alluxio is never lost to a sync.
func (s *State) applySync(op *journalpb.SyncMetadata, t int64) Result {
	path, err := fspath.Clean(op.Path)
	if err != nil {
		return Result{Err: err}
	}
	existing, lookupErr := s.lookup(path)
	if !op.Exists {
		if lookupErr == nil && existing != s.root && existing.Persisted() && !s.holdsMount(path) {
			s.removeFromUfs(existing)
		}
		return Result{}
	}
	if op.Status == nil {
		return Result{Err: errs.New(errs.ErrInvalidArg, "sync of %s without a status", path)}
	}
	if lookupErr != nil {
		n, err := s.loadMissing(path, op, t)
		if err != nil {
			return Result{Err: err}
		}
		existing = n
	} else if existing != s.root && !existing.MountPoint {
		existing = s.refresh(existing, op.Status, op.BlockSize, t)
	}
	if op.ListedChildren && existing.IsDir {
		s.syncChildren(existing, op.Children, op.BlockSize, t)
		existing.ChildrenLoaded = true
	}
	existing.LastSyncMs = t
	return Result{InodeID: existing.ID}
}

func (s *State) loadMissing(path string, op *journalpb.SyncMetadata, t int64) (*Inode, error) {
	parts, err := fspath.Split(path)
	if err != nil {
		return nil, err
	}
	// Check the whole way down before creating anything, so a bad entry
	// changes nothing.
	n := s.root
	depth := 0 // components that exist
	for _, name := range parts[:len(parts)-1] {
		c, ok := n.children[name]
		if !ok {
			break
		}
		if !c.IsDir {
			return nil, errs.New(errs.ErrNotDirectory, "sync of %s: %s is a file", path, name)
		}
		n = c
		depth++
	}
	missing := parts[depth : len(parts)-1]
	anc := op.MissingAncestors
	for i, name := range missing {
		if i >= len(anc) || anc[i].GetName() != name || !anc[i].GetIsDirectory() {
			return nil, errs.New(errs.ErrNotFound, "sync of %s: ancestor %s is missing", path, name)
		}
	}
	for i, name := range missing {
		n = s.fromUfs(n, name, anc[i], op.BlockSize, t)
	}
	return s.fromUfs(n, parts[len(parts)-1], op.Status, op.BlockSize, t), nil
}

// fromUfs creates a persisted inode called name for an under storage entry.
func (s *State) fromUfs(parent *Inode, name string, st *journalpb.UfsStatus, blockSize int64, t int64) *Inode {
	n := s.newInode(parent, name, st.IsDirectory, t)
	n.Owner, n.Group, n.Mode = st.Owner, st.Group, st.Mode
	n.Persistence = journalpb.PersistenceState_PERSISTED
	n.UfsModMs, n.UfsFingerprint = st.ModificationTimeMs, st.Fingerprint
	if st.ModificationTimeMs > 0 {
		n.ModMs = st.ModificationTimeMs
	}
	if !st.IsDirectory {
		n.Length, n.BlockSize, n.Completed = st.Length, blockSize, true
	}
	return n
}

// refresh updates a persisted inode whose under storage copy changed, and
// replaces it when a file became a directory or the other way round.
func (s *State) refresh(n *Inode, st *journalpb.UfsStatus, blockSize int64, t int64) *Inode {
	if !n.Persisted() {
		return n
	}
	if n.IsDir != st.IsDirectory {
		if n.IsDir && s.holdsMount(s.pathOf(n)) {
			return n
		}
		parent, name := n.parent, n.Name
		if !s.removeFromUfs(n) {
			return n // it still holds data that lives only in Alluxio
		}
		return s.fromUfs(parent, name, st, blockSize, t)
	}
	if !n.IsDir && n.Completed && UfsChanged(*n, st) {
		// The content changed under us: the new file has new blocks.
		parent, name := n.parent, n.Name
		s.removeSubtree(n)
		return s.fromUfs(parent, name, st, blockSize, t)
	}
	return n
}

func (s *State) syncChildren(dir *Inode, listing []*journalpb.UfsStatus, blockSize int64, t int64) {
	seen := make(map[string]bool, len(listing))
	for _, st := range listing {
		if fspath.ValidateName(st.GetName()) != nil {
			continue
		}
		seen[st.Name] = true
		if c, ok := dir.children[st.Name]; ok {
			if !c.MountPoint {
				s.refresh(c, st, blockSize, t)
			}
			continue
		}
		s.fromUfs(dir, st.Name, st, blockSize, t)
	}
	for name, c := range dir.children {
		if !seen[name] && c.Persisted() && !c.MountPoint && !s.holdsMount(s.pathOf(c)) {
			s.removeFromUfs(c)
		}
	}
}

// removeFromUfs removes n and what lies below it because the under storage
// no longer has them, except what a sync must never remove: inodes that are
// not persisted (their data lives only in Alluxio), mount points, and the
// directories on the way to either. It reports whether n itself went.
func (s *State) removeFromUfs(n *Inode) bool {
	if n == s.root || n.MountPoint {
		return false
	}
	keep := !n.Persisted()
	for _, c := range n.children {
		if !s.removeFromUfs(c) {
			keep = true
		}
	}
	if keep {
		return false
	}
	delete(s.byID, n.ID)
	delete(s.ttl, n.ID)
	if n.IsDir {
		s.dirs--
	}
	delete(n.parent.children, n.Name)
	return true
}

// holdsMount reports whether path is or contains a mount point.
func (s *State) holdsMount(path string) bool {
	for p := range s.mounts.byPath {
		if fspath.IsAncestor(path, p) {
			return true
		}
	}
	return false
}

// UfsChanged reports whether a persisted file's under storage copy is not
// the one Alluxio recorded: another length, another fingerprint when both
// are known (an ETag tells a file rewritten at the same length within the
// same second), else another modification time when one was recorded. A
// file Alluxio wrote itself through a store without either can only be
// told by its length.
func UfsChanged(n Inode, st *journalpb.UfsStatus) bool {
	switch {
	case n.Length != st.Length:
		return true
	case n.UfsFingerprint != "" && st.Fingerprint != "":
		return n.UfsFingerprint != st.Fingerprint
	}
	return n.UfsModMs != 0 && n.UfsModMs != st.ModificationTimeMs
}
