package state

import (
	"sort"
	"strings"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// MountPoint joins an Alluxio path to an under storage URI.
type MountPoint struct {
	ID          int64
	AlluxioPath string
	UfsURI      string
	ReadOnly    bool
	Shared      bool
	Properties  map[string]string
}

type mountTable struct {
	byPath map[string]*MountPoint
	nextID int64
}

func newMountTable() *mountTable {
	return &mountTable{byPath: map[string]*MountPoint{}, nextID: 1}
}

// resolve finds the mount point that holds path: the one with the longest
// Alluxio path that is an ancestor of path (or path itself).
func (t *mountTable) resolve(path string) (*MountPoint, string, bool) {
	var best *MountPoint
	for p, m := range t.byPath {
		if fspath.IsAncestor(p, path) && (best == nil || len(p) > len(best.AlluxioPath)) {
			best = m
		}
	}
	if best == nil {
		return nil, "", false
	}
	rel, _ := fspath.Rel(best.AlluxioPath, path)
	return best, rel, true
}

// paths lists the mounted Alluxio paths in order. Checks that may find
// several offending mount points walk this list, so every replica names the
// same one in its answer (map order differs between processes).
func (t *mountTable) paths() []string {
	out := make([]string, 0, len(t.byPath))
	for p := range t.byPath {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func (t *mountTable) list() []MountPoint {
	out := make([]MountPoint, 0, len(t.byPath))
	for _, m := range t.byPath {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AlluxioPath < out[j].AlluxioPath })
	return out
}

// Resolve returns the mount point that holds path and path's location
// relative to the mount's under storage root ("" for the mount point itself).
func (s *State) Resolve(path string) (MountPoint, string, error) {
	if _, err := fspath.Split(path); err != nil {
		return MountPoint{}, "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, rel, ok := s.mounts.resolve(path)
	if !ok {
		return MountPoint{}, "", errs.New(errs.ErrNotFound, "no mount point holds %s (the root is not mounted yet)", path)
	}
	return *m, rel, nil
}

// MountByID returns the mount point with id.
func (s *State) MountByID(id int64) (MountPoint, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, m := range s.mounts.byPath {
		if m.ID == id {
			return *m, true
		}
	}
	return MountPoint{}, false
}

// MountTable lists the mount points in path order.
func (s *State) MountTable() []MountPoint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.mounts.list()
}

// RootMounted reports whether "/" has its under storage yet.
func (s *State) RootMounted() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.mounts.byPath["/"]
	return ok
}

func (s *State) applyMount(op *journalpb.Mount, timeMs int64) Result {
	path, err := fspath.Clean(op.AlluxioPath)
	if err != nil {
		return Result{Err: err}
	}
	if op.UfsUri == "" {
		return Result{Err: errs.New(errs.ErrInvalidArg, "mount of %s: empty under storage address", path)}
	}
	if _, ok := s.mounts.byPath[path]; ok {
		return Result{Err: errs.New(errs.ErrAlreadyExists, "mount point %s", path)}
	}
	for _, p := range s.mounts.paths() {
		m := s.mounts.byPath[p]
		if ufsOverlaps(m.UfsURI, op.UfsUri) && !(path == "/" || m.AlluxioPath == "/") {
			return Result{Err: errs.New(errs.ErrInvalidArg, "mount of %s: under storage %s overlaps %s mounted at %s", path, op.UfsUri, m.UfsURI, m.AlluxioPath)}
		}
	}
	mp := &MountPoint{ID: s.mounts.nextID, AlluxioPath: path, UfsURI: op.UfsUri, ReadOnly: op.ReadOnly,
		Shared: op.Shared, Properties: op.Properties}
	if path == "/" {
		s.root.MountPoint = true
		s.root.Persistence = journalpb.PersistenceState_PERSISTED
		s.mounts.byPath[path] = mp
		s.mounts.nextID++
		return Result{InodeID: RootID}
	}
	if _, ok := s.mounts.byPath["/"]; !ok {
		return Result{Err: errs.New(errs.ErrPrecondition, "mount of %s before the root is mounted", path)}
	}
	if m, _, _ := s.mounts.resolve(path); m != nil && m.ReadOnly {
		return Result{Err: errs.New(errs.ErrReadOnly, "mount of %s inside read-only mount %s", path, m.AlluxioPath)}
	}
	if _, err := s.lookup(path); err == nil {
		return Result{Err: errs.New(errs.ErrAlreadyExists, "mount point %s: the path exists in Alluxio", path)}
	}
	parent, name, err := s.parentFor(path, false, nil, timeMs)
	if err != nil {
		return Result{Err: err}
	}
	n := s.newInode(parent, name, true, timeMs)
	n.Owner, n.Group, n.Mode = parent.Owner, parent.Group, 0o755
	n.MountPoint = true
	n.Persistence = journalpb.PersistenceState_PERSISTED
	s.mounts.byPath[path] = mp
	s.mounts.nextID++
	return Result{InodeID: n.ID}
}

func (s *State) applyUnmount(op *journalpb.Unmount) Result {
	path, err := fspath.Clean(op.AlluxioPath)
	if err != nil {
		return Result{Err: err}
	}
	if path == "/" {
		return Result{Err: errs.New(errs.ErrInvalidArg, "the root cannot be unmounted")}
	}
	if _, ok := s.mounts.byPath[path]; !ok {
		return Result{Err: errs.New(errs.ErrInvalidArg, "%s is not a mount point", path)}
	}
	for _, p := range s.mounts.paths() {
		if p != path && fspath.IsAncestor(path, p) {
			return Result{Err: errs.New(errs.ErrPrecondition, "unmount of %s: %s is mounted below it", path, p)}
		}
	}
	n, err := s.lookup(path)
	if err != nil {
		return Result{Err: err}
	}
	s.dropMountIntents(s.mounts.byPath[path].ID)
	s.removeSubtree(n)
	delete(s.mounts.byPath, path)
	return Result{InodeID: n.ID}
}

// ufsOverlaps reports whether one under storage location contains the other.
func ufsOverlaps(a, b string) bool {
	a, b = strings.TrimRight(a, "/"), strings.TrimRight(b, "/")
	return a == b || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
}
