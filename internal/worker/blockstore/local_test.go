package blockstore

import (
	"hash/crc32"
	"os"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// writeExternally writes data into the temporary file the way a local
// client does: its own descriptor, write only, no truncation.
func writeExternally(t *testing.T, path string, chunks ...[]byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chunks {
		if _, err := f.Write(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestLocalWriteCommit(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 64<<20, t.TempDir()))
	const id, n = 7<<24 | 3, 3<<20 + 17
	tb, err := s.CreateBlock(id, 1<<20, "")
	if err != nil {
		t.Fatal(err)
	}
	if tb.Reserved() != 1<<20 {
		t.Fatalf("reserved %d, want %d", tb.Reserved(), 1<<20)
	}
	if info, err := os.Stat(tb.Path()); err != nil || info.Size() != 0 {
		t.Fatalf("temporary file: %v, %v", info, err)
	}
	data := content(id, n)
	// Reserve grows, and never shrinks.
	if err := tb.Reserve(n); err != nil {
		t.Fatal(err)
	}
	if err := tb.Reserve(10); err != nil || tb.Reserved() != n {
		t.Fatalf("Reserve(10): %v, reserved %d, want %d", err, tb.Reserved(), n)
	}
	writeExternally(t, tb.Path(), data[:1<<20], data[1<<20:])
	if s.Has(id) {
		t.Fatal("block visible before commit")
	}
	tmp := tb.Path()
	m, err := tb.CommitWritten(n)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != id || m.Length != n || m.Tier != "MEM" {
		t.Fatalf("meta %+v", m)
	}
	if exists(tmp) {
		t.Fatal("temporary file left behind")
	}
	length, sum, err := readMeta(m.Path + metaSuffix)
	if err != nil || length != n || sum != crc32.Checksum(data, castagnoli) {
		t.Fatalf("sidecar: length %d, crc %08x, %v; want %d, %08x", length, sum, err, n, crc32.Checksum(data, castagnoli))
	}
	if err := s.Verify(id); err != nil {
		t.Fatal(err)
	}
	checkBlock(t, s, id, n)
	// The same after a restart, which reads the sidecar.
	s.Close()
	s2, _ := openStore(t, tierOf("MEM", 64<<20, m.Dir))
	if err := s2.Verify(id); err != nil {
		t.Fatal(err)
	}
	checkBlock(t, s2, id, n)
	checkAccounting(t, s2)

	// Later calls fail; Abort does nothing.
	wantErr(t, tb.Reserve(n+1), errs.ErrPrecondition)
	_, err = tb.CommitWritten(n)
	wantErr(t, err, errs.ErrPrecondition)
	tb.Abort()
	checkBlock(t, s2, id, n)
}

func TestLocalReserveEvicts(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 3*kb, t.TempDir()))
	for id := int64(1); id <= 3; id++ {
		writeBlock(t, s, id, kb, "")
	}
	touch(t, s, 1) // LRU order, oldest first: 2 3 1
	tb, err := s.CreateBlock(9, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.Reserve(kb); err != nil {
		t.Fatal(err)
	}
	wantTiers(t, s, map[int64]string{1: "MEM", 3: "MEM"})
	if err := tb.Reserve(2*kb + 1); err != nil {
		t.Fatal(err)
	}
	if tb.Reserved() != 2*kb+1 {
		t.Fatalf("reserved %d, want %d", tb.Reserved(), 2*kb+1)
	}
	wantTiers(t, s, map[int64]string{})
	// More than the quota: no room, and the reservation is unchanged.
	err = tb.Reserve(3*kb + 1)
	wantErr(t, err, errs.ErrNoSpace)
	if tb.Reserved() != 2*kb+1 {
		t.Fatalf("reserved %d after a failed Reserve, want %d", tb.Reserved(), 2*kb+1)
	}
	// The reservation is the writer's: nobody else gets the room.
	_, err = s.CreateBlock(10, kb, "")
	wantErr(t, err, errs.ErrNoSpace)
	data := content(9, 2*kb+1)
	writeExternally(t, tb.Path(), data)
	if _, err := tb.CommitWritten(int64(len(data))); err != nil {
		t.Fatal(err)
	}
	wantTiers(t, s, map[int64]string{9: "MEM"})
	checkBlock(t, s, 9, 2*kb+1)
	if err := s.Verify(9); err != nil {
		t.Fatal(err)
	}
	checkAccounting(t, s)
}

func TestLocalCommitLengthMismatch(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 64*kb, t.TempDir()))
	for _, c := range []struct {
		name    string
		written int
		claimed int64
	}{
		{"shorter than claimed", kb, kb + 1},
		{"longer than claimed", kb, kb - 1},
		{"nothing written", 0, kb},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb, err := s.CreateBlock(5, kb, "")
			if err != nil {
				t.Fatal(err)
			}
			writeExternally(t, tb.Path(), content(5, c.written))
			_, err = tb.CommitWritten(c.claimed)
			wantErr(t, err, errs.ErrCorrupt)
			if s.Has(5) || exists(tb.Path()) {
				t.Fatalf("a failed commit kept something: has %v, temporary file %v", s.Has(5), exists(tb.Path()))
			}
			// Aborted: the reservation is back and the id is free again.
			checkAccounting(t, s)
			tb.Abort()
			writeBlock(t, s, 5, 10, "")
			if err := s.Remove(5); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLocalCommitPastReservation(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 2*kb, t.TempDir()))
	// A writer that went past its reservation without asking is charged
	// at commit, when there is room...
	tb, err := s.CreateBlock(1, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	writeExternally(t, tb.Path(), content(1, kb))
	if _, err := tb.CommitWritten(kb); err != nil {
		t.Fatal(err)
	}
	checkBlock(t, s, 1, kb)
	checkAccounting(t, s)
	// ... and refused when there is none (1 is pinned).
	s.SetPinnedFiles([]int64{0})
	tb, err = s.CreateBlock(2, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	writeExternally(t, tb.Path(), content(2, kb+1))
	_, err = tb.CommitWritten(kb + 1)
	wantErr(t, err, errs.ErrNoSpace)
	wantTiers(t, s, map[int64]string{1: "MEM"})
	checkAccounting(t, s)
}

func TestLocalAbort(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 64*kb, t.TempDir()))
	tb, err := s.CreateBlock(3, kb, "")
	if err != nil {
		t.Fatal(err)
	}
	writeExternally(t, tb.Path(), content(3, kb))
	if err := tb.Abort(); err != nil {
		t.Fatal(err)
	}
	if exists(tb.Path()) || s.Has(3) {
		t.Fatal("an aborted block left something")
	}
	wantErr(t, tb.Reserve(2*kb), errs.ErrPrecondition)
	checkAccounting(t, s)
	// Close aborts a block still being written locally.
	tb, err = s.CreateBlock(4, kb, "")
	if err != nil {
		t.Fatal(err)
	}
	writeExternally(t, tb.Path(), content(4, 10))
	s.Close()
	if exists(tb.Path()) {
		t.Fatal("Close left a block being written")
	}
	_, err = tb.CommitWritten(10)
	wantErr(t, err, errs.ErrPrecondition)
}
