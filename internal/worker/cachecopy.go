package worker

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/worker/blockstore"
)

// copyBlock fills a block being cached from a local under storage file
// in the kernel (underfs.RangeCopier): the bytes go from the file's page
// cache to the block file's once, instead of being read into this
// process and written out again, and the checksum reads them from the
// block file's pages. Ranges of underfs.ReadAheadChunk are copied
// underfs.ReadAheadParallel at a time, ahead of the first one not yet
// landed, as the read-ahead of other stores reads; each range counts
// (checksummed, told to the job's tails) once all before it have landed,
// so tails only ever see a complete prefix. It returns the bytes landed.
func (s *Server) copyBlock(ctx context.Context, rc underfs.RangeCopier, tmp *blockstore.TempBlock, src *pb.UfsBlockSource, j *cacheJob) (int64, error) {
	chunk := int64(underfs.ReadAheadChunk)
	chunks := int((src.BlockLength + chunk - 1) / chunk)
	results := make([]chan error, chunks)
	for i := range results {
		results[i] = make(chan error, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	slots := make(chan struct{}, underfs.ReadAheadParallel)
	var wg sync.WaitGroup
	// Copies in flight finish before the block can be aborted (which
	// closes its file).
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		for i := range chunks {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			off := int64(i) * chunk
			size := min(chunk, src.BlockLength-off)
			wg.Go(func() {
				results[i] <- tmp.FillAt(off, size, func(f *os.File, at int64) error {
					n, err := rc.CopyRange(f, at, src.BlockStart+off, size)
					if err == nil && n < size {
						err = io.ErrUnexpectedEOF
					}
					return err
				})
			})
		}
	})
	var landed int64
	for i := range chunks {
		var err error
		select {
		case err = <-results[i]:
		case <-ctx.Done():
			err = errs.New(errs.ErrUnavailable, "block %d not cached: %v", tmp.ID(), ctx.Err())
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = errs.New(errs.ErrCorrupt, "block %d: the under storage file %s ended before the block's %d bytes",
				tmp.ID(), src.UfsLocation.RelativePath, src.BlockLength)
		}
		if err != nil {
			return landed, err
		}
		size := min(chunk, src.BlockLength-landed)
		if err := tmp.Landed(size); err != nil {
			return landed, err
		}
		<-slots
		landed += size
		s.metrics.ufsRead.Add(float64(size))
		if j != nil {
			j.advance(size)
		}
	}
	return landed, nil
}
