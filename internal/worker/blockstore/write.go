package blockstore

import (
	"hash"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// growSlack is how much more than needed a writer reserves when it is free
// anyway, so that small writes do not each take the store lock.
const growSlack = 4 << 20

// TempBlock is a block being written. It is invisible to readers until
// Commit. Its methods may be called concurrently, but a writer normally
// owns it alone.
type TempBlock struct {
	s  *Store
	id int64

	mu       sync.Mutex
	dir      *dir
	f        *os.File
	path     string
	reserved int64
	written  int64
	crc      hash.Hash32
	state    string // "" while writing, then "committed" or "aborted"
}

// CreateBlock starts writing a block, reserving initialBytes (which may be
// 0; Write grows the reservation) in the dir with the most free space of
// the tier named tierAlias, "" meaning the top tier. When no dir there has
// room it evicts in that tier, and failing that tries the lower tiers.
// Errors: errs.ErrAlreadyExists if the block is committed, being written or
// removed but still open; errs.ErrNoSpace; errs.ErrInvalidArg.
func (s *Store) CreateBlock(blockID, initialBytes int64, tierAlias string) (*TempBlock, error) {
	if blockID < 0 || initialBytes < 0 {
		return nil, errs.New(errs.ErrInvalidArg, "create block %d with %d initial bytes", blockID, initialBytes)
	}
	start := s.tiers[0]
	if tierAlias != "" {
		t, ok := s.alias[tierAlias]
		if !ok {
			return nil, errs.New(errs.ErrInvalidArg, "create block %d: no tier %q", blockID, tierAlias)
		}
		start = t
	}
	tb := &TempBlock{s: s, id: blockID, crc: crc32.New(castagnoli)}
	// Held until set up, so that a concurrent Close aborts a complete block.
	tb.mu.Lock()
	defer tb.mu.Unlock()
	s.mu.Lock()
	if err := s.claimIDLocked(blockID); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.writing[blockID] = tb
	s.mu.Unlock()

	for _, t := range s.tiers[start.level:] {
		if d, got := s.reserve(t, nil, initialBytes, 0); d != nil {
			tb.dir, tb.reserved = d, got
			break
		}
	}
	if tb.dir == nil {
		tb.abortLocked()
		return nil, errs.New(errs.ErrNoSpace, "create block %d: no room for %d bytes in tier %s or below, even after evicting what is not pinned, open or in use",
			blockID, initialBytes, start.alias)
	}
	tb.path = filepath.Join(tb.dir.path, strconv.FormatInt(blockID, 10)+tmpSuffix)
	f, err := os.OpenFile(tb.path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		tb.abortLocked()
		return nil, ioErr(err, "create block %d in %s", blockID, tb.dir.root)
	}
	tb.f = f
	return tb, nil
}

func (s *Store) claimIDLocked(id int64) error {
	switch {
	case s.closed:
		return s.closedErr()
	case s.blocks[id] != nil:
		return errs.New(errs.ErrAlreadyExists, "block %d is already cached", id)
	case s.writing[id] != nil:
		return errs.New(errs.ErrAlreadyExists, "block %d is already being written", id)
	case s.zombies[id] != nil:
		return errs.New(errs.ErrAlreadyExists, "block %d was removed but is still open by %d readers", id, s.zombies[id].refs)
	}
	return nil
}

// ID is the block's id.
func (tb *TempBlock) ID() int64 { return tb.id }

// Write appends p, growing the reservation (and evicting) as needed. When
// no room can be found it returns errs.ErrNoSpace having written nothing;
// the block can still be aborted, or written to again once room is made.
func (tb *TempBlock) Write(p []byte) (int, error) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.state != "" {
		return 0, errs.New(errs.ErrPrecondition, "write to block %d: already %s", tb.id, tb.state)
	}
	if err := tb.growLocked("write", tb.written+int64(len(p)), growSlack); err != nil {
		return 0, err
	}
	// Written and checksummed a piece at a time, each checksummed while
	// the write has just brought it into the CPU's cache: over the whole
	// of a large p at once, the checksum read it from memory again, and
	// cost as much as the write.
	n := 0
	for n < len(p) {
		k, err := tb.f.Write(p[n:min(len(p), n+writePiece)])
		tb.crc.Write(p[n : n+k])
		n += k
		tb.written += int64(k)
		if err != nil {
			return n, ioErr(err, "write block %d", tb.id)
		}
	}
	return n, nil
}

