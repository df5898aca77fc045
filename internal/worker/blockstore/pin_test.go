package blockstore

import "testing"

// PinFile adds to the set SetPinnedFiles installed, and the next
// SetPinnedFiles replaces both.
func TestPinFileAddsToThePinnedSet(t *testing.T) {
	s := &Store{pinned: map[int64]struct{}{}}
	s.SetPinnedFiles([]int64{1})
	s.PinFile(2)
	if _, ok := s.pinned[1]; !ok {
		t.Fatal("PinFile dropped the pinned set")
	}
	if _, ok := s.pinned[2]; !ok {
		t.Fatal("PinFile did not pin")
	}
	s.SetPinnedFiles([]int64{3})
	if _, ok := s.pinned[2]; ok {
		t.Fatal("SetPinnedFiles kept a file the new set does not name")
	}
}
