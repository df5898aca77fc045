package master

import (
	"sort"
	"sync"

	"github.com/alluxio-go/alluxio/internal/fspath"
)

// pathLocks serialises the operations on a path from their first look at
// the namespace to the answer of the journal entry that records them, and
// to the end of the under storage changes the entry asked for (mutate.go).
// What an operation checked (and loaded from the under storage) before
// proposing stays true until its entry applies, and the under storage
// changes of one path are carried out in journal order, one operation at
// a time: a delete's removal of a copy never runs after a later write
// published a new copy there.
//
// As in Alluxio's inode locking, an operation write-locks the paths it
// changes and read-locks their ancestors, so an operation on a directory
// (a recursive delete, a rename, a listing load) excludes the operations
// below it, and operations on siblings run side by side.
type pathLocks struct {
	mu    sync.Mutex
	locks map[string]*pathLock
}

type pathLock struct {
	sync.RWMutex
	refs int
}

func newPathLocks() *pathLocks { return &pathLocks{locks: map[string]*pathLock{}} }

// lock write-locks each of paths and read-locks their ancestors, and
// returns the function that releases them all. Locks are taken in one
// global order (by path) so that two operations never wait for each other
// in a cycle. The paths must be clean.
func (l *pathLocks) lock(paths ...string) (unlock func()) {
	write := map[string]bool{}
	for _, p := range paths {
		write[p] = true
		for a := fspath.Parent(p); a != ""; a = fspath.Parent(a) {
			if _, ok := write[a]; !ok {
				write[a] = false
			}
		}
	}
	order := make([]string, 0, len(write))
	for p := range write {
		order = append(order, p)
	}
	sort.Strings(order)
	held := make([]*pathLock, len(order))
	l.mu.Lock()
	for i, p := range order {
		pl := l.locks[p]
		if pl == nil {
			pl = &pathLock{}
			l.locks[p] = pl
		}
		pl.refs++
		held[i] = pl
	}
	l.mu.Unlock()
	for i, p := range order {
		if write[p] {
			held[i].Lock()
		} else {
			held[i].RLock()
		}
	}
	return func() {
		for i := len(order) - 1; i >= 0; i-- {
			if write[order[i]] {
				held[i].Unlock()
			} else {
				held[i].RUnlock()
			}
		}
		l.mu.Lock()
		for i, p := range order {
			if held[i].refs--; held[i].refs == 0 {
				delete(l.locks, p)
			}
		}
		l.mu.Unlock()
	}
}
