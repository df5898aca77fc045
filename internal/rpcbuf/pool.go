// Package rpcbuf is the buffer pool of the gRPC connections that carry
// block data. gRPC's default pool clears every buffer it hands out again,
// which on a block stream is one more pass over every byte on each side
// (in profiles of stream reads it was 7% of the reading client's CPU, as
// much as a copy). gRPC writes each buffer it asks for before reading it:
// a frame's payload is read into it whole and a message is marshalled
// into it, the use gRPC's own unpooled-I/O and ALTS record buffers, which
// it does not clear either, rely on.
package rpcbuf

import (
	"math/bits"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/experimental"
	"google.golang.org/grpc/mem"
)

// Buffers of 256 B to 16 MiB (a block chunk of 8 MiB and its framing) are
// kept, one tier per power of two; larger ones are not pooled.
const (
	minShift = 8
	maxShift = 24
)

type pool struct {
	tiers [maxShift - minShift + 1]sync.Pool
}

// Pool is the process's pool; its buffers are not cleared on reuse.
var Pool mem.BufferPool = &pool{}

// Get returns a buffer of length n from the tier whose buffers all hold
// at least n bytes.
func (p *pool) Get(n int) *[]byte {
	if n > 1<<maxShift {
		b := make([]byte, n)
		return &b
	}
	k := max(bits.Len(uint(max(n, 1)-1)), minShift) // 1<<k >= n
	if b, ok := p.tiers[k-minShift].Get().(*[]byte); ok {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, 1<<k)
	return &b
}

// Put keeps b in the tier of the largest power of two it holds, so that
// what Get takes from a tier is never smaller than the tier promises.
func (p *pool) Put(b *[]byte) {
	c := cap(*b)
	if c < 1<<minShift {
		return
	}
	k := min(bits.Len(uint(c))-1, maxShift)
	if c > 2<<maxShift {
		return // not one of ours: let the collector have it
	}
	p.tiers[k-minShift].Put(b)
}

// ServerOption and DialOption give a server or a client connection the
// pool.
func ServerOption() grpc.ServerOption { return experimental.BufferPool(Pool) }

func DialOption() grpc.DialOption { return experimental.WithBufferPool(Pool) }
