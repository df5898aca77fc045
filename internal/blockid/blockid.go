// Package blockid is the layout of a block id, which the master, the
// workers and the client all compute: the high bits are the inode id of the
// block's file and the low IndexBits number the block within it. Block ids
// therefore need no journaled counter, and a worker can tell which file a
// block belongs to (to keep an unpersisted file's blocks from eviction).
package blockid

// IndexBits is how many low bits of a block id number the blocks of one
// file.
const IndexBits = 24

// MaxBlocks is how many blocks one file can have: a longer file's last
// blocks would take the ids of the next file's first ones.
const MaxBlocks = 1 << IndexBits

// New is the id of the index-th block of file fileID; index must be in
// [0, MaxBlocks).
func New(fileID int64, index int) int64 { return fileID<<IndexBits | int64(index) }

// FileID is the inode id of the file block id belongs to.
func FileID(id int64) int64 { return id >> IndexBits }

// Index is the position of block id within its file.
func Index(id int64) int { return int(id & (MaxBlocks - 1)) }
