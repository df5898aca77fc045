package underfs

import (
	"context"
	"errors"
	"io"
	"sync"
)

// RangeOpener is an optional ability: opening a byte range the caller
// means to read whole, so that the reader may fetch ahead, in parallel, up
// to the range's end and not past it. Errors are those of Open.
type RangeOpener interface {
	OpenRange(ctx context.Context, path string, offset, length int64) (io.ReadCloser, error)
}

// Read-ahead defaults for OpenRange over readers that offer io.ReaderAt.
const (
	ReadAheadChunk    = 4 << 20
	ReadAheadParallel = 4
)

// OpenRange opens length bytes of path at offset for one sequential read:
// with u's own OpenRange when it has one, else with Open, reading ahead
// with parallel ReadAt calls when the reader offers io.ReaderAt (a local
// file does: parallel preads keep a disk's queue full). The reader
// returned also passes on the Fingerprint of a Fingerprinted one.
func OpenRange(ctx context.Context, u UnderFileSystem, path string, offset, length int64) (io.ReadCloser, error) {
	if ro, ok := u.(RangeOpener); ok {
		return ro.OpenRange(ctx, path, offset, length)
	}
	r, err := u.Open(ctx, path, offset)
	if err != nil {
		return nil, err
	}
	ra, ok := r.(io.ReaderAt)
	if !ok || length <= ReadAheadChunk {
		return r, nil
	}
	fp := ""
	if f, ok := r.(Fingerprinted); ok {
		fp = f.Fingerprint()
	}
	return &rangeReader{ReadCloser: ReadAhead(ra, offset, offset+length, ReadAheadChunk, ReadAheadParallel), under: r, fp: fp}, nil
}

type rangeReader struct {
	io.ReadCloser
	under io.Closer
	fp    string
}

func (r *rangeReader) Fingerprint() string { return r.fp }

func (r *rangeReader) Close() error {
	r.ReadCloser.Close()
	return r.under.Close()
}

// ReadAhead reads [off, end) of ra in order, with up to parallel ReadAt
// calls of chunk bytes in flight ahead of the reader. How many are in
// flight starts at one and doubles with each chunk read, up to parallel,
// so that a reader that stops early has cost little more than what it
// read. Memory: at most parallel+1 chunks. The reader is for one
// goroutine; Close stops the fetches (and waits for them).
func ReadAhead(ra io.ReaderAt, off, end int64, chunk, parallel int) io.ReadCloser {
	return &readAhead{ra: ra, next: off, end: end, chunk: int64(chunk), parallel: max(parallel, 1), window: 1,
		stop: make(chan struct{})}
}

type readAhead struct {
	ra       io.ReaderAt
	next     int64 // offset of the next chunk to fetch
	end      int64
	chunk    int64
	parallel int
	window   int
	queue    []*fetch // in order; the head is being read
	free     [][]byte
	stop     chan struct{}
	wg       sync.WaitGroup
	err      error
	closed   bool
}

type fetch struct {
	buf  []byte
	pos  int // bytes of buf read out
	n    int
	err  error
	done chan struct{}
}

func (r *readAhead) fill() {
	for len(r.queue) < r.window && r.next < r.end {
		size := min(r.chunk, r.end-r.next)
		var buf []byte
		if k := len(r.free); k > 0 {
			buf, r.free = r.free[k-1][:size], r.free[:k-1]
		} else {
			buf = make([]byte, size, r.chunk)
		}
		f := &fetch{buf: buf, done: make(chan struct{})}
		at := r.next
		r.next += size
		r.queue = append(r.queue, f)
		r.wg.Go(func() {
			defer close(f.done)
			select {
			case <-r.stop:
				f.err = errors.New("read-ahead closed")
				return
			default:
			}
			f.n, f.err = r.ra.ReadAt(f.buf, at)
			if f.n == len(f.buf) {
				f.err = nil // io.EOF with a full chunk at the end
			} else if f.err == nil || f.err == io.EOF {
				f.err = io.ErrUnexpectedEOF
			}
		})
	}
}

func (r *readAhead) Read(b []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.closed {
		return 0, errors.New("read-ahead closed")
	}
	r.fill()
	if len(r.queue) == 0 {
		return 0, io.EOF
	}
	f := r.queue[0]
	<-f.done
	if f.err != nil {
		r.err = f.err
		return 0, f.err
	}
	n := copy(b, f.buf[f.pos:])
	f.pos += n
	if f.pos == len(f.buf) {
		r.queue = r.queue[1:]
		r.free = append(r.free, f.buf[:0])
		r.window = min(r.window*2, r.parallel)
		r.fill()
	}
	return n, nil
}

func (r *readAhead) Close() error {
	if !r.closed {
		r.closed = true
		close(r.stop)
		r.wg.Wait()
	}
	return nil
}
