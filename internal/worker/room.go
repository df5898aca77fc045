package worker

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/worker/blockstore"
)

// beats lets a writer that found no room ask for a heartbeat now and wait
// for it. The worker learns which files' blocks it must keep (the
// protected set) from heartbeat answers only, so right after a file is
// deleted its blocks still look like the only copy of its data, and
// without this a write into a worker full of them failed until the next
// heartbeat (a second by default).
type beats struct {
	kick chan struct{}
	mu   sync.Mutex
	next chan struct{} // closed when a heartbeat begun after it was handed out ends
}

func newBeats() *beats {
	return &beats{kick: make(chan struct{}, 1), next: make(chan struct{})}
}

// begin is called as a heartbeat (or registration) starts; closing the
// channel it returns, once that heartbeat ended, wakes whoever waited.
func (b *beats) begin() chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	done := b.next
	b.next = make(chan struct{})
	return done
}

// refreshWait bounds how long a write waits for the heartbeat it asked for.
const refreshWait = 5 * time.Second

// refresh asks for a heartbeat now and waits until one that began after
// the call has ended; false when ctx ended or none ended in time.
func (b *beats) refresh(ctx context.Context) bool {
	b.mu.Lock()
	ch := b.next
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default: // one is asked for already
	}
	t := time.NewTimer(refreshWait)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
	case <-t.C:
	}
	return false
}

// withRoom runs fn, a step of a client's write that reserves space, and
// when it fails for want of room asks the master what may be evicted and
// runs it once more. fn must change nothing when it fails that way (the
// block store's CreateBlock, Reserve and Write do not).
func (s *Server) withRoom(ctx context.Context, fn func() error) error {
	err := fn()
	if errors.Is(err, errs.ErrNoSpace) && s.beats.refresh(ctx) {
		err = fn()
	}
	return err
}

// createBlock is the block store's CreateBlock for a client's write, with
// room made as withRoom does.
func (s *Server) createBlock(ctx context.Context, id, sizeHint int64, tier string) (*blockstore.TempBlock, error) {
	var tmp *blockstore.TempBlock
	err := s.withRoom(ctx, func() (err error) {
		tmp, err = s.store.CreateBlock(id, sizeHint, tier)
		return err
	})
	return tmp, err
}
