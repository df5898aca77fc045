package blockid

import "testing"

func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		file  int64
		index int
	}{{1, 0}, {1, 1}, {7, MaxBlocks - 1}, {1 << 38, 12345}} {
		id := New(c.file, c.index)
		if FileID(id) != c.file || Index(id) != c.index {
			t.Errorf("New(%d, %d) = %d: file %d index %d", c.file, c.index, id, FileID(id), Index(id))
		}
	}
	// The layout is on the wire (workers name block files by id): these
	// numbers must not change.
	if New(1, 1<<24-1) != 1<<25-1 || IndexBits != 24 {
		t.Errorf("the block id layout changed")
	}
	// The last block of one file and the first of the next are neighbours,
	// never the same id.
	if New(5, MaxBlocks-1)+1 != New(6, 0) {
		t.Errorf("files' block id ranges are not adjacent")
	}
}
