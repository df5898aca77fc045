// Package blockstore is a worker's tiered block cache on local directories.
//
// Tiers are ordered, level 0 being the fastest (MEM on a tmpfs such as
// /dev/shm, then SSD, HDD); each tier has one or more directories with a
// quota. The store only ever touches the layout subdirectory
// <dir>/alluxioworker/, so pointing a tier at a directory that holds other
// files is harmless.
//
// # Files and crash safety
//
// A committed block is two files named by its decimal id: the data, "<id>",
// and a sidecar, "<id>.meta", holding the length and CRC-32C computed while
// the block was written. Data being written or copied lives in files ending
// in ".tmp" until it is fsynced and renamed into place, so a worker that
// dies mid-write leaves only ".tmp" files behind. Open removes those, and any
// block whose sidecar is missing, unreadable or disagrees with the data
// file's length, logging each, and then serves the remaining blocks again:
// a restarted worker keeps its cache.
//
// # Space and eviction
//
// Writers reserve space up front (CreateBlock) and grow the reservation as
// they write, so concurrent writers can never overfill a directory. When a
// tier has no room, its least recently used blocks are moved to the next
// tier (which may in turn evict there) or, from the last tier, deleted.
// Blocks of pinned files (SetPinnedFiles), blocks open for reading and
// blocks being written or moved are never evicted. Eviction happens on
// demand; EvictAboveWatermark lets the worker also free space ahead of
// time from its own loop, since the store starts no goroutines.
//
// # Concurrency
//
// Every method may be called from any goroutine. One mutex guards the
// index; it is never held while data is copied or fsynced. A block being
// moved between tiers is marked so nobody evicts or removes it, and readers
// that open it meanwhile wait for the move to finish, so a Handle's Path
// always names the file that holds the block until the Handle is closed.
//
// A client on the worker's host may instead write a block's file itself
// (short-circuit write): the worker hands it TempBlock.Path, grows the
// reservation with Reserve when asked, and commits with CommitWritten, which
// checks the file's length and computes its CRC-32C by reading it back.
//
// A typical write and read:
//
//	tb, err := store.CreateBlock(id, 64<<20, "")
//	...
//	_, err = io.Copy(tb, src) // on error: tb.Abort()
//	meta, err := tb.Commit()
//
//	h, err := store.OpenBlock(id)
//	defer h.Close()
//	n, err := h.ReadAt(buf, off)
package blockstore
