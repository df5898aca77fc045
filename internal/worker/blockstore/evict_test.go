package blockstore

import (
	"maps"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
)

const kb = 1000

// touch opens and closes a block, which marks it recently used.
func touch(t *testing.T, s *Store, id int64) {
	t.Helper()
	h, err := s.OpenBlock(id)
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
}

func wantTiers(t *testing.T, s *Store, want map[int64]string) {
	t.Helper()
	if got := tiersOf(s); !maps.Equal(got, want) {
		t.Fatalf("blocks %v, want %v", got, want)
	}
}

func TestEvictionMovesDownThenDeletes(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 3*kb, t.TempDir()), tierOf("HDD", 2*kb, t.TempDir()))
	for id := int64(1); id <= 3; id++ {
		writeBlock(t, s, id, kb, "")
	}
	s.TakeChanges()
	touch(t, s, 1) // LRU order, oldest first: 2 3 1

	steps := []struct {
		write int64
		want  map[int64]string
	}{
		{4, map[int64]string{1: "MEM", 2: "HDD", 3: "MEM", 4: "MEM"}},
		{5, map[int64]string{1: "MEM", 2: "HDD", 3: "HDD", 4: "MEM", 5: "MEM"}},
		// 1 is now the coldest in MEM; HDD is full, so its coldest (2,
		// which kept its age when it moved down) is deleted to make room.
		{6, map[int64]string{1: "HDD", 3: "HDD", 4: "MEM", 5: "MEM", 6: "MEM"}},
	}
	for _, st := range steps {
		writeBlock(t, s, st.write, kb, "")
		wantTiers(t, s, st.want)
	}
	added, removed := s.TakeChanges()
	gotAdded := make(map[int64]string)
	for _, m := range added {
		gotAdded[m.ID] = m.Tier
	}
	if want := map[int64]string{1: "HDD", 3: "HDD", 4: "MEM", 5: "MEM", 6: "MEM"}; !maps.Equal(gotAdded, want) {
		t.Fatalf("added %v, want %v", gotAdded, want)
	}
	if len(removed) != 1 || removed[0] != 2 {
		t.Fatalf("removed %v, want [2]", removed)
	}
	for _, id := range []int64{1, 3, 4, 5, 6} {
		checkBlock(t, s, id, kb)
		if err := s.Verify(id); err != nil {
			t.Fatal(err)
		}
	}
	checkAccounting(t, s)
}

func TestPinnedAndOpenNeverEvicted(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 3*kb, t.TempDir()), tierOf("HDD", kb, t.TempDir()))
	// One block per file, so each block can be pinned alone.
	a, b, c, d, e, f := int64(1<<24), int64(2<<24), int64(3<<24), int64(4<<24), int64(5<<24), int64(6<<24)
	for _, id := range []int64{a, b, c} {
		writeBlock(t, s, id, kb, "")
	}
	s.SetPinnedFiles([]int64{1})
	h, err := s.OpenBlock(b)
	if err != nil {
		t.Fatal(err)
	}
	writeBlock(t, s, d, kb, "")
	wantTiers(t, s, map[int64]string{a: "MEM", b: "MEM", c: "HDD", d: "MEM"})
	writeBlock(t, s, e, kb, "")
	wantTiers(t, s, map[int64]string{a: "MEM", b: "MEM", d: "HDD", e: "MEM"})

	h.Close()
	s.SetPinnedFiles([]int64{1, 2, 4, 5})
	_, err = s.CreateBlock(f, kb, "")
	wantErr(t, err, errs.ErrNoSpace)
	if msg := err.Error(); !strings.Contains(msg, "100663296") || !strings.Contains(msg, "1000") {
		t.Errorf("error %q does not name the block and its size", msg)
	}
	// A writer that needs to grow fails the same way, and can abort.
	tb, err := s.CreateBlock(f, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tb.Write(make([]byte, kb))
	wantErr(t, err, errs.ErrNoSpace)
	tb.Abort()
	wantTiers(t, s, map[int64]string{a: "MEM", b: "MEM", d: "HDD", e: "MEM"})

	// Unpinning d lets the last tier make room for f.
	s.SetPinnedFiles([]int64{1, 2, 5})
	writeBlock(t, s, f, kb, "")
	wantTiers(t, s, map[int64]string{a: "MEM", b: "MEM", e: "MEM", f: "HDD"})
	checkAccounting(t, s)
}

