package blockstore

import (
	"os"

	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// reserve claims n bytes in a dir of t (in only, when it is not nil), and
// up to slack bytes more if they are free without evicting. When no dir has
// room it evicts t's least recently used blocks from one dir. It returns
// the dir and the bytes claimed, or nil when even eviction cannot make
// room. Called without s.mu; it takes and drops it, and evicting may copy
// blocks to lower tiers.
func (s *Store) reserve(t *tier, only *dir, n, slack int64) (*dir, int64) {
	s.mu.Lock()
	d, got, victims := s.claimLocked(t, only, n, slack)
	s.mu.Unlock()
	for _, v := range victims {
		s.evict(v)
	}
	return d, got
}

// claimLocked is reserve's decision, made under s.mu. The victims are
// marked moving and the dir is charged for n at once, overcommitting it
// until they are gone: this way the space they free goes to this caller
// and not to whoever asks next.
func (s *Store) claimLocked(t *tier, only *dir, n, slack int64) (*dir, int64, []*block) {
	dirs := t.dirs
	if only != nil {
		dirs = []*dir{only}
	}
	best, biggest := dirs[0], dirs[0]
	for _, d := range dirs[1:] {
		if d.free() > best.free() {
			best = d
		}
		if d.quota > biggest.quota {
			biggest = d
		}
	}
	if n == 0 || best.free() >= n {
		got := min(n+slack, max(n, best.free()))
		best.used += got
		return best, got, nil
	}
	if n > biggest.quota {
		return nil, 0, nil
	}
	freed := make(map[*dir]int64)
	picked := make(map[*dir][]*block)
	for e := t.lru.Back(); e != nil; e = e.Prev() {
		b := e.Value.(*block)
		if (only != nil && b.dir != only) || !s.evictableLocked(b) {
			continue
		}
		freed[b.dir] += b.length
		picked[b.dir] = append(picked[b.dir], b)
		if b.dir.free()+freed[b.dir] >= n {
			for _, v := range picked[b.dir] {
				v.moving = true
				s.moves++
			}
			b.dir.used += n
			return b.dir, n, picked[b.dir]
		}
	}
	return nil, 0, nil
}

func (s *Store) evictableLocked(b *block) bool {
	if b.refs > 0 || b.moving || b.removing {
		return false
	}
	_, pinned := s.pinned[blockid.FileID(b.id)]
	return !pinned
}

// evict moves b, marked moving by claimLocked, to the next tier if that
// tier can make room for it, and deletes it otherwise. Either way b's
// space in its dir is freed when evict returns.
func (s *Store) evict(b *block) {
	s.mu.Lock()
	from := b.dir
	s.mu.Unlock()
	if from.tier.level+1 < len(s.tiers) {
		next := s.tiers[from.tier.level+1]
		if dst, _ := s.reserve(next, nil, b.length, 0); dst != nil {
			err := s.relocate(b, dst, false)
			if err == nil {
				s.log.Debug("evicted block to lower tier", "block", b.id, "from", from.tier.alias, "to", next.alias)
				return
			}
			s.log.Warn("cannot move evicted block to lower tier, deleting it", "block", b.id, "from", from.tier.alias, "to", next.alias, "err", err)
		}
	}
	s.mu.Lock()
	s.endMoveLocked(b)
	s.dropLocked(b)
	s.mu.Unlock()
	s.log.Debug("evicted block", "block", b.id, "tier", from.tier.alias)
}

// relocate copies b, marked moving by the caller, into dst where b.length
// bytes are reserved, then switches the index to the copy and removes the
// original. On failure it releases the reservation and leaves b moving for
// the caller to resolve. promote marks b as just used.
func (s *Store) relocate(b *block, dst *dir, promote bool) error {
	// The mover is the only writer of a moving block's fields, so reading
	// them needs the lock only to order with earlier writers.
	s.mu.Lock()
	src, id, length, sum := b.dir, b.id, b.length, b.crc
	s.mu.Unlock()

	final := dst.blockPath(id)
	tmp := final + moveSuffix
	err := copyFile(src.blockPath(id), tmp, !promote)
	if err != nil {
		err = ioErr(err, "copy block %d from tier %s to tier %s", id, src.tier.alias, dst.tier.alias)
	}
	if err == nil {
		err = writeMeta(dst.metaPath(id), length, sum)
	}
	if err == nil {
		if rerr := os.Rename(tmp, final); rerr != nil {
			err = ioErr(rerr, "move block %d into %s", id, dst.root)
		}
	}
	if err == nil {
		err = syncDir(dst.path)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		os.Remove(tmp)
		// Nobody else creates files for an id that is in the index.
		s.removeFiles(dst, id)
		dst.used -= length
		return err
	}
	s.removeFiles(src, id)
	src.used -= length
	src.tier.lru.Remove(b.elem)
	b.dir = dst
	if promote {
		b.access = s.tick()
	}
	dst.tier.insertLRU(b)
	s.noteAdded(b)
	s.endMoveLocked(b)
	return nil
}

func (s *Store) endMoveLocked(b *block) {
	if b.moving {
		b.moving = false
		s.moves--
		s.cond.Broadcast()
	}
}

// Promote moves a block to the top tier, for CACHE_PROMOTE reads, evicting
// there as needed, and marks it used. It does nothing if the block is
// already there. A block open for reading is not moved, since its readers
// hold its path: that is errs.ErrPrecondition, which a read path may
// ignore. errs.ErrNoSpace when the top tier cannot make room.
func (s *Store) Promote(id int64) error {
	s.mu.Lock()
	b, err := s.stableLocked(id)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	if b.dir.tier.level == 0 {
		s.touchLocked(b)
		s.mu.Unlock()
		return nil
	}
	if b.refs > 0 {
		s.mu.Unlock()
		return errs.New(errs.ErrPrecondition, "block %d is open, cannot promote it", id)
	}
	b.moving = true
	s.moves++
	length := b.length
	s.mu.Unlock()

	top := s.tiers[0]
	dst, _ := s.reserve(top, nil, length, 0)
	if dst == nil {
		err = errs.New(errs.ErrNoSpace, "promote block %d (%d bytes): tier %s has no room", id, length, top.alias)
	} else {
		err = s.relocate(b, dst, true)
	}
	if err != nil {
		s.mu.Lock()
		s.endMoveLocked(b)
		s.mu.Unlock()
	}
	return err
}

// EvictAboveWatermark frees space ahead of demand: in every dir of a tier
// with watermarks whose usage is above HighWatermark of its quota, it
// evicts least recently used blocks until usage is at or below
// LowWatermark. It returns how many blocks it evicted. The store runs no
// background goroutine; the worker may call this from its own loop (for
// instance each heartbeat).
func (s *Store) EvictAboveWatermark() int {
	var victims []*block
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0
	}
	for _, t := range s.tiers {
		if t.hi == 0 {
			continue
		}
		excess := make(map[*dir]int64)
		for _, d := range t.dirs {
			if float64(d.used) > t.hi*float64(d.quota) {
				excess[d] = d.used - int64(t.lo*float64(d.quota))
			}
		}
		for e := t.lru.Back(); e != nil && len(excess) > 0; e = e.Prev() {
			b := e.Value.(*block)
			if excess[b.dir] <= 0 || !s.evictableLocked(b) {
				continue
			}
			b.moving = true
			s.moves++
			victims = append(victims, b)
			excess[b.dir] -= b.length
		}
	}
	s.mu.Unlock()
	for _, v := range victims {
		s.evict(v)
	}
	return len(victims)
}
