package blockstore

import (
	"cmp"
	"container/list"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/lockfile"
)

// BlockMeta describes a committed block.
type BlockMeta struct {
	ID, Length int64
	Tier       string // alias of the tier holding it
	Dir        string // the configured directory (DirConfig.Path)
	Path       string // the block's data file
}

// TierUsage is the capacity of one tier, for registration and heartbeats.
type TierUsage struct {
	Alias    string
	Capacity int64 // sum of the dir quotas
	// Used counts committed blocks and the reservations of blocks being
	// written or moved in, since that space is no longer available.
	Used int64
}

// Store is a tiered block cache. Open one per worker; it is safe for
// concurrent use.
type Store struct {
	log   *slog.Logger
	tiers []*tier // fastest first; fixed after Open
	alias map[string]*tier

	mu   sync.Mutex
	cond *sync.Cond // on mu; broadcast when a block stops moving

	blocks  map[int64]*block     // committed and visible
	writing map[int64]*TempBlock // being written
	zombies map[int64]*block     // removed while open; deleted at last Close
	pinned  map[int64]struct{}   // file ids
	added   map[int64]BlockMeta  // since the last TakeChanges
	removed map[int64]struct{}   // since the last TakeChanges
	clock   uint64               // logical time of the last access
	moves   int                  // blocks marked moving; Close waits for 0
	closed  bool
	// locks claim every storage directory for this store until Close.
	locks []*lockfile.Lock
}

type tier struct {
	alias string
	level int
	dirs  []*dir
	// lru orders the tier's committed blocks by access, most recent at the
	// front; blocks that are open or moving stay in it and are skipped.
	lru    list.List
	hi, lo float64
}

type dir struct {
	tier   *tier
	root   string // as configured
	path   string // root/alluxioworker
	medium string
	quota  int64
	// used counts committed blocks, writers' reservations, incoming moves
	// and removed blocks still open. It exceeds quota for a moment while
	// an eviction has promised the space of blocks not yet gone.
	used int64
}

func (d *dir) free() int64 { return d.quota - d.used }

type block struct {
	id, length int64
	crc        uint32
	dir        *dir
	elem       *list.Element // in dir.tier.lru; nil for zombies
	access     uint64
	refs       int  // open Handles and running Verifies
	moving     bool // being moved or evicted: untouchable, openers wait
	removing   bool // zombie: removed while open
}

// Open validates opts, creates the storage directories, reloads the blocks
// a previous run left there (removing, and logging, anything incomplete or
// inconsistent) and checks every quota against the free disk space.
func Open(opts Options) (_ *Store, err error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{
		log:     log,
		alias:   make(map[string]*tier),
		blocks:  make(map[int64]*block),
		writing: make(map[int64]*TempBlock),
		zombies: make(map[int64]*block),
		pinned:  make(map[int64]struct{}),
		added:   make(map[int64]BlockMeta),
		removed: make(map[int64]struct{}),
	}
	s.cond = sync.NewCond(&s.mu)
	defer func() {
		if err != nil {
			lockfile.ReleaseAll(s.locks)
		}
	}()
	owner := opts.Owner
	if owner == "" {
		owner = "worker"
	}
	for level, tc := range opts.Tiers {
		t := &tier{alias: tc.Alias, level: level, hi: tc.HighWatermark, lo: tc.LowWatermark}
		for _, dc := range tc.Dirs {
			d, lock, err := prepareDir(t, dc, owner)
			if err != nil {
				return nil, err
			}
			s.locks = append(s.locks, lock)
			t.dirs = append(t.dirs, d)
		}
		s.tiers = append(s.tiers, t)
		s.alias[t.alias] = t
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	for _, t := range s.tiers {
		for _, d := range t.dirs {
			free, known, err := diskFree(d.path)
			if err != nil {
				return nil, ioErr(err, "tier %s: statfs of storage directory %s", t.alias, d.root)
			}
			if known && d.quota > free+d.used {
				return nil, errs.New(errs.ErrNoSpace, "tier %s: storage directory %s is too small: quota %d, free %d (plus %d used by cached blocks)",
					t.alias, d.root, d.quota, free, d.used)
			}
		}
		u := s.usageLocked(t)
		s.log.Info("storage tier ready", "tier", t.alias, "level", t.level, "dirs", len(t.dirs),
			"capacity", u.Capacity, "used", u.Used, "blocks", t.lru.Len(), "high_watermark", t.hi, "low_watermark", t.lo)
	}
	return s, nil
}

// prepareDir creates the layout directory, claims it for this store (two
// workers on one directory would each drop the other's blocks as
// unknown), and proves it writable now, rather than at the first block.
func prepareDir(t *tier, dc DirConfig, owner string) (*dir, *lockfile.Lock, error) {
	d := &dir{tier: t, root: dc.Path, path: filepath.Join(dc.Path, LayoutDirName), medium: dc.MediumType, quota: dc.Quota}
	if d.medium == "" {
		d.medium = t.alias
	}
	if err := os.MkdirAll(d.path, 0o755); err != nil {
		return nil, nil, errs.New(errs.ErrInvalidArg, "tier %s: cannot create storage directory %s: %v", t.alias, dc.Path, err)
	}
	lock, err := lockfile.Acquire(filepath.Join(d.path, lockfile.Name), owner)
	if errors.Is(err, lockfile.ErrHeld) {
		return nil, nil, errs.New(errs.ErrPrecondition, "tier %s: storage directory %s belongs to another worker: %v", t.alias, dc.Path, err)
	}
	if err != nil {
		return nil, nil, errs.New(errs.ErrInvalidArg, "tier %s: storage directory %s: %v", t.alias, dc.Path, err)
	}
	f, err := os.CreateTemp(d.path, "probe-*"+tmpSuffix)
	if err != nil {
		lock.Release()
		return nil, nil, errs.New(errs.ErrInvalidArg, "tier %s: storage directory %s is not writable: %v", t.alias, dc.Path, err)
	}
	f.Close()
	os.Remove(f.Name())
	return d, lock, nil
}

// Has reports whether the block is committed here.
func (s *Store) Has(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.blocks[id]
	return ok
}

// Meta describes a committed block.
func (s *Store) Meta(id int64) (BlockMeta, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blocks[id]
	if !ok {
		return BlockMeta{}, false
	}
	return s.metaLocked(b), true
}

// Blocks lists every committed block by id, for registration with the
// master.
func (s *Store) Blocks() []BlockMeta {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]BlockMeta, 0, len(s.blocks))
	for _, b := range s.blocks {
		out = append(out, s.metaLocked(b))
	}
	slices.SortFunc(out, func(a, b BlockMeta) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Capacity reports each tier, fastest first.
func (s *Store) Capacity() []TierUsage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TierUsage, len(s.tiers))
	for i, t := range s.tiers {
		out[i] = s.usageLocked(t)
	}
	return out
}

