package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// CopyOptions configure CreateFrom, CopyFromLocal, CopyToLocal and Copy.
type CopyOptions struct {
	// Recursive copies a directory and everything below it; without it a
	// directory source fails with ErrIsDirectory.
	Recursive bool
	// BufferSize is how many bytes are read and written at a time; 0
	// means 8 MiB.
	BufferSize int
	// WriteType of the files created in Alluxio; "" means Config.WriteType.
	WriteType string
	// Progress, when set, is called from the copying goroutine after each
	// file is copied or skipped.
	Progress func(CopyEvent)
	// Bytes, when set, is called from the copying goroutine with the
	// length of each piece written, for a progress bar; the calls of a
	// whole copy add up to the bytes copied.
	Bytes func(n int64)
}

// CopyEvent is one file a copy is done with. Local paths are absolute
// paths of this machine; the others are Alluxio paths.
type CopyEvent struct {
	Src, Dst string
	// Skipped says why the file was not copied; "" when it was.
	Skipped string
}

// defaultCopyBuffer is what cp-like tools use when not told.
const defaultCopyBuffer = 8 << 20

// copier is one copy call's settings.
type copier struct {
	f    *FileSystem
	ctx  context.Context
	o    CopyOptions
	buf  []byte
	mkdr CreateDirectoryOptions
}

func (f *FileSystem) copier(ctx context.Context, o CopyOptions) *copier {
	if o.BufferSize <= 0 {
		o.BufferSize = defaultCopyBuffer
	}
	return &copier{f: f, ctx: ctx, o: o, buf: make([]byte, o.BufferSize),
		mkdr: CreateDirectoryOptions{Recursive: true, AllowExists: true}}
}

// counted wraps w so each write is told to Bytes; it also hides any
// ReaderFrom of w, so io.CopyBuffer uses the configured buffer size.
func (c *copier) counted(w io.Writer) io.Writer {
	if c.o.Bytes == nil {
		return struct{ io.Writer }{w}
	}
	return countingWriter{w: w, n: c.o.Bytes}
}

type countingWriter struct {
	w io.Writer
	n func(int64)
}

func (cw countingWriter) Write(p []byte) (int, error) {
	n, err := cw.w.Write(p)
	if n > 0 {
		cw.n(int64(n))
	}
	return n, err
}

func (c *copier) report(src, dst, skipped string) {
	if c.o.Progress != nil {
		c.o.Progress(CopyEvent{Src: src, Dst: dst, Skipped: skipped})
	}
}

// CopyDestination is where a copy of a source named name goes when it is
// asked to go to dst: inside dst when dst is an existing directory or ends
// in "/", else dst itself. inside says which.
func (f *FileSystem) CopyDestination(ctx context.Context, dst, name string) (to string, inside bool, err error) {
	fi, err := f.GetStatus(ctx, dst, StatusOptions{})
	switch {
	case errors.Is(err, ErrNotFound):
		if strings.HasSuffix(dst, "/") {
			return path.Join(dst, name), true, nil
		}
		return dst, false, nil
	case err != nil:
		return "", false, err
	case fi.IsDir:
		return path.Join(dst, name), true, nil
	}
	return dst, false, nil
}

// CreateFrom creates the Alluxio file dst (and its missing parents) with
// what r holds up to EOF. A failed copy leaves no incomplete file behind:
// dst is either complete with all of r or, as far as this call could
// manage, gone.
func (f *FileSystem) CreateFrom(ctx context.Context, dst string, r io.Reader, o CopyOptions) error {
	return f.copier(ctx, o).write(dst, r)
}

func (c *copier) write(dst string, r io.Reader) error {
	w, err := c.f.Create(c.ctx, dst, CreateFileOptions{Recursive: true, WriteType: c.o.WriteType})
	if err != nil {
		return err
	}
	// Hiding WriterTo makes io.CopyBuffer use the configured buffer size.
	if _, err := io.CopyBuffer(c.counted(w), struct{ io.Reader }{r}, c.buf); err != nil {
		w.Cancel()
		c.dropIncomplete(dst)
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	if err := w.Close(); err != nil {
		c.dropIncomplete(dst)
		return err
	}
	return nil
}

// dropIncomplete deletes p if it is still an incomplete file, also when
// the copy failed because ctx ended.
func (c *copier) dropIncomplete(p string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 30*time.Second)
	defer cancel()
	if fi, err := c.f.GetStatus(ctx, p, StatusOptions{}); err == nil && !fi.Completed {
		_ = c.f.Delete(ctx, p, DeleteOptions{AlluxioOnly: true})
	}
}