// writePiece is how much of a Write is written and checksummed at a
// time: well within a core's L2 cache.
const writePiece = 128 << 10

// growLocked makes the reservation at least total bytes, taking up to
// slack more if it is free without evicting. The caller holds tb.mu.
func (tb *TempBlock) growLocked(op string, total, slack int64) error {
	need := total - tb.reserved
	if need <= 0 {
		return nil
	}
	d, got := tb.s.reserve(tb.dir.tier, tb.dir, need, slack)
	if d == nil {
		return errs.New(errs.ErrNoSpace, "%s block %d: no room to grow from %d to %d bytes in %s (tier %s, quota %d)",
			op, tb.id, tb.reserved, total, tb.dir.root, tb.dir.tier.alias, tb.dir.quota)
	}
	tb.reserved += got
	return nil
}

// Commit makes the block durable and visible: the data is fsynced, the
// sidecar written, and the data renamed into place, which is the moment the
// block exists (for readers, and for a worker restarting after a crash).
// Unused reservation is given back. If Commit fails the block is aborted.
func (tb *TempBlock) Commit() (BlockMeta, error) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.state != "" {
		return BlockMeta{}, errs.New(errs.ErrPrecondition, "commit block %d: already %s", tb.id, tb.state)
	}
	return tb.commitLocked(tb.crc.Sum32())
}

// commitLocked is Commit once the data (tb.written bytes with CRC-32C sum)
// is in the file. It fsyncs and closes the file, writes the sidecar,
// renames the data into place and indexes the block; on failure it aborts.
func (tb *TempBlock) commitLocked(sum uint32) (BlockMeta, error) {
	d, id := tb.dir, tb.id
	final := d.blockPath(id)
	err := tb.f.Sync()
	if cerr := tb.f.Close(); err == nil {
		err = cerr
	}
	tb.f = nil
	if err != nil {
		err = ioErr(err, "sync block %d", id)
	}
	if err == nil {
		err = writeMeta(d.metaPath(id), tb.written, sum)
	}
	if err == nil {
		if rerr := os.Rename(tb.path, final); rerr != nil {
			err = ioErr(rerr, "commit block %d", id)
		}
	}
	if err == nil {
		err = syncDir(d.path)
	}
	if err != nil {
		// The id is ours until abortLocked releases it, so these paths
		// cannot belong to anyone else.
		os.Remove(final)
		os.Remove(d.metaPath(id))
		tb.abortLocked()
		return BlockMeta{}, err
	}

	s := tb.s
	s.mu.Lock()
	defer s.mu.Unlock()
	tb.state = "committed"
	d.used -= tb.reserved - tb.written
	delete(s.writing, id)
	b := &block{id: id, length: tb.written, crc: sum, dir: d, access: s.tick()}
	b.elem = d.tier.lru.PushFront(b)
	s.blocks[id] = b
	s.noteAdded(b)
	return s.metaLocked(b), nil
}

// Abort drops the block and its reservation. It is safe after a failed
// Write or Commit and does nothing after Commit or a previous Abort.
func (tb *TempBlock) Abort() error {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.state != "" {
		return nil
	}
	return tb.abortLocked()
}

func (tb *TempBlock) abortLocked() error {
	tb.state = "aborted"
	var err error
	if tb.f != nil {
		tb.f.Close()
		tb.f = nil
	}
	if tb.path != "" {
		if rerr := os.Remove(tb.path); rerr != nil && !os.IsNotExist(rerr) {
			err = ioErr(rerr, "abort block %d", tb.id)
		}
	}
	s := tb.s
	s.mu.Lock()
	if tb.dir != nil {
		tb.dir.used -= tb.reserved
	}
	tb.reserved = 0
	if s.writing[tb.id] == tb {
		delete(s.writing, tb.id)
	}
	s.mu.Unlock()
	return err
}

// OpenWritten opens the block's file for reading what was written so far,
// while it is still being written: a reader of a block being cached
// streams it as it lands. The file stays readable after Commit or Abort
// (the caller closes it).
func (tb *TempBlock) OpenWritten() (*os.File, error) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.state != "" {
		return nil, errs.New(errs.ErrPrecondition, "read block %d being written: already %s", tb.id, tb.state)
	}
	f, err := os.Open(tb.path)
	if err != nil {
		return nil, ioErr(err, "open block %d being written", tb.id)
	}
	return f, nil
}
