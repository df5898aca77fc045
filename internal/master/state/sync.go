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
			s.removeSubtree(existing)
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
	n := s.root
	anc := op.MissingAncestors
	for _, name := range parts[:len(parts)-1] {
		c, ok := n.children[name]
		if !ok {
			if len(anc) == 0 || anc[0].Name != name || !anc[0].IsDirectory {
				return nil, errs.New(errs.ErrNotFound, "sync of %s: ancestor %s is missing", path, name)
			}
			c = s.fromUfs(n, name, anc[0], op.BlockSize, t)
			anc = anc[1:]
		} else if !c.IsDir {
			return nil, errs.New(errs.ErrNotDirectory, "sync of %s: %s is a file", path, name)
		}
		n = c
	}
	return s.fromUfs(n, parts[len(parts)-1], op.Status, op.BlockSize, t), nil
}

// fromUfs creates a persisted inode called name for an under storage entry.
func (s *State) fromUfs(parent *Inode, name string, st *journalpb.UfsStatus, blockSize int64, t int64) *Inode {
	n := s.newInode(parent, name, st.IsDirectory, t)
	n.Owner, n.Group, n.Mode = st.Owner, st.Group, st.Mode
	n.Persistence = journalpb.PersistenceState_PERSISTED
	n.UfsModMs = st.ModificationTimeMs
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
		s.removeSubtree(n)
		return s.fromUfs(parent, name, st, blockSize, t)
	}
	if !n.IsDir && n.Completed && (n.Length != st.Length || (n.UfsModMs != 0 && n.UfsModMs != st.ModificationTimeMs)) {
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
		if fspath.ValidateName(st.Name) != nil {
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
			s.removeSubtree(c)
		}
	}
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