func TestWriteGrowthEvicts(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 3*kb, t.TempDir()))
	for id := int64(1); id <= 3; id++ {
		writeBlock(t, s, id, kb, "")
	}
	touch(t, s, 1)
	tb, err := s.CreateBlock(9, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	data := content(9, 2*kb+1)
	for off := 0; off < len(data); off += 100 {
		if _, err := tb.Write(data[off:min(off+100, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing is left to evict for another writer: 9 is being written.
	_, err = s.CreateBlock(10, kb, "")
	wantErr(t, err, errs.ErrNoSpace)
	if _, err := tb.Commit(); err != nil {
		t.Fatal(err)
	}
	wantTiers(t, s, map[int64]string{9: "MEM"})
	checkBlock(t, s, 9, 2*kb+1)
	checkAccounting(t, s)
}

func TestAllocatorPicksMostFreeDir(t *testing.T) {
	small, big := t.TempDir(), t.TempDir()
	s, _ := openStore(t, TierConfig{Alias: "SSD", Dirs: []DirConfig{{Path: small, Quota: 2 * kb}, {Path: big, Quota: 5 * kb}}})
	dirs := make(map[string]int)
	for id := int64(1); id <= 7; id++ {
		dirs[writeBlock(t, s, id, kb, "").Dir]++
	}
	if dirs[big] != 5 || dirs[small] != 2 {
		t.Fatalf("blocks per dir %v", dirs)
	}
	// Full: the next block evicts the coldest block, 1, from big.
	m := writeBlock(t, s, 8, kb, "")
	if m.Dir != big || s.Has(1) {
		t.Fatalf("block 8 in %s, block 1 kept %v", m.Dir, s.Has(1))
	}
	checkAccounting(t, s)
}

func TestPromote(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 2*kb, t.TempDir()), tierOf("HDD", 3*kb, t.TempDir()))
	x1, x2, y1, y2 := int64(1<<24), int64(2<<24), int64(3<<24), int64(4<<24)
	writeBlock(t, s, x1, kb, "HDD")
	writeBlock(t, s, x2, kb, "HDD")
	writeBlock(t, s, y1, kb, "MEM")
	writeBlock(t, s, y2, kb, "MEM")
	s.TakeChanges()

	if err := s.Promote(x1); err != nil {
		t.Fatal(err)
	}
	wantTiers(t, s, map[int64]string{x1: "MEM", x2: "HDD", y1: "HDD", y2: "MEM"})
	if err := s.Promote(x1); err != nil {
		t.Fatalf("promote of a top-tier block: %v", err)
	}
	checkBlock(t, s, x1, kb)
	if added, _ := s.TakeChanges(); len(added) != 2 {
		t.Fatalf("added %v, want x1 and y1 with their new tiers", added)
	}

	h, err := s.OpenBlock(x2)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.Promote(x2), errs.ErrPrecondition)
	h.Close()

	s.SetPinnedFiles([]int64{1, 4})
	wantErr(t, s.Promote(x2), errs.ErrNoSpace)
	wantTiers(t, s, map[int64]string{x1: "MEM", x2: "HDD", y1: "HDD", y2: "MEM"})
	checkBlock(t, s, x2, kb)
	checkAccounting(t, s)
}

func TestEvictAboveWatermark(t *testing.T) {
	s, _ := openStore(t,
		TierConfig{Alias: "MEM", Dirs: []DirConfig{{Path: t.TempDir(), Quota: 10 * kb}}, HighWatermark: 0.5, LowWatermark: 0.3},
		tierOf("HDD", 10*kb, t.TempDir()))
	for id := int64(1); id <= 5; id++ {
		writeBlock(t, s, id, kb, "")
	}
	if n := s.EvictAboveWatermark(); n != 0 {
		t.Fatalf("evicted %d at the high watermark", n)
	}
	writeBlock(t, s, 6, kb, "")
	touch(t, s, 1)
	if n := s.EvictAboveWatermark(); n != 3 {
		t.Fatalf("evicted %d, want 3", n)
	}
	wantTiers(t, s, map[int64]string{1: "MEM", 2: "HDD", 3: "HDD", 4: "HDD", 5: "MEM", 6: "MEM"})
	checkAccounting(t, s)
}
