package worker

import (
	"github.com/alluxio-go/alluxio/internal/worker/blockstore"
)

// cacheFiller writes a block into the cache from a goroutine of its own,
// so that a cold read's send to the client and its cache write (with the
// checksum) overlap instead of taking turns on one goroutine. Buffers go
// round: buffer hands one out, write passes it (filled) to the writer,
// which gives it back when written, so at most depth are in use.
type cacheFiller struct {
	tmp    *blockstore.TempBlock
	in     chan []byte
	free   chan []byte
	done   chan error
	closed bool
}

func newCacheFiller(tmp *blockstore.TempBlock, chunk, depth int) *cacheFiller {
	f := &cacheFiller{tmp: tmp, in: make(chan []byte, depth), free: make(chan []byte, depth), done: make(chan error, 1)}
	for range depth {
		f.free <- make([]byte, chunk)
	}
	go func() {
		var err error
		for b := range f.in {
			if err == nil {
				_, err = tmp.Write(b)
			}
			f.free <- b[:cap(b)]
		}
		f.done <- err
	}()
	return f
}

// buffer returns a free buffer, waiting for the writer to give one back.
func (f *cacheFiller) buffer() []byte { return <-f.free }

// write queues b (from buffer) to be written; putBack returns an unused one.
func (f *cacheFiller) write(b []byte) { f.in <- b }

func (f *cacheFiller) putBack(b []byte) { f.free <- b[:cap(b)] }

// wait ends the writes and returns the writer's first error.
func (f *cacheFiller) wait() error {
	if f.closed {
		return nil
	}
	f.closed = true
	close(f.in)
	return <-f.done
}

// commit keeps the block once everything queued is written.
func (f *cacheFiller) commit() (blockstore.BlockMeta, error) {
	if err := f.wait(); err != nil {
		f.tmp.Abort()
		return blockstore.BlockMeta{}, err
	}
	return f.tmp.Commit()
}

// abort drops the block.
func (f *cacheFiller) abort() {
	f.wait()
	f.tmp.Abort()
}
