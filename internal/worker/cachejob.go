package worker

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/worker/blockstore"
)

// cacheJob is one block being read from the under storage into the cache,
// in the worker's own context: started by a whole-block read of a block
// the cache lacks, by CacheBlock (a client loading a file or fetching
// ahead of its reader) or after a partial read. The under storage is read
// with parallel ranged reads (underfs.OpenRange) and written to the
// block's file in order; readers of the block meanwhile stream what has
// landed (tail) instead of reading the under storage a second time, and a
// reader that goes away does not stop the job, since the block is wanted
// in the cache either way.
type cacheJob struct {
	done chan struct{}
	err  error // set before done is closed

	mu       sync.Mutex
	written  int64         // bytes in the block's file so far
	progress chan struct{} // closed (and replaced) when written grows
	file     *os.File      // the block's file for tails; nil before it exists and once closed
	tails    int           // tails using file
	ended    bool          // done is closed
}

// maxCacheJobs bounds the blocks a worker reads into its cache at once:
// each job holds its read-ahead buffers (2 × parallelism × 4 MiB) and a
// copy buffer, so a worker's memory for cold reads is bounded however
// many clients read ahead. Jobs past the bound wait for a slot.
const maxCacheJobs = 8

// cacheAsync starts caching block id from src, unless it is cached (nil)
// or being cached (the job in flight).
func (s *Server) cacheAsync(id int64, src *pb.UfsBlockSource) *cacheJob {
	s.cachingMu.Lock()
	defer s.cachingMu.Unlock()
	if j := s.caching[id]; j != nil {
		return j
	}
	if s.store.Has(id) {
		return nil
	}
	j := &cacheJob{done: make(chan struct{}), progress: make(chan struct{})}
	s.caching[id] = j
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case s.cacheSlots <- struct{}{}:
			j.err = s.cacheBlock(s.ctx, id, src, j)
			<-s.cacheSlots
		case <-s.ctx.Done():
			j.err = errs.New(errs.ErrUnavailable, "block %d not cached: the worker is stopping", id)
		}
		if j.err != nil {
			s.log.Debug("caching a block failed", "block", id, "err", j.err)
		}
		s.cachingMu.Lock()
		delete(s.caching, id)
		s.cachingMu.Unlock()
		j.end()
	}()
	return j
}

// cachingJob returns the job caching block id, nil when there is none.
func (s *Server) cachingJob(id int64) *cacheJob {
	s.cachingMu.Lock()
	defer s.cachingMu.Unlock()
	return s.caching[id]
}

// wait waits for the job or the end of ctx.
func (j *cacheJob) wait(ctx context.Context) error {
	select {
	case <-j.done:
		return j.err
	case <-ctx.Done():
		return errs.New(errs.ErrUnavailable, "waiting for a block to be cached: %v", ctx.Err())
	}
}

// opened hands the job the block's file for tails to read.
func (j *cacheJob) opened(f *os.File) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.file = f
}

// advance records n more bytes in the block's file and wakes the tails.
func (j *cacheJob) advance(n int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.written += n
	close(j.progress)
	j.progress = make(chan struct{})
}

// end marks the job done (err set) and closes the file once no tail
// reads it.
func (j *cacheJob) end() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ended = true
	close(j.done)
	close(j.progress)
	j.progress = make(chan struct{})
	if j.tails == 0 && j.file != nil {
		j.file.Close()
		j.file = nil
	}
}

// readAt reads what has landed at off into p, waiting for it while the
// job runs. It returns 0 and nil when the job ended before off was
// written (the caller then looks at j.err and the cache).
func (j *cacheJob) readAt(ctx context.Context, p []byte, off int64) (int, error) {
	for {
		j.mu.Lock()
		if j.written > off && j.file != nil {
			f, k := j.file, min(int64(len(p)), j.written-off)
			j.tails++
			j.mu.Unlock()
			n, err := f.ReadAt(p[:k], off)
			j.mu.Lock()
			j.tails--
			if j.ended && j.tails == 0 && j.file != nil {
				j.file.Close()
				j.file = nil
			}
			j.mu.Unlock()
			if n == int(k) {
				err = nil
			} else if err == nil || err == io.EOF {
				err = errs.New(errs.ErrCorrupt, "the cache file gave %d of %d bytes written", n, k)
			}
			return n, err
		}
		if j.ended {
			j.mu.Unlock()
			return 0, nil
		}
		wake := j.progress
		j.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// cacheBufSize is the buffer of a whole-block copy into the cache: a few
// large writes (each checksummed as it goes) instead of io.Copy's 32 KiB.
const cacheBufSize = 4 << 20

// blockWriter writes a block being cached, counting the bytes read from
// the under storage and telling the job's tails. Bytes past the block's
// length are refused: a reader that ignored its range would otherwise
// cache another block's bytes under this one's id.
type blockWriter struct {
	s     *Server
	tmp   *blockstore.TempBlock
	j     *cacheJob
	n     int64
	limit int64
}

func (w *blockWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > w.limit-w.n {
		return 0, errs.New(errs.ErrCorrupt, "block %d: the under storage gave more than its %d bytes", w.tmp.ID(), w.limit)
	}
	k, err := w.tmp.Write(p)
	if k > 0 {
		w.n += int64(k)
		w.s.metrics.ufsRead.Add(float64(k))
		if w.j != nil {
			w.j.advance(int64(k))
		}
	}
	return k, err
}

// cacheBlock reads a whole block from the under storage into the cache,
// telling j (when not nil) of each write. Another writer of the same block
// makes it return at once: the block will be cached, or not, by that one.
func (s *Server) cacheBlock(ctx context.Context, id int64, src *pb.UfsBlockSource, j *cacheJob) error {
	if s.store.Has(id) {
		return nil
	}
	u, err := s.underStorage(src.UfsLocation)
	if err != nil {
		return err
	}
	tmp, err := s.store.CreateBlock(id, src.BlockLength, "")
	if err != nil {
		if errors.Is(err, errs.ErrAlreadyExists) {
			return nil
		}
		return err
	}
	if j != nil {
		f, err := tmp.OpenWritten()
		if err != nil {
			tmp.Abort()
			return err
		}
		j.opened(f)
	}
	in, err := openUfs(ctx, u, src, src.BlockStart, src.BlockLength)
	if err != nil {
		tmp.Abort()
		return err
	}
	defer in.Close()
	// A read-ahead hands its fetched chunks to the block as they are;
	// other readers are copied through a buffer.
	bw := &blockWriter{s: s, tmp: tmp, j: j, limit: src.BlockLength}
	if wt, ok := in.(io.WriterTo); ok {
		_, err = wt.WriteTo(bw)
	} else {
		_, err = io.CopyBuffer(bw, &io.LimitedReader{R: in, N: src.BlockLength}, make([]byte, min(cacheBufSize, max(src.BlockLength, 1))))
	}
	if err != nil {
		tmp.Abort()
		return err
	}
	n := bw.n
	if n != src.BlockLength {
		tmp.Abort()
		return errs.New(errs.ErrCorrupt, "block %d: the under storage file %s ended %d bytes early",
			id, src.UfsLocation.RelativePath, src.BlockLength-n)
	}
	meta, err := tmp.Commit()
	if err != nil {
		return err
	}
	// Checksummed as it was written, by this process.
	s.verified.Store(id, true)
	s.commitToMaster(ctx, meta)
	return nil
}
