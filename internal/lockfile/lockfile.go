// Package lockfile claims a directory for one process: an advisory lock
// (flock) on a file in it, which the kernel drops when the process dies,
// and a line in the file saying who holds it. A second process that wants
// the directory (another master or worker, or `alluxio format` and
// `alluxio formatWorker`) is refused with the holder's name instead of
// deleting or corrupting what the first is using.
//
//	l, err := lockfile.Acquire(filepath.Join(dir, lockfile.Name), "worker localhost:29999")
//	if errors.Is(err, lockfile.ErrHeld) { ... another process has dir ... }
//	defer l.Release()
package lockfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Name is the lock file's name in the directory it claims.
const Name = "LOCK"

// Dir is the directory where processes that share a folder (masters on
// one UFS journal folder) each keep a lock file of their own.
const Dir = ".locks"

// ErrHeld is wrapped by the error of Acquire when another process (or
// another Acquire in this one) holds the lock.
var ErrHeld = errors.New("in use by another process")

// Lock is a held lock. Its zero value is not a lock.
type Lock struct {
	f    *os.File
	path string
}

// Acquire takes path's lock without waiting, creating the file if needed,
// and writes owner (what the holder is) with its pid and host into it. If
// the lock is held, the error wraps ErrHeld and names the holder as it
// described itself.
func Acquire(path, owner string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &HeldError{Path: path, Holder: readHolder(f)}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	host, _ := os.Hostname()
	line := fmt.Sprintf("%s (pid %d on %s)\n", owner, os.Getpid(), host)
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(line), 0)
	}
	// The description is a courtesy to whoever is refused; the lock
	// itself is what keeps them out, so a failed write is not fatal.
	return &Lock{f: f, path: path}, nil
}

// Release drops the lock. The file stays, for the next holder to reuse.
// Safe to call on nil and twice.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing drops the flock
	l.f = nil
	return err
}

// Path is the lock file's path.
func (l *Lock) Path() string { return l.path }

// HeldError is Acquire's refusal: who holds which lock file.
type HeldError struct {
	Path   string
	Holder string // as the holder described itself; "" if it wrote nothing
}

func (e *HeldError) Error() string {
	who := e.Holder
	if who == "" {
		who = "another process"
	}
	return fmt.Sprintf("%s is held by %s", e.Path, who)
}

// Unwrap makes a HeldError match ErrHeld.
func (e *HeldError) Unwrap() error { return ErrHeld }

func readHolder(f *os.File) string {
	b := make([]byte, 512)
	n, _ := f.ReadAt(b, 0)
	return strings.TrimSpace(string(b[:n]))
}

// AcquireAll takes every lock file below root (files called Name, and
// the files of any directory called Dir), so that root can be emptied
// while nobody can start on it. On a held lock it releases what it took
// and returns the HeldError. A root that does not exist holds no locks.
func AcquireAll(root, owner string) ([]*Lock, error) {
	var held []*Lock
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() || (d.Name() != Name && filepath.Base(filepath.Dir(p)) != Dir) {
			return nil
		}
		l, err := Acquire(p, owner)
		if err != nil {
			return err
		}
		held = append(held, l)
		return nil
	})
	if err != nil {
		ReleaseAll(held)
		return nil, err
	}
	return held, nil
}

// ReleaseAll releases locks.
func ReleaseAll(locks []*Lock) {
	for _, l := range locks {
		l.Release()
	}
}