func (s *Store) usageLocked(t *tier) TierUsage {
	u := TierUsage{Alias: t.alias}
	for _, d := range t.dirs {
		u.Capacity += d.quota
		// An eviction in flight may overcommit a dir for a moment; the
		// master should never see more used than capacity.
		u.Used += min(d.used, d.quota)
	}
	return u
}

// TakeChanges returns the blocks added and removed since the previous call
// (or since Open, whose blocks Blocks reports), for heartbeats. A block
// moved to another tier counts as added with its new tier. A block is in
// at most one of the lists, as of its latest change.
func (s *Store) TakeChanges() (added []BlockMeta, removed []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.added {
		added = append(added, m)
	}
	for id := range s.removed {
		removed = append(removed, id)
	}
	clear(s.added)
	clear(s.removed)
	slices.SortFunc(added, func(a, b BlockMeta) int { return cmp.Compare(a.ID, b.ID) })
	slices.Sort(removed)
	return added, removed
}

// SetPinnedFiles replaces the set of pinned files (inode ids) whose blocks
// are never evicted. A block already chosen for eviction when the call
// arrives is still evicted.
func (s *Store) SetPinnedFiles(fileIDs []int64) {
	pinned := make(map[int64]struct{}, len(fileIDs))
	for _, id := range fileIDs {
		pinned[id] = struct{}{}
	}
	s.mu.Lock()
	s.pinned = pinned
	s.mu.Unlock()
}

// PinFile adds one file to the pinned set, without rebuilding it: the
// worker calls it for every file it receives blocks of.
func (s *Store) PinFile(fileID int64) {
	s.mu.Lock()
	s.pinned[fileID] = struct{}{}
	s.mu.Unlock()
}

// Close aborts the blocks being written, waits for moves between tiers to
// finish and makes further calls fail with errs.ErrUnavailable. Open
// Handles stay readable until closed. Calling Close again does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	temps := make([]*TempBlock, 0, len(s.writing))
	for _, tb := range s.writing {
		temps = append(temps, tb)
	}
	s.mu.Unlock()
	for _, tb := range temps {
		tb.Abort()
	}
	s.mu.Lock()
	for s.moves > 0 {
		s.cond.Wait()
	}
	s.mu.Unlock()
	lockfile.ReleaseAll(s.locks)
	s.log.Info("block store closed")
	return nil
}

func (s *Store) closedErr() error {
	return errs.New(errs.ErrUnavailable, "block store is closed")
}

func (s *Store) metaLocked(b *block) BlockMeta {
	return BlockMeta{ID: b.id, Length: b.length, Tier: b.dir.tier.alias, Dir: b.dir.root, Path: b.dir.blockPath(b.id)}
}

func (s *Store) noteAdded(b *block) {
	delete(s.removed, b.id)
	s.added[b.id] = s.metaLocked(b)
}

func (s *Store) noteRemoved(id int64) {
	delete(s.added, id)
	s.removed[id] = struct{}{}
}

func (s *Store) tick() uint64 {
	s.clock++
	return s.clock
}

func (s *Store) touchLocked(b *block) {
	b.access = s.tick()
	b.dir.tier.lru.MoveToFront(b.elem)
}

// insertLRU puts b into its tier's list by its access time, so a block
// moved down keeps its age instead of looking freshly used there.
func (t *tier) insertLRU(b *block) {
	for e := t.lru.Back(); e != nil; e = e.Prev() {
		if e.Value.(*block).access > b.access {
			b.elem = t.lru.InsertAfter(b, e)
			return
		}
	}
	b.elem = t.lru.PushFront(b)
}

// removeFiles deletes a block's files. Callers hold s.mu so that no block
// with the same id can be created in between and lose its file.
func (s *Store) removeFiles(d *dir, id int64) {
	for _, p := range []string{d.blockPath(id), d.metaPath(id)} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			s.log.Error("cannot remove block file", "block", id, "path", p, "err", err)
		}
	}
}
