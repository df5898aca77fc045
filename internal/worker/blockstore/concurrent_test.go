package blockstore

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// TestConcurrentUse runs writers, readers, promotions, removals, pins and
// heartbeats at once on small tiers, so eviction and moves run all the
// time; with -race it checks the locking, and the content checks prove a
// reader never sees another block's bytes or a half-moved file.
func TestConcurrentUse(t *testing.T) {
	const (
		writers   = 6
		perWriter = 40
		size      = 16 << 10
	)
	s, _ := openStore(t,
		tierOf("MEM", 6*size, t.TempDir()),
		TierConfig{Alias: "SSD", Dirs: []DirConfig{{Path: t.TempDir(), Quota: 4 * size}, {Path: t.TempDir(), Quota: 5 * size}}},
		tierOf("HDD", 8*size, t.TempDir()))
	id := func(w, i int) int64 { return int64(w*perWriter+i+1) << blockid.IndexBits }
	tolerated := func(err error) bool {
		return err == nil || errors.Is(err, errs.ErrNotFound) || errors.Is(err, errs.ErrNoSpace) || errors.Is(err, errs.ErrPrecondition)
	}
	var failed atomic.Bool
	fail := func(format string, args ...any) {
		failed.Store(true)
		t.Errorf(format, args...)
	}
	var writing sync.WaitGroup
	for w := range writers {
		writing.Go(func() {
			for i := range perWriter {
				id := id(w, i)
				tb, err := s.CreateBlock(id, int64(i%2)*size, "")
				if err != nil {
					if !tolerated(err) {
						fail("CreateBlock(%d): %v", id, err)
					}
					continue
				}
				data := content(id, size)
				for off := 0; off < size && err == nil; off += 5000 {
					_, err = tb.Write(data[off:min(off+5000, size)])
				}
				if err == nil && i%7 == 3 {
					err = tb.Abort()
				} else if err == nil {
					_, err = tb.Commit()
				} else {
					tb.Abort()
				}
				if !tolerated(err) {
					fail("write block %d: %v", id, err)
				}
			}
		})
	}
	done := make(chan struct{})
	var others sync.WaitGroup
	for r := range 4 {
		others.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 7))
			buf := make([]byte, size)
			for {
				select {
				case <-done:
					return
				default:
				}
				id := id(rng.IntN(writers), rng.IntN(perWriter))
				h, err := s.OpenBlock(id)
				if err != nil {
					if !tolerated(err) {
						fail("OpenBlock(%d): %v", id, err)
					}
					continue
				}
				n, err := h.ReadAt(buf, 0)
				if n != size || !bytes.Equal(buf, content(id, size)) {
					fail("block %d: read %d bytes (%v), content differs", id, n, err)
				}
				h.Close()
			}
		})
	}
	others.Go(func() {
		rng := rand.New(rand.NewPCG(99, 7))
		for {
			select {
			case <-done:
				return
			default:
			}
			id := id(rng.IntN(writers), rng.IntN(perWriter))
			var err error
			switch rng.IntN(6) {
			case 0:
				err = s.Promote(id)
			case 1:
				err = s.Remove(id)
			case 2:
				err = s.Verify(id)
			case 3:
				s.SetPinnedFiles([]int64{blockid.FileID(id)})
			case 4:
				s.TakeChanges()
				s.Capacity()
				s.Blocks()
			case 5:
				s.EvictAboveWatermark()
				s.Meta(id)
			}
			if !tolerated(err) {
				fail("op on block %d: %v", id, err)
			}
		}
	})
	writing.Wait()
	close(done)
	others.Wait()
	if failed.Load() {
		return
	}
	for _, m := range s.Blocks() {
		if err := s.Verify(m.ID); err != nil {
			t.Errorf("block %d after the run: %v", m.ID, err)
		}
	}
	for _, u := range s.Capacity() {
		if u.Used > u.Capacity {
			t.Errorf("tier %s over capacity: %+v", u.Alias, u)
		}
	}
	checkAccounting(t, s)
}
