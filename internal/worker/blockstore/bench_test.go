package blockstore

import (
	"testing"
)

const benchBlock = 64 << 20

func BenchmarkWriteBlock(b *testing.B) {
	s, _ := openStore(b, tierOf("SSD", 4*benchBlock, b.TempDir()))
	chunk := content(1, 1<<20)
	b.SetBytes(benchBlock)
	var id int64
	for b.Loop() {
		id++
		tb, err := s.CreateBlock(id, benchBlock, "")
		if err != nil {
			b.Fatal(err)
		}
		for off := 0; off < benchBlock; off += len(chunk) {
			if _, err := tb.Write(chunk); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := tb.Commit(); err != nil {
			b.Fatal(err)
		}
		// Removing keeps the benchmark from measuring eviction.
		if err := s.Remove(id); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadBlock(b *testing.B) {
	s, _ := openStore(b, tierOf("SSD", 2*benchBlock, b.TempDir()))
	writeBlock(b, s, 1, benchBlock, "")
	buf := make([]byte, 1<<20)
	b.SetBytes(benchBlock)
	for b.Loop() {
		h, err := s.OpenBlock(1)
		if err != nil {
			b.Fatal(err)
		}
		for off := int64(0); off < benchBlock; off += int64(len(buf)) {
			if _, err := h.ReadAt(buf, off); err != nil {
				b.Fatal(err)
			}
		}
		h.Close()
	}
}
