package rpcbuf

import "testing"

// TestTiersHoldWhatTheyPromise: a buffer handed back goes to a tier whose
// Get never returns less than asked, whatever its capacity.
func TestTiersHoldWhatTheyPromise(t *testing.T) {
	p := &pool{}
	for _, c := range []int{256, 300, 511, 512, 4096, 16 << 10, 1<<20 + 7, 16 << 20} {
		b := make([]byte, 0, c)
		p.Put(&b)
	}
	for _, n := range []int{0, 1, 255, 256, 257, 511, 512, 513, 4097, 16 << 10, 1 << 20, 1<<20 + 8, 16 << 20, 16<<20 + 1} {
		b := p.Get(n)
		if len(*b) != n || cap(*b) < n {
			t.Fatalf("Get(%d): len %d cap %d", n, len(*b), cap(*b))
		}
		p.Put(b)
	}
}

// TestBuffersAreReused: the point of the pool is that a buffer put back
// is handed out again, not cleared.
func TestBuffersAreReused(t *testing.T) {
	p := &pool{}
	reused := false
	for range 100 { // sync.Pool may drop an item at a collection; one reuse in 100 tries proves the path
		b := p.Get(20000)
		(*b)[0] = 42
		p.Put(b)
		if c := p.Get(20000); (*c)[0] == 42 {
			reused = true
			break
		}
	}
	if !reused {
		t.Fatal("a buffer put back was never handed out again")
	}
}
