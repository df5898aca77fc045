package blockstore

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/lockfile"
)

func TestWriteCommitRead(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 64<<20, t.TempDir()), tierOf("HDD", 64<<20, t.TempDir()))
	cases := []struct {
		name    string
		id      int64
		size    int
		initial int64
		chunk   int
		tier    string
	}{
		{"empty", 1 << 24, 0, 0, 1, ""},
		{"one byte", 2 << 24, 1, 1, 1, "MEM"},
		{"grows from zero", 3<<24 | 1, 3<<20 + 17, 0, 4096, ""},
		{"reserved up front", 3<<24 | 2, 1 << 20, 1 << 20, 1 << 16, ""},
		{"lower tier", 4 << 24, 100_000, 10, 999, "HDD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb, err := s.CreateBlock(c.id, c.initial, c.tier)
			if err != nil {
				t.Fatal(err)
			}
			data := content(c.id, c.size)
			for off := 0; off < len(data); off += c.chunk {
				if _, err := tb.Write(data[off:min(off+c.chunk, len(data))]); err != nil {
					t.Fatal(err)
				}
			}
			if s.Has(c.id) {
				t.Fatal("block visible before commit")
			}
			_, err = s.OpenBlock(c.id)
			wantErr(t, err, errs.ErrNotFound)
			m, err := tb.Commit()
			if err != nil {
				t.Fatal(err)
			}
			tier := c.tier
			if tier == "" {
				tier = "MEM"
			}
			if m.ID != c.id || m.Length != int64(c.size) || m.Tier != tier ||
				m.Path != filepath.Join(m.Dir, LayoutDirName, strconv.FormatInt(c.id, 10)) {
				t.Fatalf("meta %+v", m)
			}
			if got, ok := s.Meta(c.id); !ok || got != m {
				t.Fatalf("Meta = %+v, %v; want %+v", got, ok, m)
			}
			h, err := s.OpenBlock(c.id)
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			if h.Length() != int64(c.size) || h.Tier() != tier || h.Path() != m.Path {
				t.Fatalf("handle %d %s %s, meta %+v", h.Length(), h.Tier(), h.Path(), m)
			}
			onDisk, err := os.ReadFile(h.Path())
			if err != nil || !bytes.Equal(onDisk, data) {
				t.Fatalf("short-circuit read: %v, equal %v", err, bytes.Equal(onDisk, data))
			}
			got, err := io.ReadAll(io.NewSectionReader(h, 0, h.Length()))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("ReadAt: %v, equal %v", err, bytes.Equal(got, data))
			}
			if err := s.Verify(c.id); err != nil {
				t.Fatal(err)
			}
			if err := tb.Abort(); err != nil || !s.Has(c.id) {
				t.Fatalf("Abort after Commit: %v, has %v", err, s.Has(c.id))
			}
			_, err = tb.Commit()
			wantErr(t, err, errs.ErrPrecondition)
		})
	}
	added, removed := s.TakeChanges()
	if len(added) != len(cases) || len(removed) != 0 {
		t.Fatalf("TakeChanges = %v, %v", added, removed)
	}
	if added, removed := s.TakeChanges(); len(added)+len(removed) != 0 {
		t.Fatalf("second TakeChanges = %v, %v", added, removed)
	}
	checkAccounting(t, s)
}

func TestCreateErrors(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 1<<20, t.TempDir()))
	writeBlock(t, s, 1, 10, "")
	open, err := s.CreateBlock(2, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	defer open.Abort()
	cases := []struct {
		name    string
		id      int64
		initial int64
		tier    string
		want    error
	}{
		{"committed", 1, 0, "", errs.ErrAlreadyExists},
		{"being written", 2, 0, "", errs.ErrAlreadyExists},
		{"unknown tier", 3, 0, "SSD", errs.ErrInvalidArg},
		{"negative size", 3, -1, "", errs.ErrInvalidArg},
		{"negative id", -3, 0, "", errs.ErrInvalidArg},
		{"bigger than the tier", 3, 2 << 20, "", errs.ErrNoSpace},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.CreateBlock(c.id, c.initial, c.tier)
			wantErr(t, err, c.want)
			if !strings.Contains(err.Error(), "block") {
				t.Errorf("error %q does not name the block", err)
			}
		})
	}
	wantErr(t, s.Remove(2), errs.ErrPrecondition)
	wantErr(t, s.Remove(99), errs.ErrNotFound)
	wantErr(t, s.Verify(99), errs.ErrNotFound)
	wantErr(t, s.Promote(99), errs.ErrNotFound)
}

