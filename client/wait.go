package client

import (
	"context"
	"fmt"
	"time"
)

// Waits for what workers do after a heartbeat poll the master with a pause
// that grows from pollFirst to pollMax: a free or a persist takes at least
// one heartbeat, and a long persist should not cost a call every 100 ms.
const (
	pollFirst = 100 * time.Millisecond
	pollMax   = time.Second
)

// poll calls done until it reports true or fails, pausing between calls.
// When ctx ends first it returns an error wrapping ctx's error, whatever
// the call in flight answered.
func poll(ctx context.Context, done func() (bool, error)) error {
	for wait := pollFirst; ; wait = min(2*wait, pollMax) {
		ok, err := done()
		switch {
		case ok && err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// WaitFreed waits until no worker caches a block of the file path or of
// any file below the directory path. Workers drop blocks at their next
// heartbeat after Free; while it waits, WaitFreed frees path again with o
// (as Alluxio's free command does) in case a reader cached blocks again.
// When ctx ends first it returns an error wrapping ctx's error.
func (f *FileSystem) WaitFreed(ctx context.Context, path string, o FreeOptions) error {
	err := poll(ctx, func() (bool, error) {
		files, err := f.files(ctx, path)
		if err != nil {
			return false, err
		}
		for _, fi := range files {
			for _, b := range fi.Blocks {
				if len(b.Locations) > 0 {
					return false, f.Free(ctx, path, o)
				}
			}
		}
		return true, nil
	})
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("waiting for %s to be freed: %w", path, err)
	}
	return err
}

// WaitPersisted waits until every file in paths is persisted (see
// Persist); done, when set, is called once for each as it is found
// persisted, with its status then. When ctx ends first it returns an
// error wrapping ctx's error that names a file not persisted yet.
func (f *FileSystem) WaitPersisted(ctx context.Context, paths []string, done func(*FileInfo)) error {
	pending := append([]string(nil), paths...)
	err := poll(ctx, func() (bool, error) {
		left := pending[:0]
		for _, p := range pending {
			fi, err := f.GetStatus(ctx, p, StatusOptions{})
			if err != nil {
				return false, err
			}
			if !fi.Persisted {
				left = append(left, p)
			} else if done != nil {
				done(fi)
			}
		}
		pending = left
		return len(pending) == 0, nil
	})
	if err != nil && ctx.Err() != nil && len(pending) > 0 {
		return fmt.Errorf("waiting for %s to be persisted: %w", pending[0], err)
	}
	return err
}

// files is the file at p, or the files below the directory p.
func (f *FileSystem) files(ctx context.Context, p string) ([]*FileInfo, error) {
	fi, err := f.GetStatus(ctx, p, StatusOptions{})
	if err != nil || !fi.IsDir {
		return []*FileInfo{fi}, err
	}
	below, err := f.ListStatus(ctx, p, true, StatusOptions{})
	var out []*FileInfo
	for _, b := range below {
		if !b.IsDir {
			out = append(out, b)
		}
	}
	return out, err
}
