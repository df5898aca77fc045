package proxy

// crcCombiner computes the CRC of two concatenated byte strings from their
// CRCs and the second one's length, without the bytes: a FULL_OBJECT
// multipart checksum is the CRC of the whole object, made from the parts'.
//
// A reflected CRC with pre- and post-inversion (CRC-32, CRC-32C,
// CRC-64/NVME) satisfies crc(A‖B) = crc(A)·x^(8·len(B)) mod P ⊕ crc(B),
// the inversions cancelling out; the product is computed in GF(2)[x]
// modulo P, in the reflected bit order the CRC uses (the top bit is x^0).
type crcCombiner struct {
	width uint   // 32 or 64
	poly  uint64 // reflected polynomial
	// x2n[k] is x^(2^k) mod P, for the squarings that make x^n: 8·n
	// for an int64 n needs k up to 65.
	x2n [66]uint64
}

func newCRCCombiner(width uint, poly uint64) *crcCombiner {
	c := &crcCombiner{width: width, poly: poly}
	c.x2n[0] = c.one() >> 1 // x^1
	for k := 1; k < len(c.x2n); k++ {
		c.x2n[k] = c.mul(c.x2n[k-1], c.x2n[k-1])
	}
	return c
}

// one is the polynomial 1 (x^0) in reflected order.
func (c *crcCombiner) one() uint64 { return 1 << (c.width - 1) }

// mul is a·b mod P.
func (c *crcCombiner) mul(a, b uint64) uint64 {
	var p uint64
	for m := c.one(); m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ c.poly
		} else {
			b >>= 1
		}
	}
	return p
}

// xPow8n is x^(8·n) mod P.
func (c *crcCombiner) xPow8n(n uint64) uint64 {
	p := c.one()
	for k := 3; n != 0; k, n = k+1, n>>1 {
		if n&1 != 0 {
			p = c.mul(c.x2n[k], p)
		}
	}
	return p
}

// combine is the CRC of A‖B from crcA, crcB and len(B).
func (c *crcCombiner) combine(crcA, crcB uint64, lenB int64) uint64 {
	return c.mul(c.xPow8n(uint64(lenB)), crcA) ^ crcB
}
