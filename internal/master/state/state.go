package state

import (
	"sort"
	"strings"
	"sync"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/security/authz/blockcap"
)

// RootID is the inode id of "/".
const RootID int64 = 0

// Result is what Apply answers for one entry: the inode the operation is
// about (when there is one) or the error that rejected it whole. The journal
// owns the type (it is what Propose returns); this alias keeps the state
// machine's own name for it.
type Result = journal.Result

// Options are the parts of configuration Apply depends on. Every master of
// one cluster must use the same values, or their states drift apart.
type Options struct {
	// RetryCacheSize bounds how many operation outcomes are remembered.
	RetryCacheSize int
	// RootOwner, RootGroup and RootMode describe "/" before anything is
	// applied.
	RootOwner, RootGroup string
	RootMode             uint32
}

// State is the metadata state machine. Apply, Restore and the read methods
// are safe to call from different goroutines: Apply and Restore take a write
// lock, reads take a read lock, so a reader sees the state between entries.
type State struct {
	mu      sync.RWMutex
	opts    Options
	root    *Inode
	byID    map[int64]*Inode
	nextID  int64
	mounts  *mountTable
	retry   *retryCache
	lastSeq uint64
	// dirs counts the directories among byID ("/" included), so the web
	// overview counts files and directories without a walk.
	dirs int
	// ttl holds the ids of inodes with a TTL, so the checker does not walk
	// the whole tree.
	ttl     map[int64]struct{}
	intents *intentTable
	// clusterID is the cluster's name, journaled once by its first primary.
	clusterID string
	// ufsModes are the stores (UfsRoot) Alluxio may not write, or not use.
	ufsModes map[string]journalpb.UfsMode
	// keys are the block keys, oldest first (blockkeys.go).
	keys []blockcap.Key
	// protected is ProtectedFiles' last answer, good while lastSeq and
	// restores are what they were (query.go).
	protected protectedCache
	// restores counts the resets of the state (Restore), which can put it
	// back at a sequence number it had before.
	restores uint64
	// applying describes the entry Apply is working on.
	applying struct {
		intents bool
		timeMs  int64
	}
}

// New returns an empty namespace: "/" alone, with no mounts.
func New(opts Options) *State {
	if opts.RetryCacheSize <= 0 {
		opts.RetryCacheSize = 100000
	}
	if opts.RootMode == 0 {
		opts.RootMode = 0o755
	}
	s := &State{opts: opts}
	s.reset()
	return s
}

func (s *State) reset() {
	s.root = &Inode{ID: RootID, ParentID: -1, IsDir: true, Owner: s.opts.RootOwner, Group: s.opts.RootGroup,
		Mode: s.opts.RootMode, Completed: true, children: map[string]*Inode{}}
	s.byID = map[int64]*Inode{RootID: s.root}
	s.nextID = 1
	s.mounts = newMountTable()
	s.retry = newRetryCache(s.opts.RetryCacheSize)
	s.lastSeq = 0
	s.restores++
	s.dirs = 1
	s.ttl = map[int64]struct{}{}
	s.intents = newIntentTable()
	s.clusterID = ""
	s.ufsModes = map[string]journalpb.UfsMode{}
	s.keys = nil
}

// LastSequence is the sequence number of the last entry applied.
func (s *State) LastSequence() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lastSeq
}

// InodeCount is the number of inodes, "/" included.
func (s *State) InodeCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byID)
}

// Counts returns how many files and directories ("/" included) the
// namespace holds.
func (s *State) Counts() (files, dirs int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byID) - s.dirs, s.dirs
}

// Stat returns a copy of the inode at path.
func (s *State) Stat(path string) (Inode, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, err := s.lookup(path)
	if err != nil {
		return Inode{}, err
	}
	return n.copyOut(), nil
}

// StatID returns a copy of the inode with the given id and its path.
func (s *State) StatID(id int64) (Inode, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, ok := s.byID[id]
	if !ok {
		return Inode{}, "", errs.New(errs.ErrNotFound, "inode %d", id)
	}
	return n.copyOut(), s.pathOf(n), nil
}

// Entry is one item of a listing: an inode copy and its full path.
type Entry struct {
	Path  string
	Inode Inode
}

// List returns the children of the directory at path (all descendants when
// recursive), or the file itself when path is a file. Entries come in name
// order, depth first.
func (s *State) List(path string, recursive bool) ([]Entry, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, err := s.lookup(path)
	if err != nil {
		return nil, err
	}
	if !n.IsDir {
		return []Entry{{Path: s.pathOf(n), Inode: n.copyOut()}}, nil
	}
	var out []Entry
	var walk func(dir *Inode, dirPath string)
	walk = func(dir *Inode, dirPath string) {
		for _, c := range dir.sortedChildren() {
			p := fspath.Join(dirPath, c.Name)
			out = append(out, Entry{Path: p, Inode: c.copyOut()})
			if recursive && c.IsDir {
				walk(c, p)
			}
		}
	}
	walk(n, s.pathOf(n))
	return out, nil
}

// Walk calls fn for path and every inode below it, parents first. fn must
// not call back into the State.
func (s *State) Walk(path string, fn func(path string, n *Inode)) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, err := s.lookup(path)
	if err != nil {
		return err
	}
	var walk func(n *Inode, p string)
	walk = func(n *Inode, p string) {
		fn(p, n)
		for _, c := range n.sortedChildren() {
			walk(c, fspath.Join(p, c.Name))
		}
	}
	walk(n, s.pathOf(n))
	return nil
}

// RetryOutcome returns the remembered result of an operation id.
func (s *State) RetryOutcome(opID string) (Result, bool) {
	if opID == "" {
		return Result{}, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.retry.get(opID)
}

// Expired lists files and directories whose TTL has passed at nowMs, in
// path order (parents before their children), the same on every call.
func (s *State) Expired(nowMs int64) []Entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Entry
	for id := range s.ttl {
		n := s.byID[id]
		if n != nil && n.TTLMs > 0 && n.CreationMs+n.TTLMs <= nowMs {
			out = append(out, Entry{Path: s.pathOf(n), Inode: n.copyOut()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// HasNoChildren reports whether n is a directory without entries. It may be
// called only where n is the state's own (Walk's callback).
func (n *Inode) HasNoChildren() bool { return n.IsDir && len(n.children) == 0 }

// lookup resolves a path; the caller holds the lock.
func (s *State) lookup(path string) (*Inode, error) {
	parts, err := fspath.Split(path)
	if err != nil {
		return nil, err
	}
	n := s.root
	for i, name := range parts {
		if !n.IsDir {
			return nil, errs.New(errs.ErrNotFound, "path %s (%s is a file)", path, "/"+strings.Join(parts[:i], "/"))
		}
		c, ok := n.children[name]
		if !ok {
			return nil, errs.New(errs.ErrNotFound, "path %s", path)
		}
		n = c
	}
	return n, nil
}

func (s *State) pathOf(n *Inode) string {
	if n == s.root {
		return "/"
	}
	var names []string
	for ; n != nil && n != s.root; n = n.parent {
		names = append(names, n.Name)
	}
	var b strings.Builder
	for i := len(names) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(names[i])
	}
	return b.String()
}
