package raftjournal

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/alluxio-go/alluxio/internal/lockfile"
)

// lockDir claims dir for this master for as long as the lock is held, and
// writes who holds it into DataDir/LOCK. raft-wal waits forever for its
// own metadata lock; asking first, without waiting, turns a second master
// on the same directory into an error, and lets `alluxio format` name the
// master it must not pull the journal from under.
func lockDir(dir, address string) (*lockfile.Lock, error) {
	l, err := lockfile.Acquire(filepath.Join(dir, lockfile.Name), "master "+address+" (embedded journal)")
	if errors.Is(err, lockfile.ErrHeld) {
		return nil, fmt.Errorf("embedded journal: %s is in use: %w", dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("embedded journal: %w", err)
	}
	return l, nil
}
