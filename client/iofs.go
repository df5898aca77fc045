package client

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"sort"
	"time"
)

// FS returns a read-only io/fs view of the namespace, for code written
// against fs.FS (http.FileServer, template.ParseFS, fstest). Names follow
// io/fs: unrooted and slash separated, "." for the root, so "a/b" is the
// Alluxio path /a/b. ctx bounds every call and every opened file.
func (f *FileSystem) FS(ctx context.Context) fs.FS { return &ioFS{f: f, ctx: ctx} }

type ioFS struct {
	f   *FileSystem
	ctx context.Context
}

var (
	_ fs.ReadDirFS   = (*ioFS)(nil)
	_ fs.StatFS      = (*ioFS)(nil)
	_ fs.ReadDirFile = (*ioDir)(nil)
	_ io.ReaderAt    = (*ioFile)(nil)
	_ io.Seeker      = (*ioFile)(nil)
)

// alluxioPath maps an io/fs name to an Alluxio path.
func alluxioPath(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return "/", nil
	}
	return "/" + name, nil
}

func (x *ioFS) Open(name string) (fs.File, error) {
	p, err := alluxioPath("open", name)
	if err != nil {
		return nil, err
	}
	info, err := x.f.GetStatus(x.ctx, p, StatusOptions{})
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	if info.IsDir {
		return &ioDir{fs: x, name: name, path: p, info: info}, nil
	}
	rt, err := x.f.readType("")
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	r, err := x.f.openStatus(x.ctx, p, info, rt)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	return &ioFile{FileReader: r, name: name}, nil
}

func (x *ioFS) Stat(name string) (fs.FileInfo, error) {
	p, err := alluxioPath("stat", name)
	if err != nil {
		return nil, err
	}
	info, err := x.f.GetStatus(x.ctx, p, StatusOptions{})
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	return ioInfo{name: path.Base(name), fi: info}, nil
}

func (x *ioFS) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := alluxioPath("readdir", name)
	if err != nil {
		return nil, err
	}
	return x.readDir(name, p)
}

// readDir lists p sorted by name, as fs.ReadDir promises.
func (x *ioFS) readDir(name, p string) ([]fs.DirEntry, error) {
	list, err := x.f.ListStatus(x.ctx, p, false, StatusOptions{})
	if err != nil {
		return nil, pathErr("readdir", name, err)
	}
	// ListStatus of a file lists the file itself.
	if len(list) == 1 && !list[0].IsDir && list[0].Path == p {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: ErrNotDirectory}
	}
	return dirEntries(list), nil
}

func dirEntries(list []*FileInfo) []fs.DirEntry {
	out := make([]fs.DirEntry, len(list))
	for i, fi := range list {
		out[i] = fs.FileInfoToDirEntry(ioInfo{name: fi.Name, fi: fi})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// ioInfo is a FileInfo as io/fs sees it.
type ioInfo struct {
	name string
	fi   *FileInfo
}

func (i ioInfo) Name() string       { return i.name }
func (i ioInfo) Size() int64        { return i.fi.Length }
func (i ioInfo) ModTime() time.Time { return i.fi.Modified }
func (i ioInfo) IsDir() bool        { return i.fi.IsDir }
func (i ioInfo) Sys() any           { return i.fi }
func (i ioInfo) Mode() fs.FileMode {
	if i.fi.IsDir {
		return fs.ModeDir | i.fi.Mode.Perm()
	}
	return i.fi.Mode.Perm()
}

type ioFile struct {
	*FileReader
	name string
}

func (f *ioFile) Stat() (fs.FileInfo, error) {
	return ioInfo{name: path.Base(f.name), fi: f.Info()}, nil
}

// ioDir is an open directory; its entries are listed on the first
// ReadDir and handed out from there.
type ioDir struct {
	fs      *ioFS
	name    string
	path    string
	info    *FileInfo
	entries []fs.DirEntry
	listed  bool
	off     int
}

func (d *ioDir) Stat() (fs.FileInfo, error) { return ioInfo{name: path.Base(d.name), fi: d.info}, nil }
func (d *ioDir) Close() error               { return nil }
func (d *ioDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: ErrIsDirectory}
}

func (d *ioDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.listed {
		entries, err := d.fs.readDir(d.name, d.path)
		if err != nil {
			return nil, err
		}
		d.entries, d.listed = entries, true
	}
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	k := min(n, len(rest))
	d.off += k
	return rest[:k], nil
}

// pathErr wraps a client error for io/fs callers, who test it against
// fs.ErrNotExist and friends.
func pathErr(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: ioErr(err)}
}

func ioErr(err error) error {
	var kind error
	switch {
	case errors.Is(err, ErrNotFound):
		kind = fs.ErrNotExist
	case errors.Is(err, ErrAlreadyExists):
		kind = fs.ErrExist
	case errors.Is(err, ErrPermission):
		kind = fs.ErrPermission
	case errors.Is(err, ErrInvalidPath), errors.Is(err, ErrInvalidArg):
		kind = fs.ErrInvalid
	default:
		return err
	}
	return kindError{err: err, kind: kind}
}

// kindError is err that also matches kind with errors.Is, keeping err's
// message.
type kindError struct{ err, kind error }

func (e kindError) Error() string   { return e.err.Error() }
func (e kindError) Unwrap() []error { return []error{e.kind, e.err} }
