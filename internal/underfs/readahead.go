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
	return &rangeReader{AheadReader: ReadAheadFull(ra, offset, offset+length, ReadAheadChunk, ReadAheadParallel), under: r, fp: fp}, nil
}

// rangeReader is a read-ahead (its Read and WriteTo) over a reader it
// closes with it.
type rangeReader struct {
	AheadReader
	under io.Closer
	fp    string
}

func (r *rangeReader) Fingerprint() string { return r.fp }

func (r *rangeReader) Close() error {
	r.AheadReader.Close()
	return r.under.Close()
}

// AheadReader is what ReadAhead returns: a reader whose WriteTo hands
// each fetched chunk to the writer as it is, without the copy into a
// caller's buffer that Read makes (io.Copy uses it).
type AheadReader interface {
	io.ReadCloser
	io.WriterTo
}

// ReadAhead reads [off, end) of ra in order, with up to parallel ReadAt
// calls of chunk bytes in flight ahead of the reader. How many are in
// flight starts at one and doubles with each chunk read, up to parallel,
// so that a reader that stops early has cost little more than what it
// read. A fetch that finishes starts the next one even while the reader
// waits for an earlier, slower one, so a slow answer does not stall the
// others; chunks fetched and not yet read are bounded too, so memory is at
// most 2*parallel chunks. The reader is for one goroutine; Close stops the
// fetches (and waits for them).
func ReadAhead(ra io.ReaderAt, off, end int64, chunk, parallel int) AheadReader {
	return newReadAhead(ra, off, end, chunk, parallel, 1)
}

// ReadAheadFull is ReadAhead for a range the caller will read whole: all
// parallel fetches start at once, before the first Read.
func ReadAheadFull(ra io.ReaderAt, off, end int64, chunk, parallel int) AheadReader {
	return newReadAhead(ra, off, end, chunk, parallel, parallel)
}

func newReadAhead(ra io.ReaderAt, off, end int64, chunk, parallel, window int) *readAhead {
	parallel = max(parallel, 1)
	r := &readAhead{ra: ra, next: off, end: end, chunk: int64(chunk), parallel: parallel, window: max(min(window, parallel), 1)}
	r.mu.Lock()
	r.launch()
	r.mu.Unlock()
	return r
}

type readAhead struct {
	ra       io.ReaderAt
	chunk    int64
	parallel int
	end      int64

	mu       sync.Mutex
	next     int64 // offset of the next chunk to fetch
	window   int   // fetches allowed in flight
	inflight int
	queue    []*fetch // in file order; the head is being read
	free     [][]byte
	closed   bool
	reading  int // Read or WriteTo calls using a fetched buffer outside mu
	wg       sync.WaitGroup

	err error // the first fetch error, returned by every later Read
}

type fetch struct {
	buf  []byte
	pos  int // bytes of buf read out
	err  error
	done chan struct{}
}

// launch starts fetches while the window and the buffer bound allow. The
// caller holds mu.
func (r *readAhead) launch() {
	for !r.closed && r.inflight < r.window && len(r.queue) < 2*r.parallel && r.next < r.end {
		size := min(r.chunk, r.end-r.next)
		var buf []byte
		if k := len(r.free); k > 0 {
			buf, r.free = r.free[k-1][:size], r.free[:k-1]
		} else {
			buf = getChunk(size, r.chunk)
		}
		f := &fetch{buf: buf, done: make(chan struct{})}
		at := r.next
		r.next += size
		r.queue = append(r.queue, f)
		r.inflight++
		r.wg.Go(func() {
			n, err := r.ra.ReadAt(f.buf, at)
			switch {
			case n == len(f.buf):
				err = nil // io.EOF with a full chunk at the end
			case err == nil || err == io.EOF:
				err = io.ErrUnexpectedEOF
			}
			r.mu.Lock()
			f.err = err
			close(f.done)
			r.inflight--
			r.launch()
			r.mu.Unlock()
		})
	}
}

func (r *readAhead) Read(b []byte) (int, error) {
	f, err := r.head()
	if err != nil {
		return 0, err
	}
	n := copy(b, f.buf[f.pos:])
	f.pos += n
	r.release(f)
	return n, nil
}

// WriteTo writes the rest of the range to w, handing it each fetched chunk
// as it is: no copy into a reader's buffer (io.Copy uses it).
func (r *readAhead) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		f, err := r.head()
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		n, err := w.Write(f.buf[f.pos:])
		f.pos += n
		total += int64(n)
		r.release(f)
		if err == nil && f.pos < len(f.buf) {
			err = io.ErrShortWrite
		}
		if err != nil {
			return total, err
		}
	}
}

// head waits for the chunk at the head of the queue and marks its buffer
// in use (see release); io.EOF past the end of the range.
func (r *readAhead) head() (*fetch, error) {
	r.mu.Lock()
	if r.err != nil || r.closed {
		defer r.mu.Unlock()
		if r.closed {
			return nil, errors.New("read-ahead closed")
		}
		return nil, r.err
	}
	r.launch()
	if len(r.queue) == 0 {
		r.mu.Unlock()
		return nil, io.EOF
	}
	f := r.queue[0]
	r.reading++
	r.mu.Unlock()
	<-f.done
	if f.err != nil {
		r.mu.Lock()
		r.reading--
		r.err = f.err
		r.mu.Unlock()
		return nil, f.err
	}
	return f, nil
}

// release ends a use of f, the head chunk; read whole, it leaves the
// queue, its buffer is free for the next fetch, and the window grows.
func (r *readAhead) release(f *fetch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reading--
	if f.pos == len(f.buf) {
		r.queue = r.queue[1:]
		r.free = append(r.free, f.buf[:0])
		r.window = min(r.window*2, r.parallel)
		r.launch()
	}
}

// Close stops launching fetches and waits for those in flight. Their
// buffers go back to the pool unless a Read or WriteTo still uses one.
func (r *readAhead) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reading == 0 {
		for _, f := range r.queue {
			putChunk(f.buf)
		}
		for _, b := range r.free {
			putChunk(b)
		}
	}
	r.queue, r.free = nil, nil
	return nil
}

// chunkPool keeps read-ahead buffers of the default chunk size from one
// reader to the next: a worker caching a file opens a reader per block,
// and a fresh 4 MiB buffer costs its zeroing and a page fault per page
// the first time a read fills it, which profiles of cold reads showed
// costing about as much as the reads.
var chunkPool sync.Pool

func getChunk(size, chunk int64) []byte {
	if chunk == ReadAheadChunk {
		if b, ok := chunkPool.Get().(*[]byte); ok {
			return (*b)[:size]
		}
	}
	return make([]byte, size, chunk)
}

func putChunk(b []byte) {
	if cap(b) == ReadAheadChunk {
		b = b[:0]
		chunkPool.Put(&b)
	}
}
