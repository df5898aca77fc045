package local

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/alluxio-go/alluxio/internal/underfs"
)

var _ underfs.Cleaner = (*FS)(nil)

// cleanupGrace is how long a temporary file must have been left unchanged
// before Cleanup takes it: a writer locks its file right after creating
// it, and changes it (its mode) right before it releases the lock to
// publish it, so a file in either window is recent.
var cleanupGrace = time.Minute

// Cleanup implements underfs.Cleaner: it removes the temporary files of
// writers that died (a worker killed mid-write), anywhere below the root.
// A live writer holds an exclusive flock on its file, so a file Cleanup
// can lock, and that nobody changed for cleanupGrace, has no writer. The
// walk does not follow symbolic links.
func (fsys *FS) Cleanup(ctx context.Context) (int, error) {
	const op = "clean up"
	if _, _, err := fsys.resolve(ctx, op, ""); err != nil {
		return 0, err
	}
	n := 0
	err := filepath.WalkDir(fsys.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile
			}
			return err
		}
		if d.IsDir() {
			return ctx.Err()
		}
		if !strings.HasPrefix(d.Name(), TempPrefix) || !d.Type().IsRegular() {
			return nil
		}
		if removed, err := removeAbandoned(p); err != nil {
			fsys.log.Warn("could not remove a temporary file a dead writer left", "file", p, "err", err)
		} else if removed {
			n++
		}
		return nil
	})
	if err != nil {
		return n, fsys.osErr(op, "", err)
	}
	return n, nil
}

// removeAbandoned removes the temporary file p if no writer holds it and
// it has not changed for cleanupGrace.
func removeAbandoned(p string) (bool, error) {
	// Read-write: on NFS an exclusive lock needs a file open for writing.
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false, nil // a writer holds it, or the file system has no flock
	}
	info, err := f.Stat()
	if err != nil {
		return false, err
	}
	if time.Since(changeTime(info)) < cleanupGrace {
		return false, nil
	}
	// Removed while locked: a writer that published it meanwhile renamed
	// it away, and the name is then gone or another writer's (whose lock
	// we do not hold, but which is new, so the check above spared it).
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return true, nil
}
