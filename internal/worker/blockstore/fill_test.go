package blockstore

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// TestFillAtLanded: a block filled by ranges in any order and at once
// (FillAt), landed in order, commits with the checksum of its bytes, so
// a later Verify passes, and a bit flipped afterwards is still found.
// Landing bytes the file does not have fails the write, not the process.
func TestFillAtLanded(t *testing.T) {
	s, _ := openStore(t, tierOf("MEM", 64<<20, t.TempDir()))
	const size, piece = 9<<20 + 77, 1 << 20
	data := content(7, size)
	tb, err := s.CreateBlock(7, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for off := int64(size/piece) * piece; off >= 0; off -= piece {
		wg.Go(func() {
			end := min(off+piece, size)
			err := tb.FillAt(off, end-off, func(f *os.File, at int64) error {
				_, err := f.WriteAt(data[off:end], at)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for off := int64(0); off < size; off += 3 << 20 {
		if err := tb.Landed(min(3<<20, size-off)); err != nil {
			t.Fatal(err)
		}
	}
	meta, err := tb.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if want := crc32.Checksum(data, castagnoli); meta.Length != size || s.blocks[7].crc != want {
		t.Fatalf("committed %d bytes with CRC %08x; want %d, %08x", meta.Length, s.blocks[7].crc, size, want)
	}
	if err := s.Verify(7); err != nil {
		t.Fatalf("Verify of a filled block: %v", err)
	}
	h, err := s.OpenBlock(7)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, size)
	if _, err := h.ReadAt(got, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	h.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("the filled block's bytes differ")
	}
	flipped, _ := os.ReadFile(meta.Path)
	flipped[5<<20] ^= 1
	if err := os.WriteFile(meta.Path, flipped, 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.Verify(7), errs.ErrCorrupt)

	// Landed past what the file holds: the mapping's pages past the end
	// fault, which must come back as an error.
	tb, err = s.CreateBlock(8, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.FillAt(0, 100, func(f *os.File, at int64) error { _, err := f.WriteAt(data[:100], at); return err }); err != nil {
		t.Fatal(err)
	}
	if err := tb.Landed(3 << 20); err == nil {
		t.Fatal("Landed 3 MiB of a file of 100 bytes: no error")
	}
	tb.Abort()
	if err := tb.FillAt(0, 1, func(*os.File, int64) error { return nil }); !errors.Is(err, errs.ErrPrecondition) {
		t.Fatalf("FillAt after Abort: %v, want ErrPrecondition", err)
	}
	checkAccounting(t, s)
}
