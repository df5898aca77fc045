package blockstore

import (
	"hash/crc32"
	"io"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// Short-circuit writes: a client on the worker's host writes the block into
// the file at Path itself, asking for room with Reserve as it goes, and the
// worker then commits with CommitWritten. While the client writes, nothing
// else may read or write the block (Write and Commit are for the other
// kind of writer); the store touches the file again only in CommitWritten,
// or to delete it on Abort.

// Path is the temporary file the block is written to, for a writer on this
// host that writes it directly. It is empty and exists until the block is
// committed (when it is renamed) or aborted (when it is deleted).
func (tb *TempBlock) Path() string { return tb.path }

// Reserved is how many bytes the block has reserved.
func (tb *TempBlock) Reserved() int64 {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.reserved
}

// Reserve grows the reservation to at least total bytes, evicting as Write
// does; it never shrinks it. A writer that fills the file at Path must
// reserve before writing past Reserved. When no room can be found it
// returns errs.ErrNoSpace and the reservation is unchanged: the block can
// still be aborted, or reserved again once room is made.
func (tb *TempBlock) Reserve(total int64) error {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.state != "" {
		return errs.New(errs.ErrPrecondition, "reserve for block %d: already %s", tb.id, tb.state)
	}
	if total < 0 {
		return errs.New(errs.ErrInvalidArg, "reserve %d bytes for block %d", total, tb.id)
	}
	return tb.growLocked("reserve for", total, 0)
}

// CommitWritten commits a block whose data was written into the file at
// Path by someone else, who must be done with it. The file must hold
// exactly length bytes (errs.ErrCorrupt otherwise); a file that grew past
// the reservation has its reservation grown to match (errs.ErrNoSpace when
// that fails). The CRC-32C for the sidecar is computed by reading the file
// back, and the block is then made durable and visible as by Commit. If
// CommitWritten fails the block is aborted.
func (tb *TempBlock) CommitWritten(length int64) (BlockMeta, error) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.state != "" {
		return BlockMeta{}, errs.New(errs.ErrPrecondition, "commit block %d: already %s", tb.id, tb.state)
	}
	sum, err := tb.checkWrittenLocked(length)
	if err != nil {
		tb.abortLocked()
		return BlockMeta{}, err
	}
	tb.written = length
	return tb.commitLocked(sum)
}

// checkWrittenLocked checks the file's length, covers it with the
// reservation, and returns its CRC-32C.
func (tb *TempBlock) checkWrittenLocked(length int64) (uint32, error) {
	info, err := tb.f.Stat()
	if err != nil {
		return 0, ioErr(err, "commit block %d", tb.id)
	}
	if info.Size() != length {
		return 0, errs.New(errs.ErrCorrupt, "commit block %d: the file holds %d bytes, the writer says it wrote %d", tb.id, info.Size(), length)
	}
	if err := tb.growLocked("commit", length, 0); err != nil {
		return 0, err
	}
	h := crc32.New(castagnoli)
	n, err := io.CopyBuffer(h, io.NewSectionReader(tb.f, 0, length), make([]byte, 1<<20))
	if err != nil {
		return 0, ioErr(err, "read block %d back", tb.id)
	}
	if n != length {
		return 0, errs.New(errs.ErrCorrupt, "commit block %d: read %d bytes back, the writer says it wrote %d", tb.id, n, length)
	}
	return h.Sum32(), nil
}
