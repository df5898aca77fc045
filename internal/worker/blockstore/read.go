package blockstore

import (
	"errors"
	"hash/crc32"
	"io"
	"os"
	"sync"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// Handle is an open committed block. While any Handle of a block is open,
// the block stays where it is: it is neither evicted, moved nor deleted.
type Handle struct {
	s      *Store
	b      *block
	f      *os.File
	path   string
	length int64
	tier   string

	mu     sync.Mutex
	closed bool
}

// Path is the block's data file, for a client on this host to read
// directly (short-circuit). It stays valid until the Handle is closed.
func (h *Handle) Path() string { return h.path }

// Length is the block's length in bytes.
func (h *Handle) Length() int64 { return h.length }

// Tier is the alias of the tier holding the block.
func (h *Handle) Tier() string { return h.tier }

// ReadAt implements io.ReaderAt; reading past the end returns io.EOF.
func (h *Handle) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errs.New(errs.ErrInvalidArg, "block %d: negative offset %d", h.b.id, off)
	}
	n, err := h.f.ReadAt(p, off)
	switch {
	case err == nil || err == io.EOF:
		return n, err
	case errors.Is(err, os.ErrClosed):
		return n, errs.New(errs.ErrPrecondition, "block %d: handle is closed", h.b.id)
	}
	return n, ioErr(err, "read block %d", h.b.id)
}

// Close releases the block; closing again does nothing. If the block was
// removed while open, the last Close deletes it.
func (h *Handle) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	err := h.f.Close()
	h.s.mu.Lock()
	h.s.releaseLocked(h.b)
	h.s.mu.Unlock()
	if err != nil {
		return ioErr(err, "close block %d", h.b.id)
	}
	return nil
}

// OpenBlock opens a committed block for reading and marks it used. A block
// being moved between tiers is opened once it has arrived. A block whose
// file is missing or does not have the length its sidecar recorded is
// removed and reported as errs.ErrNotFound or errs.ErrCorrupt.
func (s *Store) OpenBlock(id int64) (*Handle, error) {
	s.mu.Lock()
	b, err := s.stableLocked(id)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	b.refs++
	s.touchLocked(b)
	h := &Handle{s: s, b: b, path: b.dir.blockPath(id), length: b.length, tier: b.dir.tier.alias}
	s.mu.Unlock()

	// The reference taken above pins the file while it is opened unlocked.
	f, err := os.Open(h.path)
	if err == nil {
		var info os.FileInfo
		if info, err = f.Stat(); err == nil && info.Size() != h.length {
			err = errs.New(errs.ErrCorrupt, "block %d: file %s has %d bytes, its metadata says %d; removed", id, h.path, info.Size(), h.length)
		}
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		if !errors.Is(err, errs.ErrCorrupt) {
			err = ioErr(err, "open block %d", id)
		}
		s.mu.Lock()
		s.log.Warn("removing unreadable block", "block", id, "path", h.path, "err", err)
		s.removeLocked(b)
		s.releaseLocked(b)
		s.mu.Unlock()
		return nil, err
	}
	h.f = f
	return h, nil
}

// Verify recomputes the block's CRC-32C and compares it, and the length,
// with the sidecar written at commit. On a mismatch the block is removed
// and the error wraps errs.ErrCorrupt.
func (s *Store) Verify(id int64) error {
	s.mu.Lock()
	b, err := s.stableLocked(id)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	b.refs++
	path, length, want := b.dir.blockPath(id), b.length, b.crc
	s.mu.Unlock()

	err = checksum(path, length, want)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.log.Warn("removing corrupt block", "block", id, "path", path, "err", err)
		s.removeLocked(b)
	}
	s.releaseLocked(b)
	if err != nil {
		return errs.New(errs.ErrCorrupt, "block %d: %s; removed", id, errs.Message(err))
	}
	return nil
}

func checksum(path string, length int64, want uint32) error {
	f, err := os.Open(path)
	if err != nil {
		return ioErr(err, "open %s", path)
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	n, err := io.CopyBuffer(h, f, make([]byte, 1<<20))
	switch {
	case err != nil:
		return ioErr(err, "read %s", path)
	case n != length:
		return errs.New(errs.ErrCorrupt, "file %s has %d bytes, its metadata says %d", path, n, length)
	case h.Sum32() != want:
		return errs.New(errs.ErrCorrupt, "file %s has CRC-32C %08x, its metadata says %08x", path, h.Sum32(), want)
	}
	return nil
}

// Remove deletes a committed block (the free command). It disappears from
// the index at once (Has, OpenBlock, Blocks and TakeChanges see it gone),
// but if Handles are open its files are deleted only when the last one is
// closed, and until then a new block with the same id cannot be created
// (errs.ErrAlreadyExists). A block being written is errs.ErrPrecondition.
func (s *Store) Remove(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.closedErr()
	}
	if _, ok := s.writing[id]; ok {
		return errs.New(errs.ErrPrecondition, "block %d is being written, abort it instead", id)
	}
	b, err := s.stableLocked(id)
	if err != nil {
		return err
	}
	s.removeLocked(b)
	return nil
}

// stableLocked finds a committed block, waiting while it is being moved
// so that the caller sees where it ends up, or that eviction deleted it.
func (s *Store) stableLocked(id int64) (*block, error) {
	for {
		if s.closed {
			return nil, s.closedErr()
		}
		b, ok := s.blocks[id]
		if !ok {
			return nil, errs.New(errs.ErrNotFound, "block %d", id)
		}
		if !b.moving {
			return b, nil
		}
		s.cond.Wait()
	}
}

// removeLocked takes b out of the index, deleting it now if nobody has it
// open and at the last release otherwise.
func (s *Store) removeLocked(b *block) {
	if b.removing {
		return
	}
	if b.refs == 0 {
		s.dropLocked(b)
		return
	}
	b.removing = true
	b.dir.tier.lru.Remove(b.elem)
	b.elem = nil
	delete(s.blocks, b.id)
	s.zombies[b.id] = b
	s.noteRemoved(b.id)
}

func (s *Store) releaseLocked(b *block) {
	b.refs--
	if b.refs == 0 && b.removing {
		s.dropLocked(b)
	}
}

// dropLocked deletes b's files and forgets it.
func (s *Store) dropLocked(b *block) {
	s.removeFiles(b.dir, b.id)
	b.dir.used -= b.length
	if b.elem != nil {
		b.dir.tier.lru.Remove(b.elem)
		b.elem = nil
	}
	if s.blocks[b.id] == b {
		delete(s.blocks, b.id)
		s.noteRemoved(b.id)
	}
	if s.zombies[b.id] == b {
		delete(s.zombies, b.id)
	}
}
