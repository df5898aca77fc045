package proxy

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestCRCCombine checks combined CRCs against the CRC of the concatenated
// bytes, for every CRC algorithm and lengths from 0 past a block.
func TestCRCCombine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, a := range checksumAlgs {
		if a.crc == nil {
			continue
		}
		for _, n := range [][2]int{{0, 0}, {0, 5}, {7, 0}, {1, 1}, {100, 3}, {3, 4099}, {70000, 65537}} {
			x, y := make([]byte, n[0]), make([]byte, n[1])
			for i := range x {
				x[i] = byte(rng.Uint32())
			}
			for i := range y {
				y[i] = byte(rng.Uint32())
			}
			got := a.crc.combine(crcValue(a, x), crcValue(a, y), int64(len(y)))
			if want := crcValue(a, bytes.Join([][]byte{x, y}, nil)); got != want {
				t.Errorf("%s %v: combined %x, want %x", a.name, n, got, want)
			}
		}
	}
}

func crcValue(a *checksumAlg, b []byte) uint64 {
	h := a.new()
	h.Write(b)
	s := h.Sum(nil)
	if len(s) == 4 {
		return uint64(binary.BigEndian.Uint32(s))
	}
	return binary.BigEndian.Uint64(s)
}