// CopyFromLocal copies the local file or directory local (a path of this
// machine) to dst in Alluxio, or into dst when it is an existing directory
// or ends in "/" (see CopyDestination). A symbolic link is followed;
// sockets and devices are skipped (reported through Progress).
func (f *FileSystem) CopyFromLocal(ctx context.Context, local, dst string, o CopyOptions) error {
	c := f.copier(ctx, o)
	local, err := filepath.Abs(local)
	if err != nil {
		return err
	}
	st, err := os.Stat(local)
	if err != nil {
		return err
	}
	if st.IsDir() && !o.Recursive {
		return errs.New(errs.ErrIsDirectory, "copy %s without Recursive", local)
	}
	to, _, err := f.CopyDestination(ctx, dst, filepath.Base(local))
	if err != nil {
		return err
	}
	return filepath.WalkDir(local, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(local, p)
		target := to
		if rel != "." {
			target = path.Join(to, filepath.ToSlash(rel))
		}
		if d.IsDir() {
			_, err := f.CreateDirectory(ctx, target, c.mkdr)
			return err
		}
		return c.fromLocalFile(p, target)
	})
}

func (c *copier) fromLocalFile(local, dst string) error {
	st, err := os.Stat(local) // a symlink is followed to what it names
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() && st.Mode()&os.ModeNamedPipe == 0 {
		c.report(local, dst, "not a regular file")
		return nil
	}
	in, err := os.Open(local)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := c.write(dst, in); err != nil {
		return err
	}
	c.report(local, dst, "")
	return nil
}

// CopyToLocal copies the Alluxio file or directory src to the local path
// local, or into it when it is an existing directory. An existing local
// file is never overwritten, and a failed copy leaves no partial file
// under the wanted name.
func (f *FileSystem) CopyToLocal(ctx context.Context, src, local string, o CopyOptions) error {
	c := f.copier(ctx, o)
	local, err := filepath.Abs(local)
	if err != nil {
		return err
	}
	if st, err := os.Stat(local); err == nil && st.IsDir() {
		local = filepath.Join(local, path.Base(src))
	}
	fi, below, err := f.tree(ctx, src, o.Recursive)
	if err != nil {
		return err
	}
	if !fi.IsDir {
		return c.toLocalFile(src, local)
	}
	if err := os.MkdirAll(local, 0o755); err != nil {
		return err
	}
	for _, b := range below {
		target := filepath.Join(local, filepath.FromSlash(relBelow(src, b.Path)))
		if b.IsDir {
			err = os.MkdirAll(target, 0o755)
		} else {
			err = c.toLocalFile(b.Path, target)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// toLocalFile writes into a temporary file renamed at the end.
func (c *copier) toLocalFile(src, local string) error {
	if _, err := os.Lstat(local); err == nil {
		return errs.New(errs.ErrAlreadyExists, "%s", local)
	}
	r, err := c.f.OpenFile(c.ctx, src, OpenOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	tmp, err := os.CreateTemp(filepath.Dir(local), "."+filepath.Base(local)+".copying-*")
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(c.counted(tmp), struct{ io.Reader }{r}, c.buf)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), local)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("copy %s to %s: %w", src, local, err)
	}
	c.report(src, local, "")
	return nil
}

// Copy copies the Alluxio file or directory src to dst, or into dst when
// it is an existing directory or ends in "/" (see CopyDestination). A
// directory cannot be copied into itself.
func (f *FileSystem) Copy(ctx context.Context, src, dst string, o CopyOptions) error {
	c := f.copier(ctx, o)
	fi, below, err := f.tree(ctx, src, o.Recursive)
	if err != nil {
		return err
	}
	dst, _, err = f.CopyDestination(ctx, dst, path.Base(src))
	if err != nil {
		return err
	}
	if !fi.IsDir {
		return c.withinFile(src, dst)
	}
	if rel := relBelow(src, dst); rel != dst || path.Clean(src) == path.Clean(dst) {
		return errs.New(errs.ErrInvalidArg, "cannot copy %s into itself (%s)", src, dst)
	}
	if _, err := f.CreateDirectory(ctx, dst, c.mkdr); err != nil {
		return err
	}
	for _, b := range below {
		target := path.Join(dst, relBelow(src, b.Path))
		if b.IsDir {
			_, err = f.CreateDirectory(ctx, target, c.mkdr)
		} else {
			err = c.withinFile(b.Path, target)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *copier) withinFile(src, dst string) error {
	r, err := c.f.OpenFile(c.ctx, src, OpenOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	if err := c.write(dst, r); err != nil {
		return err
	}
	c.report(src, dst, "")
	return nil
}

// tree is p's status and, for a directory copied recursively, everything
// below it in path order (parents before children). A directory without
// recursive fails with ErrIsDirectory.
func (f *FileSystem) tree(ctx context.Context, p string, recursive bool) (*FileInfo, []*FileInfo, error) {
	fi, err := f.GetStatus(ctx, p, StatusOptions{})
	if err != nil || !fi.IsDir {
		return fi, nil, err
	}
	if !recursive {
		return nil, nil, errs.New(errs.ErrIsDirectory, "copy %s without Recursive", p)
	}
	below, err := f.ListStatus(ctx, p, true, StatusOptions{})
	sort.Slice(below, func(i, j int) bool { return below[i].Path < below[j].Path })
	return fi, below, err
}

// relBelow is p relative to the directory top, both Alluxio paths; p
// itself when it is not below top.
func relBelow(top, p string) string {
	return strings.TrimPrefix(p, strings.TrimSuffix(path.Clean(top), "/")+"/")
}
