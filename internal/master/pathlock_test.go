package master

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/fspath"
)

// TestPathLocksExclude has many goroutines lock random sets of paths in a
// small tree and checks, while they hold them, that nobody else holds a
// path they write or anything below it; all of them must finish (no
// deadlock), and the lock table must be empty afterwards.
func TestPathLocksExclude(t *testing.T) {
	l := newPathLocks()
	paths := []string{"/a", "/a/b", "/a/b/c", "/a/d", "/e", "/e/f"}
	type holder struct{ write, read map[string]bool }
	var mu sync.Mutex
	active := map[*holder]bool{}
	// enter registers what h holds and reports a conflict with another
	// holder: a path one writes that the other holds in any way.
	enter := func(h *holder) error {
		mu.Lock()
		defer mu.Unlock()
		for o := range active {
			for p := range h.write {
				if o.write[p] || o.read[p] {
					return fmt.Errorf("%s is written by one holder and held by another", p)
				}
			}
			for p := range h.read {
				if o.write[p] {
					return fmt.Errorf("%s is written by one holder and read by another", p)
				}
			}
		}
		active[h] = true
		return nil
	}
	leave := func(h *holder) {
		mu.Lock()
		delete(active, h)
		mu.Unlock()
	}
	holding := func(targets []string) *holder {
		h := &holder{write: map[string]bool{}, read: map[string]bool{}}
		for _, p := range targets {
			h.write[p] = true
		}
		for _, p := range targets {
			for a := fspath.Parent(p); a != ""; a = fspath.Parent(a) {
				if !h.write[a] {
					h.read[a] = true
				}
			}
		}
		return h
	}
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			for i := 0; i < 2000; i++ {
				targets := []string{paths[rng.IntN(len(paths))]}
				if rng.IntN(3) == 0 {
					if q := paths[rng.IntN(len(paths))]; q != targets[0] {
						targets = append(targets, q)
					}
				}
				unlock := l.lock(targets...)
				h := holding(targets)
				err := enter(h)
				leave(h)
				unlock()
				if err != nil {
					errc <- err
					return
				}
			}
		}(uint64(g))
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("path lockers did not finish: deadlock")
	}
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if n := len(l.locks); n != 0 {
		t.Fatalf("%d locks left in the table", n)
	}
}

// TestPathLocksSiblings checks that operations on siblings hold their
// locks at the same time, as creates in one directory must.
func TestPathLocksSiblings(t *testing.T) {
	l := newPathLocks()
	first := l.lock("/dir/a")
	got := make(chan func(), 1)
	go func() { got <- l.lock("/dir/b") }()
	select {
	case second := <-got:
		second()
	case <-time.After(10 * time.Second):
		t.Fatal("a lock on a sibling waited for another sibling's")
	}
	first()
}
