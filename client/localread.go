package client

import (
	"context"
	"io"
	"io/fs"
	"os"
	"sync"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// maxLocalOpen bounds the block files a reader keeps open for
// short-circuit reads: reopening costs a round trip to the worker, while
// an open one keeps its block from eviction until the reader is done.
const maxLocalOpen = 4

// localFile is a worker's block file opened for short-circuit reads. The
// stream that opened it stays open while the file is in use, because the
// worker keeps the block from eviction until that stream ends.
type localFile struct {
	file   *os.File
	stream grpc.BidiStreamingClient[pb.OpenLocalBlockRequest, pb.OpenLocalBlockResponse]
	cancel context.CancelFunc
	addr   string
	length int64
	// refs, used and dropped are guarded by the localFiles' mu.
	refs    int
	used    uint64
	dropped bool
}

func (lf *localFile) close() {
	lf.file.Close()
	lf.stream.CloseSend()
	lf.cancel()
}

// localFiles is one reader's cache of open block files, by block id: at
// most maxLocalOpen idle ones, the least recently used closed first. A
// file in use (refs > 0) is closed only when its last user releases it.
// Its methods are safe to call from many goroutines (ReadAt's callers).
type localFiles struct {
	mu     sync.Mutex
	files  map[int64]*localFile
	tick   uint64
	closed bool
}

// acquire returns the open block file of block id on the worker at addr,
// calling open when there is none. The caller releases it when done.
func (c *localFiles) acquire(addr string, id int64, open func() (*localFile, error)) (*localFile, error) {
	c.mu.Lock()
	if lf := c.files[id]; lf != nil && lf.addr == addr {
		lf.refs++
		c.tick++
		lf.used = c.tick
		c.mu.Unlock()
		return lf, nil
	}
	c.mu.Unlock()
	// Opened without the lock: it is a round trip to the worker, and other
	// blocks' reads go on meanwhile.
	lf, err := open()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		lf.close()
		return nil, fs.ErrClosed
	}
	if old := c.files[id]; old != nil {
		c.dropLocked(id, old)
	}
	if c.files == nil {
		c.files = map[int64]*localFile{}
	}
	c.tick++
	lf.refs, lf.used = 1, c.tick
	c.files[id] = lf
	c.trimLocked()
	return lf, nil
}

// release returns lf after use; drop forgets it (after a failure), so the
// next reader of the block opens it again.
func (c *localFiles) release(lf *localFile, drop bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lf.refs--
	if drop && !lf.dropped {
		lf.dropped = true
		for id, cur := range c.files {
			if cur == lf {
				delete(c.files, id)
			}
		}
	}
	if lf.dropped && lf.refs == 0 {
		lf.close()
	}
	c.trimLocked()
}

// dropLocked forgets lf, closing it now unless it is in use.
func (c *localFiles) dropLocked(id int64, lf *localFile) {
	delete(c.files, id)
	lf.dropped = true
	if lf.refs == 0 {
		lf.close()
	}
}

// trimLocked closes the least recently used idle files beyond
// maxLocalOpen.
func (c *localFiles) trimLocked() {
	for len(c.files) > maxLocalOpen {
		var victim int64
		var oldest *localFile
		for id, lf := range c.files {
			if lf.refs == 0 && (oldest == nil || lf.used < oldest.used) {
				victim, oldest = id, lf
			}
		}
		if oldest == nil {
			return
		}
		c.dropLocked(victim, oldest)
	}
}

// closeAll closes every idle file now and the others when released, and
// refuses to cache files opened from now on.
func (c *localFiles) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for id, lf := range c.files {
		c.dropLocked(id, lf)
	}
}

// openLocal returns a stream of n bytes of block b from off, read from the
// block file of the worker at addr on this host.
func (r *FileReader) openLocal(addr string, b blockRef, off, n int64) (blockStream, error) {
	lf, err := r.local.acquire(addr, b.id, func() (*localFile, error) { return r.openLocalFile(addr, b) })
	if err != nil {
		return nil, err
	}
	if lf.length < off+n {
		r.local.release(lf, true)
		return nil, errs.New(errs.ErrCorrupt, "worker %s holds %d bytes of block %d, not %d", addr, lf.length, b.id, b.length)
	}
	return &localBlock{c: &r.local, lf: lf, off: off, end: off + n}, nil
}

func (r *FileReader) openLocalFile(addr string, b blockRef) (*localFile, error) {
	wc, err := r.f.worker(addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(r.ctx)
	var stream grpc.BidiStreamingClient[pb.OpenLocalBlockRequest, pb.OpenLocalBlockResponse]
	var resp *pb.OpenLocalBlockResponse
	err = withWatchdog(r.f.cfg.DataTimeout, cancel, func() (err error) {
		if stream, err = wc.OpenLocalBlock(ctx); err != nil {
			return err
		}
		// io.EOF: the worker ended the stream; Recv has its reason.
		err = stream.Send(&pb.OpenLocalBlockRequest{BlockId: b.id, Promote: r.readType == pb.ReadType_CACHE_PROMOTE,
			Capability: r.capability()})
		if err != nil && err != io.EOF {
			return err
		}
		resp, err = stream.Recv()
		return err
	})
	if err != nil {
		cancel()
		return nil, workerErr(addr, b.id, err)
	}
	file, err := os.Open(resp.Path)
	if err != nil {
		cancel()
		return nil, err
	}
	return &localFile{file: file, stream: stream, cancel: cancel, addr: addr, length: resp.Length}, nil
}

// localBlock reads a range of a shared localFile.
type localBlock struct {
	c        *localFiles
	lf       *localFile
	off, end int64
	failed   bool
	closed   bool
}

func (s *localBlock) Read(p []byte) (int, error) {
	if s.off >= s.end {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), s.end-s.off)]
	n, err := s.lf.file.ReadAt(p, s.off)
	s.off += int64(n)
	if err == io.EOF {
		if n > 0 {
			return n, nil
		}
		err = errs.New(errs.ErrCorrupt, "block file %s ends before %d", s.lf.file.Name(), s.end)
	}
	s.failed = err != nil
	return n, err
}

func (s *localBlock) Close() error {
	if !s.closed {
		s.closed = true
		s.c.release(s.lf, s.failed)
	}
	return nil
}

func (s *localBlock) worker() string { return s.lf.addr }
