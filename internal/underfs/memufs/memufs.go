package memufs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// FS is an underfs.UnderFileSystem in memory.
type FS struct {
	uri    string
	closed atomic.Bool
	mu     sync.Mutex
	root   *node
}

var _ underfs.UnderFileSystem = (*FS)(nil)

type node struct {
	dir          bool
	data         []byte // never changed once published, so readers share it
	mode         os.FileMode
	mtime        time.Time
	owner, group string
	kids         map[string]*node
}

// New returns an empty FS whose Root reports uri.
func New(uri string) *FS {
	return &FS{uri: uri, root: &node{dir: true, mode: underfs.DefaultDirPerm, mtime: time.Now(), kids: map[string]*node{}}}
}

// Root implements underfs.UnderFileSystem.
func (fs *FS) Root() string { return fs.uri }

// Close implements underfs.UnderFileSystem.
func (fs *FS) Close() error {
	fs.closed.Store(true)
	return nil
}

func (fs *FS) fail(sentinel error, op, p, detail string) error {
	if detail == "" {
		return errs.New(sentinel, "%s %q in %s", op, p, fs.uri)
	}
	return errs.New(sentinel, "%s %q in %s: %s", op, p, fs.uri, detail)
}

// begin runs the checks every method starts with and splits the path.
func (fs *FS) begin(ctx context.Context, op, p string) (rel string, comps []string, err error) {
	if err := ctx.Err(); err != nil {
		return "", nil, fmt.Errorf("%s %q: %w", op, p, err)
	}
	if fs.closed.Load() {
		return "", nil, fs.fail(errs.ErrUnavailable, op, p, "under file system is closed")
	}
	rel, err = underfs.CleanPath(p)
	if err != nil || rel == "" {
		return rel, nil, err
	}
	return rel, strings.Split(rel, "/"), nil
}

// lookup finds an existing object; a file on the way means there is none.
func (fs *FS) lookup(op, rel string, comps []string) (*node, error) {
	n := fs.root
	for _, c := range comps {
		if !n.dir || n.kids[c] == nil {
			return nil, fs.fail(errs.ErrNotFound, op, rel, "")
		}
		n = n.kids[c]
	}
	return n, nil
}

// parent finds the directory that holds, or would hold, comps.
func (fs *FS) parent(op, rel string, comps []string) (*node, error) {
	n := fs.root
	for _, c := range comps[:len(comps)-1] {
		switch next := n.kids[c]; {
		case next == nil:
			return nil, fs.fail(errs.ErrNotFound, op, rel, "parent directory does not exist")
		case !next.dir:
			return nil, fs.fail(errs.ErrNotDirectory, op, rel, "an ancestor is a file")
		default:
			n = next
		}
	}
	return n, nil
}

func (fs *FS) checkPerm(op, rel string, perm, def os.FileMode) (os.FileMode, error) {
	if perm&^os.ModePerm != 0 {
		return 0, fs.fail(errs.ErrInvalidArg, op, rel, "mode "+perm.String()+" has bits other than permissions")
	}
	if perm == 0 {
		return def, nil
	}
	return perm, nil
}

func status(name string, n *node) underfs.Status {
	return underfs.Status{Name: name, IsDir: n.dir, Length: int64(len(n.data)), ModTime: n.mtime,
		Mode: n.mode, Owner: n.owner, Group: n.group}
}

