package fuse

import (
	"errors"
	"io"
	"sync"
)

// writePipe lets a write(2) through the mount return once its bytes are
// copied, while a goroutine of the file hands them to its client writer.
// Answered one at a time, a writer's requests kept one core busy at a time:
// the kernel copying the next request in waited for the block file write
// of the last one (and for a block's commit at each block's end). The
// pipe holds at most pipeDepth requests' bytes per file. A failure of a
// queued write is returned by the next write, fsync or close of the file,
// as the page cache's writeback errors are.
//
// Only the pipe's goroutine uses the file's client writer while bytes are
// queued: every other use of it drains the pipe first, holding the
// writeState's lock so that nothing is queued meanwhile.
type writePipe struct {
	chunks chan pipeChunk

	mu     sync.Mutex
	cond   sync.Cond
	busy   int   // chunks queued or being written
	err    error // the first failure of a queued write
	closed bool
}

// pipeDepth is how many requests' bytes (up to MaxWrite, 1 MiB, each) a
// file may have queued beyond the one being written.
const pipeDepth = 4

type pipeChunk struct {
	w   io.Writer
	buf *[]byte
	n   int
}

// pipeBufs recycles the chunks' buffers: a write's bytes are copied into one.
var pipeBufs = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

func newWritePipe() *writePipe {
	p := &writePipe{chunks: make(chan pipeChunk, pipeDepth)}
	p.cond.L = &p.mu
	go p.run()
	return p
}

func (p *writePipe) run() {
	for c := range p.chunks {
		p.mu.Lock()
		failed := p.err != nil
		p.mu.Unlock()
		var err error
		if !failed { // after a failure the rest of the bytes go nowhere
			_, err = c.w.Write((*c.buf)[:c.n])
		}
		if cap(*c.buf) == 1<<20 {
			pipeBufs.Put(c.buf)
		}
		p.mu.Lock()
		if err != nil && p.err == nil {
			p.err = err
		}
		p.busy--
		p.cond.Broadcast()
		p.mu.Unlock()
	}
}

// failure is the first failure of a queued write, without waiting.
func (p *writePipe) failure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// errPipeClosed: a write after the file's completion began.
var errPipeClosed = errors.New("the file is no longer being written")

// write queues a copy of b for w; it waits while the pipe is full. The
// caller serializes writes and close.
func (p *writePipe) write(w io.Writer, b []byte) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return errPipeClosed
	}
	// Counted before it is sent: drain waits for it from now on.
	p.busy++
	p.mu.Unlock()
	var buf *[]byte
	if len(b) <= 1<<20 {
		buf = pipeBufs.Get().(*[]byte)
	} else {
		nb := make([]byte, len(b))
		buf = &nb
	}
	n := copy(*buf, b)
	p.chunks <- pipeChunk{w: w, buf: buf, n: n}
	return nil
}

// drain waits until every queued byte is written and returns the first
// failure.
func (p *writePipe) drain() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.busy > 0 {
		p.cond.Wait()
	}
	return p.err
}

// close drains the pipe and ends its goroutine; later writes fail.
func (p *writePipe) close() error {
	err := p.drain()
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.chunks)
	}
	return err
}