func TestAbort(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, tierOf("MEM", 1<<20, dir))
	tb, err := s.CreateBlock(7, 1000, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Write(make([]byte, 5000)); err != nil {
		t.Fatal(err)
	}
	// A failed Write (too big for the quota) leaves the block abortable.
	_, err = tb.Write(make([]byte, 2<<20))
	wantErr(t, err, errs.ErrNoSpace)
	if u := s.Capacity()[0].Used; u == 0 {
		t.Fatal("reservation not counted while writing")
	}
	if err := tb.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := tb.Abort(); err != nil {
		t.Fatal(err)
	}
	_, err = tb.Write([]byte("x"))
	wantErr(t, err, errs.ErrPrecondition)
	_, err = tb.Commit()
	wantErr(t, err, errs.ErrPrecondition)
	if u := s.Capacity()[0]; u.Used != 0 || u.Capacity != 1<<20 || u.Alias != "MEM" {
		t.Fatalf("Capacity after abort = %+v", u)
	}
	if s.Has(7) {
		t.Fatal("aborted block visible")
	}
	checkAccounting(t, s)
	// The id is free again.
	writeBlock(t, s, 7, 10, "")
}

func TestRestartFindsBlocks(t *testing.T) {
	mem, ssd1, ssd2 := t.TempDir(), t.TempDir(), t.TempDir()
	tiers := []TierConfig{tierOf("MEM", 1<<20, mem), tierOf("SSD", 1<<20, ssd1, ssd2)}
	s, _ := openStore(t, tiers...)
	want := map[int64]string{1: "MEM", 2: "SSD", 3: "SSD", 4: "MEM"}
	for id, tier := range want {
		writeBlock(t, s, id, int(id)*1000, tier)
	}
	before := s.Blocks()
	// Leave a write in progress, as a crash would; the crashed process's
	// directory locks go with it.
	if _, err := s.CreateBlock(5, 10, ""); err != nil {
		t.Fatal(err)
	}
	lockfile.ReleaseAll(s.locks)
	s2, _ := openStore(t, tiers...)
	if got := tiersOf(s2); len(got) != len(want) {
		t.Fatalf("after restart %v, want %v", got, want)
	}
	for i, m := range s2.Blocks() {
		if m != before[i] {
			t.Fatalf("after restart %+v, want %+v", m, before[i])
		}
		checkBlock(t, s2, m.ID, int(m.ID)*1000)
		if err := s2.Verify(m.ID); err != nil {
			t.Fatal(err)
		}
	}
	if u := s2.Capacity(); u[0].Used != 5000 || u[1].Used != 5000 || u[1].Capacity != 2<<20 {
		t.Fatalf("Capacity after restart = %+v", u)
	}
	if exists(filepath.Join(mem, LayoutDirName, "5.tmp")) {
		t.Fatal("temp file of the interrupted write survived Open")
	}
}

func TestOpenRemovesDebris(t *testing.T) {
	root := t.TempDir()
	tiers := []TierConfig{tierOf("MEM", 1<<20, root)}
	s, _ := openStore(t, tiers...)
	for id := int64(1); id <= 5; id++ {
		writeBlock(t, s, id, 100, "")
	}
	s.Close()
	lay := filepath.Join(root, LayoutDirName)
	p := func(name string) string { return filepath.Join(lay, name) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(p("9.tmp"), []byte("half a block"), 0o644))
	must(os.WriteFile(p("9.meta.tmp"), []byte("x"), 0o644))
	must(os.WriteFile(p("10"), []byte("no sidecar"), 0o644))
	must(os.WriteFile(p("11.meta"), encodeMeta(3, 0), 0o644))
	must(os.Truncate(p("2"), 50))                             // length mismatch
	must(os.WriteFile(p("3.meta"), []byte("garbage"), 0o644)) // bad sidecar
	must(os.WriteFile(p("notes.txt"), []byte("not ours"), 0o644))
	must(os.WriteFile(filepath.Join(root, "foreign"), []byte("not ours"), 0o644))

	s2, log := openStore(t, tiers...)
	if got := tiersOf(s2); len(got) != 3 || got[1] == "" || got[4] == "" || got[5] == "" {
		t.Fatalf("blocks after Open: %v", got)
	}
	for _, gone := range []string{"9.tmp", "9.meta.tmp", "10", "11.meta", "2", "2.meta", "3", "3.meta"} {
		if exists(p(gone)) {
			t.Errorf("%s survived Open", gone)
		}
	}
	for _, kept := range []string{p("notes.txt"), filepath.Join(root, "foreign")} {
		if !exists(kept) {
			t.Errorf("foreign file %s was removed", kept)
		}
	}
	for _, line := range []string{"leftover temporary file", "without valid metadata", "length does not match", "metadata without block", "unknown file"} {
		if !strings.Contains(log.String(), line) {
			t.Errorf("log lacks %q", line)
		}
	}
	if u := s2.Capacity()[0].Used; u != 300 {
		t.Fatalf("used %d after Open, want 300", u)
	}
}

