package local

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// TempPrefix starts the names of files being written. Names with it are
// reserved: they are neither listed nor accepted in paths.
const TempPrefix = ".alluxio_ufs_tmp."

func init() {
	underfs.Register(underfs.LocalScheme, func(uri string, opts underfs.Options) (underfs.UnderFileSystem, error) {
		fs, err := New(uri, opts)
		if err != nil {
			return nil, err // not a typed nil in an interface
		}
		return fs, nil
	})
}

// FS is an underfs.UnderFileSystem over a local directory. It holds no
// open files of its own, so a root on NFS that is remounted keeps working.
type FS struct {
	uri    string
	root   string // absolute and clean
	log    *slog.Logger
	names  idNames
	closed atomic.Bool
}

var _ underfs.UnderFileSystem = (*FS)(nil)

// New opens the directory uri names: "/data", "file:///data",
// "file://localhost/data" or "file:/data". The path is taken literally,
// without percent-decoding. The directory must exist; its absence is
// errs.ErrNotFound naming it.
func New(uri string, opts underfs.Options) (*FS, error) {
	root, err := rootDir(uri)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(root)
	switch {
	case os.IsNotExist(err):
		return nil, errs.New(errs.ErrNotFound, "local under storage root %q (from %q) does not exist", root, uri)
	case err != nil:
		sentinel, detail := classify(err)
		return nil, errs.New(sentinel, "local under storage root %q (from %q): %s", root, uri, detail)
	case !info.IsDir():
		return nil, errs.New(errs.ErrNotDirectory, "local under storage root %q (from %q) is not a directory", root, uri)
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &FS{uri: uri, root: root, log: log.With("ufs", uri)}, nil
}

// Dir returns the directory a local under storage URI names (what New
// opens), or errs.ErrInvalidArg for a URI that is not local.
func Dir(uri string) (string, error) { return rootDir(uri) }

func rootDir(uri string) (string, error) {
	p := uri
	if s := underfs.Scheme(uri); s != "" {
		if s != underfs.LocalScheme {
			return "", errs.New(errs.ErrInvalidArg, "%q is not a local under storage URI", uri)
		}
		p = uri[len(s)+1:]
		if rest, ok := strings.CutPrefix(p, "//"); ok {
			host, _, _ := strings.Cut(rest, "/")
			if host != "" && host != "localhost" {
				return "", errs.New(errs.ErrInvalidArg, "local under storage URI %q names host %q; only this machine's files can be mounted", uri, host)
			}
			p = rest[len(host):]
		}
	}
	if p == "" {
		return "", errs.New(errs.ErrInvalidArg, "local under storage URI %q has no path", uri)
	}
	if !filepath.IsAbs(p) {
		return "", errs.New(errs.ErrInvalidArg, "local under storage root %q is not an absolute path", uri)
	}
	return filepath.Clean(p), nil
}

// Root returns the URI given to New.
func (fs *FS) Root() string { return fs.uri }

// Close makes later calls fail with errs.ErrUnavailable. Writers and
// readers already handed out keep working.
func (fs *FS) Close() error {
	fs.closed.Store(true)
	return nil
}

// resolve checks what every method checks first and returns the clean
// relative path and the local path it stands for.
func (fs *FS) resolve(ctx context.Context, op, p string) (rel, abs string, err error) {
	if err := ctx.Err(); err != nil {
		return "", "", ctxErr(op, p, err)
	}
	if fs.closed.Load() {
		return "", "", fs.fail(errs.ErrUnavailable, op, p, "under file system is closed")
	}
	rel, err = underfs.CleanPath(p)
	if err != nil {
		return "", "", err
	}
	for name := range strings.SplitSeq(rel, "/") {
		if strings.HasPrefix(name, TempPrefix) {
			return "", "", errs.New(errs.ErrInvalidPath, "under storage path %q: names starting with %q are reserved for files being written", p, TempPrefix)
		}
	}
	return rel, fs.abs(rel), nil
}

func (fs *FS) abs(rel string) string {
	if rel == "" {
		return fs.root
	}
	return filepath.Join(fs.root, filepath.FromSlash(rel))
}

// GetStatus implements underfs.UnderFileSystem.
func (fs *FS) GetStatus(ctx context.Context, p string) (underfs.Status, error) {
	const op = "get status of"
	rel, abs, err := fs.resolve(ctx, op, p)
	if err != nil {
		return underfs.Status{}, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return underfs.Status{}, fs.lookupErr(op, rel, err)
	}
	if !shown(info) {
		return underfs.Status{}, fs.fail(errs.ErrNotFound, op, rel, "not a regular file or directory")
	}
	name := ""
	if rel != "" {
		name = path.Base(rel)
	}
	return fs.status(name, info), nil
}

// List implements underfs.UnderFileSystem. Children whose names Alluxio
// cannot address (invalid UTF-8, say) are left out with a warning, since
// no later call could reach them anyway.
func (fs *FS) List(ctx context.Context, p string) ([]underfs.Status, error) {
	const op = "list"
	rel, abs, err := fs.resolve(ctx, op, p)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, fs.lookupErr(op, rel, err)
	}
	if !info.IsDir() {
		return nil, fs.fail(errs.ErrNotDirectory, op, rel, "")
	}
	entries, err := os.ReadDir(abs) // sorted by name, as List promises
	if err != nil {
		return nil, fs.lookupErr(op, rel, err)
	}
	out := make([]underfs.Status, 0, len(entries))
	for i, e := range entries {
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, ctxErr(op, rel, err)
			}
		}
		name := e.Name()
		if strings.HasPrefix(name, TempPrefix) {
			continue
		}
		if err := fspath.ValidateName(name); err != nil {
			fs.log.Warn("ufs entry skipped: Alluxio cannot name it", "dir", rel, "error", err)
			continue
		}
		var info os.FileInfo
		if e.Type()&os.ModeSymlink != 0 {
			info, err = os.Stat(filepath.Join(abs, name))
		} else {
			info, err = e.Info()
		}
		if err != nil || !shown(info) {
			continue // removed meanwhile, a dangling link, or a special file
		}
		out = append(out, fs.status(name, info))
	}
	return out, nil
}

// shown reports whether Alluxio sees the object: pipes, sockets and
// devices would block or mislead a reader, so they stay hidden.
func shown(info os.FileInfo) bool {
	return info.IsDir() || info.Mode().IsRegular()
}

func (fs *FS) status(name string, info os.FileInfo) underfs.Status {
	st := underfs.Status{
		Name:    name,
		IsDir:   info.IsDir(),
		ModTime: info.ModTime(),
		Mode:    info.Mode().Perm(),
	}
	if !st.IsDir {
		st.Length = info.Size()
	}
	st.Owner, st.Group = fs.names.owner(info)
	return st
}

// checkPerm applies the shared rules for permission arguments.
func (fs *FS) checkPerm(op, p string, perm, def os.FileMode) (os.FileMode, error) {
	if perm&^os.ModePerm != 0 {
		return 0, fs.fail(errs.ErrInvalidArg, op, p, "mode "+perm.String()+" has bits other than permissions")
	}
	if perm == 0 {
		return def, nil
	}
	return perm, nil
}

// syncDir makes the entries of directory dir durable: renaming or
// creating a file is not crash safe until its directory is synced.
// Systems that cannot sync a directory say EINVAL, and a directory we
// may write but not read cannot be opened to sync; there is nothing more
// to do on either.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if errors.Is(err, os.ErrPermission) {
		return nil
	}
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) {
		return nil
	}
	return err
}

func parentOf(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return ""
}