// GetStatus implements underfs.UnderFileSystem.
func (fs *FS) GetStatus(ctx context.Context, p string) (underfs.Status, error) {
	rel, comps, err := fs.begin(ctx, "get status of", p)
	if err != nil {
		return underfs.Status{}, err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, err := fs.lookup("get status of", rel, comps)
	if err != nil {
		return underfs.Status{}, err
	}
	name := ""
	if len(comps) > 0 {
		name = comps[len(comps)-1]
	}
	return status(name, n), nil
}

// List implements underfs.UnderFileSystem.
func (fs *FS) List(ctx context.Context, p string) ([]underfs.Status, error) {
	rel, comps, err := fs.begin(ctx, "list", p)
	if err != nil {
		return nil, err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, err := fs.lookup("list", rel, comps)
	if err != nil {
		return nil, err
	}
	if !n.dir {
		return nil, fs.fail(errs.ErrNotDirectory, "list", rel, "")
	}
	out := make([]underfs.Status, 0, len(n.kids))
	for _, name := range slices.Sorted(maps.Keys(n.kids)) {
		out = append(out, status(name, n.kids[name]))
	}
	return out, nil
}

// Mkdirs implements underfs.UnderFileSystem.
func (fs *FS) Mkdirs(ctx context.Context, p string, perm os.FileMode) error {
	const op = "make directory"
	rel, comps, err := fs.begin(ctx, op, p)
	if err != nil {
		return err
	}
	if perm, err = fs.checkPerm(op, rel, perm, underfs.DefaultDirPerm); err != nil {
		return err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.mkdirs(op, rel, comps, perm)
}

func (fs *FS) mkdirs(op, rel string, comps []string, perm os.FileMode) error {
	n := fs.root
	for i, c := range comps {
		next := n.kids[c]
		switch {
		case next == nil:
			next = &node{dir: true, mode: perm, mtime: time.Now(), kids: map[string]*node{}}
			n.kids[c] = next
		case next.dir:
		case i == len(comps)-1:
			return fs.fail(errs.ErrAlreadyExists, op, rel, "a file is there")
		default:
			return fs.fail(errs.ErrNotDirectory, op, rel, "an ancestor is a file")
		}
		n = next
	}
	return nil
}

// Create implements underfs.UnderFileSystem. The data is buffered until
// Close.
func (fs *FS) Create(ctx context.Context, p string, opts underfs.CreateOptions) (underfs.Writer, error) {
	const op = "create"
	rel, comps, err := fs.begin(ctx, op, p)
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
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if opts.CreateParents {
		if err := fs.mkdirs(op, rel, comps[:len(comps)-1], underfs.DefaultDirPerm); err != nil {
			return nil, fs.fail(errs.ErrNotDirectory, op, rel, "an ancestor is a file")
		}
	}
	w := &writer{fs: fs, rel: rel, comps: comps, perm: perm, overwrite: opts.Overwrite}
	if err := w.check(op); err != nil {
		return nil, err
	}
	return w, nil
}

type writer struct {
	fs        *FS
	rel       string
	comps     []string
	perm      os.FileMode
	overwrite bool
	buf       bytes.Buffer
	done      bool
}

// check applies Create's conditions; the caller holds fs.mu.
func (w *writer) check(op string) error {
	dir, err := w.fs.parent(op, w.rel, w.comps)
	if err != nil {
		return err
	}
	switch old := dir.kids[w.comps[len(w.comps)-1]]; {
	case old == nil:
	case old.dir:
		return w.fs.fail(errs.ErrIsDirectory, op, w.rel, "")
	case !w.overwrite:
		return w.fs.fail(errs.ErrAlreadyExists, op, w.rel, "")
	}
	return nil
}

func (w *writer) Write(b []byte) (int, error) {
	if w.done {
		return 0, w.fs.fail(errs.ErrPrecondition, "write", w.rel, "writer already closed or canceled")
	}
	return w.buf.Write(b)
}

func (w *writer) Close() error {
	if w.done {
		return w.fs.fail(errs.ErrPrecondition, "close", w.rel, "writer already closed or canceled")
	}
	w.done = true
	w.fs.mu.Lock()
	defer w.fs.mu.Unlock()
	if err := w.check("close"); err != nil {
		return err
	}
	dir, _ := w.fs.parent("close", w.rel, w.comps)
	dir.kids[w.comps[len(w.comps)-1]] = &node{data: slices.Clip(w.buf.Bytes()), mode: w.perm, mtime: time.Now()}
	return nil
}

// Cancel drops the buffer; nothing was published, so nothing is undone.
func (w *writer) Cancel() error {
	w.done = true
	w.buf = bytes.Buffer{}
	return nil
}

// Open implements underfs.UnderFileSystem. The reader also implements
// io.ReaderAt and io.Seeker and reads the version that was current when it
// was opened.
func (fs *FS) Open(ctx context.Context, p string, offset int64) (io.ReadCloser, error) {
	rel, comps, err := fs.begin(ctx, "open", p)
	if err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, fs.fail(errs.ErrInvalidArg, "open", rel, "negative offset")
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, err := fs.lookup("open", rel, comps)
	if err != nil {
		return nil, err
	}
	if n.dir {
		return nil, fs.fail(errs.ErrIsDirectory, "open", rel, "")
	}
	r := reader{bytes.NewReader(n.data)}
	_, _ = r.Seek(offset, io.SeekStart) // cannot fail for offset >= 0
	return r, nil
}

type reader struct{ *bytes.Reader }

func (reader) Close() error { return nil }