func TestCorruptBlocksRemoved(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 1<<20, t.TempDir()))
	truncated := writeBlock(t, s, 1, 4096, "")
	flipped := writeBlock(t, s, 2, 4096, "")
	if err := os.Truncate(truncated.Path, 100); err != nil {
		t.Fatal(err)
	}
	_, err := s.OpenBlock(1)
	wantErr(t, err, errs.ErrCorrupt)

	data, _ := os.ReadFile(flipped.Path)
	data[1234] ^= 0x40
	if err := os.WriteFile(flipped.Path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.Verify(2), errs.ErrCorrupt)

	for _, m := range []BlockMeta{truncated, flipped} {
		if s.Has(m.ID) || exists(m.Path) || exists(m.Path+metaSuffix) {
			t.Fatalf("corrupt block %d still there", m.ID)
		}
	}
	if _, removed := s.TakeChanges(); len(removed) != 2 {
		t.Fatalf("removed %v, want both blocks", removed)
	}
	checkAccounting(t, s)
}

func TestRemoveOpenBlock(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 1<<20, t.TempDir()))
	m := writeBlock(t, s, 1, 1000, "")
	h, err := s.OpenBlock(1)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := s.OpenBlock(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(1); err != nil {
		t.Fatal(err)
	}
	if s.Has(1) || len(s.Blocks()) != 0 {
		t.Fatal("removed block still listed")
	}
	_, err = s.OpenBlock(1)
	wantErr(t, err, errs.ErrNotFound)
	wantErr(t, s.Remove(1), errs.ErrNotFound)
	_, err = s.CreateBlock(1, 0, "")
	wantErr(t, err, errs.ErrAlreadyExists)
	if _, removed := s.TakeChanges(); len(removed) != 1 || removed[0] != 1 {
		t.Fatalf("removed %v", removed)
	}
	buf := make([]byte, 1000)
	if _, err := h.ReadAt(buf, 0); err != nil || !bytes.Equal(buf, content(1, 1000)) {
		t.Fatalf("read of removed open block: %v", err)
	}
	h.Close()
	if !exists(m.Path) {
		t.Fatal("deleted while a handle is still open")
	}
	h2.Close()
	h2.Close()
	if exists(m.Path) || s.Capacity()[0].Used != 0 {
		t.Fatal("not deleted at last close")
	}
	_, err = h.ReadAt(buf, 0)
	wantErr(t, err, errs.ErrPrecondition)
	writeBlock(t, s, 1, 10, "")
	checkAccounting(t, s)
}

func TestCloseStore(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, tierOf("MEM", 1<<20, dir))
	writeBlock(t, s, 1, 100, "")
	h, err := s.OpenBlock(1)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := s.CreateBlock(2, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = tb.Write([]byte("x"))
	wantErr(t, err, errs.ErrPrecondition)
	if exists(filepath.Join(dir, LayoutDirName, "2.tmp")) {
		t.Fatal("Close left the temp block")
	}
	if _, err := h.ReadAt(make([]byte, 10), 0); err != nil {
		t.Fatalf("open handle after Close: %v", err)
	}
	h.Close()
	_, err = s.CreateBlock(3, 0, "")
	wantErr(t, err, errs.ErrUnavailable)
	_, err = s.OpenBlock(1)
	wantErr(t, err, errs.ErrUnavailable)
	wantErr(t, s.Remove(1), errs.ErrUnavailable)
}

// TestStorageDirBelongsToOneStore: a second store (another worker, or one
// of another cluster with the same tier path) on a directory in use is
// refused, naming the holder, and touches nothing; once the first closes,
// the directory is free.
func TestStorageDirBelongsToOneStore(t *testing.T) {
	shared, own := t.TempDir(), t.TempDir()
	s, err := Open(Options{Tiers: []TierConfig{tierOf("MEM", 1<<20, shared)}, Owner: "worker localhost:29999"})
	if err != nil {
		t.Fatal(err)
	}
	writeBlock(t, s, 1, 100, "")
	_, err = Open(Options{Tiers: []TierConfig{tierOf("MEM", 1<<20, own), tierOf("SSD", 1<<20, shared)}, Owner: "worker localhost:30999"})
	wantErr(t, err, errs.ErrPrecondition)
	if !strings.Contains(err.Error(), "tier SSD: storage directory "+shared+" belongs to another worker") ||
		!strings.Contains(err.Error(), "held by worker localhost:29999 (pid") {
		t.Fatalf("second store on a directory in use: %v", err)
	}
	// The refused store released the directory it had claimed.
	if other, err := Open(Options{Tiers: []TierConfig{tierOf("MEM", 1<<20, own)}}); err != nil {
		t.Fatalf("the refused store kept its own directory: %v", err)
	} else {
		other.Close()
	}
	if !s.Has(1) {
		t.Fatal("the refused store removed the first store's block")
	}
	s.Close()
	s2, err := Open(Options{Tiers: []TierConfig{tierOf("MEM", 1<<20, shared)}})
	if err != nil {
		t.Fatalf("Open after the holder closed: %v", err)
	}
	defer s2.Close()
	if !s2.Has(1) {
		t.Fatal("block lost across the hand-over")
	}
}
