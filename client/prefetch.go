package client

import (
	"context"
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// A sequential reader of a file that is not cached has its next blocks
// cached ahead of it: while it reads one block, workers read the next
// ones from the under storage (in parallel ranges) into their caches, so
// that it finds them there. The worker a cold read goes to caches the
// block as it streams it (it streams what its cache job has written so
// far); a reader on that worker's host that may read block files
// (short-circuit) also asks for its current block, and moves from the
// stream to the block file as soon as the block is cached, and waits for
// the blocks ahead to be cached rather than stream them. Without it a cold
// read waits for each block's first bytes from the under storage in turn
// and never has more than one block being read from the under storage.
//
// The window is alluxio.user.file.read.ahead.blocks blocks past the one
// being read (Config.ReadAheadBlocks), so what a reader has the workers
// hold for it is bounded. Only readers that would cache anyway (CACHE,
// CACHE_PROMOTE) fetch ahead, and only after prefetchAfter bytes read in
// order, so a reader that looks at a file's head costs no more than it
// reads.
const (
	defaultReadAheadBlocks = 2
	prefetchAfter          = 4 << 20
)

// prefetch is a block being cached ahead of the reader.
type prefetch struct {
	done chan struct{}
	loc  BlockLocation // the worker that caches it, once done without err
	err  error
}

// readAheadBlocks is how many blocks a sequential reader has cached ahead.
func (f *FileSystem) readAheadBlocks() int {
	switch n := f.cfg.ReadAheadBlocks; {
	case n < 0:
		return 0
	case n == 0:
		return defaultReadAheadBlocks
	default:
		return n
	}
}

// fetchAhead starts caching the blocks after block index that no worker
// caches, up to the read-ahead depth, unless started already.
func (r *FileReader) fetchAhead(index int) {
	depth := r.f.readAheadBlocks()
	if depth == 0 || r.readType == pb.ReadType_NO_CACHE {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.info.BlockSize <= 0 {
		return
	}
	last := int((r.length - 1) / r.info.BlockSize)
	first := index + 1
	if !r.f.cfg.NoShortCircuit {
		first = index
	}
	for i := first; i <= min(index+depth, last); i++ {
		if _, ok := r.ahead[i]; ok {
			continue
		}
		b := blockAt(r.info, int64(i)*r.info.BlockSize)
		src := r.info.ufsSource(b)
		if len(b.locs) > 0 || src == nil {
			continue
		}
		if r.ahead == nil {
			r.ahead = map[int]*prefetch{}
		}
		p := &prefetch{done: make(chan struct{})}
		r.ahead[i] = p
		r.prefetches.Go(func() {
			defer close(p.done)
			p.loc, p.err = r.cacheAhead(b, src)
		})
	}
}

// cacheAhead has the worker a cold read would go to (this host's first)
// cache block b, and says which worker that was. The wait is bounded as a
// stream of the block would be: DataTimeout for each chunk.
func (r *FileReader) cacheAhead(b blockRef, src *pb.UfsBlockSource) (BlockLocation, error) {
	ws, err := r.f.liveWorkers(r.ctx)
	if err != nil {
		return BlockLocation{}, err
	}
	for _, w := range writeOrder(ws, r.f.isLocal, 0) {
		addr := w.Address()
		if r.isBad(addr) {
			continue
		}
		wc, err := r.f.worker(addr)
		if err != nil {
			return BlockLocation{}, err
		}
		chunks := (b.length + chunkSize - 1) / chunkSize
		ctx, cancel := context.WithTimeout(r.ctx, time.Duration(max(chunks, 1))*r.f.cfg.DataTimeout)
		_, err = wc.CacheBlock(ctx, &pb.CacheBlockRequest{BlockId: b.id, Source: src, Capability: r.capability()})
		cancel()
		if err != nil {
			return BlockLocation{}, workerErr(addr, b.id, err)
		}
		return BlockLocation{WorkerID: w.ID, Host: w.Host, RPCPort: w.RPCPort}, nil
	}
	return BlockLocation{}, errs.New(errs.ErrUnavailable, "no live worker to cache block %d", b.id)
}

// cachedHere says whether the prefetch of block index ended with the
// block cached by a worker on this host, whose file this reader may read.
func (r *FileReader) cachedHere(index int) bool {
	if r.f.cfg.NoShortCircuit {
		return false
	}
	if _, ok := r.seq.(*remoteBlock); !ok || r.switched == index {
		return false
	}
	r.mu.Lock()
	p := r.ahead[index]
	r.mu.Unlock()
	if p == nil {
		return false
	}
	select {
	case <-p.done:
		if p.err != nil || !r.f.isLocal(p.loc.Host) {
			return false
		}
		r.switched = index // once: if the file cannot be read, streaming goes on
		return true
	default:
		return false
	}
}

// awaitAhead returns b with the worker that cached it among its
// locations once its prefetch, if one was started, is done. A reader
// that may read block files waits for it; one that streams does not (the
// worker streams the block as it caches it). A prefetch that failed
// changes nothing: the block is read as if there had been none.
func (r *FileReader) awaitAhead(b blockRef) (blockRef, error) {
	r.mu.Lock()
	p := r.ahead[b.index]
	r.mu.Unlock()
	if p == nil {
		return b, nil
	}
	select {
	case <-p.done:
	default:
		if r.f.cfg.NoShortCircuit {
			return b, nil
		}
		// Not longer than a stream may go without a chunk: a worker
		// that hangs is then found out by the stream's own watchdog.
		timer := time.NewTimer(r.f.cfg.DataTimeout)
		defer timer.Stop()
		select {
		case <-p.done:
		case <-timer.C:
			return b, nil
		case <-r.ctx.Done():
			return b, r.ctx.Err()
		}
	}
	if p.err != nil {
		return b, nil
	}
	for _, l := range b.locs {
		if l.Address() == p.loc.Address() {
			return b, nil
		}
	}
	b.locs = append([]BlockLocation{p.loc}, b.locs...)
	return b, nil
}
