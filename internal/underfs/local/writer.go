package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Create implements underfs.UnderFileSystem. The temporary file lives in
// the target's directory so that publishing it is a rename within one
// file system, which is atomic.
func (fs *FS) Create(ctx context.Context, p string, opts underfs.CreateOptions) (underfs.Writer, error) {
	const op = "create"
	rel, abs, err := fs.resolve(ctx, op, p)
	if err != nil {
		return nil, err
	}
	perm, err := fs.checkPerm(op, rel, opts.Perm, underfs.DefaultFilePerm)
	if err != nil {
		return nil, err
	}
	if rel == "" {
		return nil, fs.fail(errs.ErrIsDirectory, op, rel, "the root is a directory")
	}
	switch info, err := os.Stat(abs); {
	case err == nil && info.IsDir():
		return nil, fs.fail(errs.ErrIsDirectory, op, rel, "")
	case err == nil && !opts.Overwrite:
		return nil, fs.fail(errs.ErrAlreadyExists, op, rel, "")
	case errors.Is(err, syscall.ENOTDIR):
		return nil, fs.fail(errs.ErrNotDirectory, op, rel, "an ancestor is a file")
	case err != nil && !errors.Is(err, syscall.ENOENT):
		return nil, fs.osErr(op, rel, err)
	}
	if opts.CreateParents {
		if err := fs.mkdirs(op, parentOf(rel), underfs.DefaultDirPerm); err != nil {
			if errors.Is(err, errs.ErrAlreadyExists) {
				return nil, fs.fail(errs.ErrNotDirectory, op, rel, "its parent is a file")
			}
			return nil, err
		}
	}
	f, tmp, err := createTemp(filepath.Dir(abs))
	switch {
	case errors.Is(err, syscall.ENOENT):
		return nil, fs.fail(errs.ErrNotFound, op, rel, "its parent directory does not exist")
	case errors.Is(err, syscall.ENOTDIR):
		return nil, fs.fail(errs.ErrNotDirectory, op, rel, "an ancestor is a file")
	case err != nil:
		return nil, fs.osErr(op, rel, err)
	}
	return &writer{fs: fs, f: f, rel: rel, abs: abs, tmp: tmp, perm: perm, overwrite: opts.Overwrite}, nil
}

// createTemp makes a new temporary file in dir, readable only by us until
// it is published with its real permissions.
func createTemp(dir string) (*os.File, string, error) {
	for range 10 {
		var b [8]byte
		_, _ = rand.Read(b[:]) // never fails, per its documentation
		tmp := filepath.Join(dir, TempPrefix+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			// Held until the file is published or dropped: Cleanup takes
			// a temporary file that no one holds for a dead writer's. A
			// file system without flock gives no lock, and Cleanup then
			// removes nothing there.
			_ = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		}
		if !errors.Is(err, syscall.EEXIST) {
			return f, tmp, err
		}
	}
	return nil, "", syscall.EEXIST
}

type writer struct {
	fs        *FS
	f         *os.File
	rel, abs  string
	tmp       string
	perm      os.FileMode
	overwrite bool
	done      bool
}

func (w *writer) Write(b []byte) (int, error) {
	if w.done {
		return 0, w.fs.fail(errs.ErrPrecondition, "write", w.rel, "writer already closed or canceled")
	}
	n, err := w.f.Write(b)
	if err != nil {
		return n, w.fs.osErr("write", w.rel, err)
	}
	return n, nil
}

// Close publishes the file: data and permissions are synced before the
// rename, so no crash can leave a partial file at the path, and the
// directory is synced after it, so the new name itself survives a crash.
func (w *writer) Close() error {
	const op = "close"
	if w.done {
		return w.fs.fail(errs.ErrPrecondition, op, w.rel, "writer already closed or canceled")
	}
	w.done = true
	err := w.f.Chmod(w.perm)
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if w.overwrite {
			err = os.Rename(w.tmp, w.abs)
		} else {
			err = renameNoReplace(w.tmp, w.abs)
		}
	}
	if err != nil {
		_ = os.Remove(w.tmp) // best effort; a leftover stays hidden
		switch {
		case errors.Is(err, syscall.ENOENT):
			return w.fs.fail(errs.ErrNotFound, op, w.rel, "its directory was removed while it was written")
		case errors.Is(err, syscall.EEXIST) && isDir(w.abs):
			return w.fs.fail(errs.ErrIsDirectory, op, w.rel, "a directory was created there while it was written")
		case errors.Is(err, syscall.EEXIST):
			return w.fs.fail(errs.ErrAlreadyExists, op, w.rel, "created by someone else while it was written")
		case errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTEMPTY):
			return w.fs.fail(errs.ErrIsDirectory, op, w.rel, "a directory was created there while it was written")
		}
		return w.fs.osErr(op, w.rel, err)
	}
	if err := syncDir(filepath.Dir(w.abs)); err != nil {
		sentinel, detail := classify(err)
		return w.fs.fail(sentinel, op, w.rel, "the file is in place, but syncing its directory failed, so it may not survive a crash: "+detail)
	}
	return nil
}

func (w *writer) Cancel() error {
	if w.done {
		return nil
	}
	w.done = true
	_ = w.f.Close() // the data is being thrown away; only removal matters
	if err := os.Remove(w.tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return w.fs.osErr("cancel", w.rel, err)
	}
	return nil
}

func isDir(p string) bool {
	info, err := os.Lstat(p)
	return err == nil && info.IsDir()
}

// Open implements underfs.UnderFileSystem. The reader also implements
// io.ReaderAt and io.Seeker. It keeps reading the file it opened even if
// the path is overwritten or deleted meanwhile.
func (fs *FS) Open(ctx context.Context, p string, offset int64) (io.ReadCloser, error) {
	const op = "open"
	rel, abs, err := fs.resolve(ctx, op, p)
	if err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, fs.fail(errs.ErrInvalidArg, op, rel, "negative offset")
	}
	// Stat first: opening a named pipe would block until a writer came.
	info, err := os.Stat(abs)
	switch {
	case err != nil:
		return nil, fs.lookupErr(op, rel, err)
	case info.IsDir():
		return nil, fs.fail(errs.ErrIsDirectory, op, rel, "")
	case !info.Mode().IsRegular():
		return nil, fs.fail(errs.ErrNotFound, op, rel, "not a regular file")
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, fs.lookupErr(op, rel, err)
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		_ = f.Close()
		return nil, fs.osErr(op, rel, err)
	}
	return &reader{fs: fs, f: f, rel: rel}, nil
}

// reader converts the errors of an *os.File so that they wrap errs
// sentinels like everything else in this package; io.EOF passes as is.
type reader struct {
	fs  *FS
	f   *os.File
	rel string
}

func (r *reader) Read(b []byte) (int, error) {
	n, err := r.f.Read(b)
	return n, r.err("read", err)
}

func (r *reader) ReadAt(b []byte, off int64) (int, error) {
	n, err := r.f.ReadAt(b, off)
	return n, r.err("read", err)
}

func (r *reader) Seek(offset int64, whence int) (int64, error) {
	n, err := r.f.Seek(offset, whence)
	return n, r.err("seek", err)
}

func (r *reader) Close() error {
	return r.err("close", r.f.Close())
}

func (r *reader) err(op string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return r.fs.osErr(op, r.rel, err)
}
