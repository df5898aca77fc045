package raftjournal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive lock on dir for as long as the returned file
// is open. raft-wal waits forever for its own metadata lock; asking first,
// without waiting, turns a second master on the same directory into an
// error.
func lockDir(dir string) (*os.File, error) {
	p := filepath.Join(dir, "LOCK")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("embedded journal: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("embedded journal: %s is locked: is another master using it?", dir)
		}
		return nil, fmt.Errorf("embedded journal: lock %s: %w", p, err)
	}
	return f, nil
}
