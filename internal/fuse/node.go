package fuse

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/alluxio-go/alluxio/client"
)

// node is a file or directory of the mount. It keeps nothing of its own:
// its Alluxio path is its place in go-fuse's tree, which go-fuse updates
// on rename, and its attributes come from the writer, the cache or the
// master.
type node struct {
	fs.Inode
	fsys *FS
	// shows is the ID of the Alluxio file whose bytes the kernel's inode
	// holds, once this mount replaced that file in place (O_TRUNC, a
	// truncate to 0); 0 before, when it is the one its inode number
	// names.
	shows atomic.Int64
}

// fileID is the ID of the file whose bytes the kernel's inode holds.
func (n *node) fileID() int64 {
	if id := n.shows.Load(); id != 0 {
		return id
	}
	return int64(n.StableAttr().Ino - inoOffset)
}

var (
	_ fs.NodeLookuper       = (*node)(nil)
	_ fs.NodeGetattrer      = (*node)(nil)
	_ fs.NodeSetattrer      = (*node)(nil)
	_ fs.NodeOpener         = (*node)(nil)
	_ fs.NodeCreater        = (*node)(nil)
	_ fs.NodeMkdirer        = (*node)(nil)
	_ fs.NodeMknoder        = (*node)(nil)
	_ fs.NodeLinker         = (*node)(nil)
	_ fs.NodeSymlinker      = (*node)(nil)
	_ fs.NodeUnlinker       = (*node)(nil)
	_ fs.NodeRmdirer        = (*node)(nil)
	_ fs.NodeRenamer        = (*node)(nil)
	_ fs.NodeStatfser       = (*node)(nil)
	_ fs.NodeOpendirHandler = (*node)(nil)
)

func (n *node) path() (string, syscall.Errno) { return n.fsys.nodePath(&n.Inode) }

// child returns the inode of info, a child of n, with out filled in.
func (n *node) child(ctx context.Context, info *client.FileInfo, out *fuse.EntryOut) *fs.Inode {
	n.fsys.fillAttr(info, &out.Attr)
	mode := uint32(syscall.S_IFREG)
	if info.IsDir {
		mode = syscall.S_IFDIR
	}
	return n.NewInode(ctx, &node{fsys: n.fsys}, fs.StableAttr{Mode: mode, Ino: inoOf(info.ID)})
}

// newName is the Alluxio path of name in n, for a call that may bring the
// name into being: a name longer than a file system takes is refused
// first (ENAMETOOLONG).
func (n *node) newName(name string) (string, syscall.Errno) {
	if e := checkName(name); e != 0 {
		return "", e
	}
	return n.fsys.childPath(&n.Inode, name)
}

func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	p, e := n.newName(name)
	if e != 0 {
		return nil, e
	}
	if ws := n.fsys.writers.get(p); ws != nil {
		ws.attr(&out.Attr)
		return n.NewInode(ctx, &node{fsys: n.fsys}, fs.StableAttr{Mode: syscall.S_IFREG, Ino: out.Attr.Ino}), 0
	}
	info, err := n.fsys.stat(ctx, p)
	if err != nil {
		return nil, toErrno(err)
	}
	return n.child(ctx, info, out), 0
}

func (n *node) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if h, ok := fh.(*handle); ok {
		return h.Getattr(ctx, out)
	}
	p, e := n.path()
	if e != 0 {
		return e
	}
	if ws := n.fsys.writers.get(p); ws != nil {
		ws.attr(&out.Attr)
		return 0
	}
	info, err := n.fsys.stat(ctx, p)
	if err != nil {
		return toErrno(err)
	}
	n.fsys.fillAttr(info, &out.Attr)
	return 0
}

// Setattr changes what Alluxio records: mode, owner and group, the
// modification time (the access time is not kept), and the length, to
// what Alluxio's write-once files allow (see truncate).
func (n *node) Setattr(ctx context.Context, fh fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	f := n.fsys
	p, e := n.path()
	if e != 0 {
		return e
	}
	start := time.Now()
	err := n.setattr(ctx, fh, p, in)
	f.slow("setattr", p, start, err)
	if err != nil {
		return toErrno(err)
	}
	return n.Getattr(ctx, fh, out)
}

func (n *node) setattr(ctx context.Context, fh fs.FileHandle, p string, in *fuse.SetAttrIn) error {
	f := n.fsys
	var ws *writeState
	if h, ok := fh.(*handle); ok {
		h.mu.Lock()
		ws = h.ws
		h.mu.Unlock()
	}
	byName := ws == nil
	if byName {
		ws = f.writers.get(p)
	}
	if size, ok := in.GetSize(); ok {
		if byName && ws != nil && ws.flushed.Load() {
			// A truncate by name of a file whose writer was closed
			// (`echo abc > f; truncate -s 10 f`, where the kernel's
			// release, which completes it, may still be on its way):
			// it is one of the complete file.
			if err := ws.wait(); err != nil {
				return err
			}
			ws = nil
		}
		if err := f.truncate(ctx, p, ws, int64(size)); err != nil {
			return err
		}
	}
	// chmod and chown leave the modification time alone in POSIX (rsync
	// sets a file's mode after its time).
	o := client.SetAttributeOptions{KeepModTime: true}
	change := false
	if mode, ok := in.GetMode(); ok {
		m := os.FileMode(mode & 0o7777)
		o.Mode, change = &m, true
	}
	if uid, ok := in.GetUID(); ok {
		u := userName(uid)
		o.Owner, change = &u, true
	}
	if gid, ok := in.GetGID(); ok {
		g := groupName(gid)
		o.Group, change = &g, true
	}
	if mt, ok := in.GetMTime(); ok {
		// A file being written completes with it (the master would
		// otherwise give it the completion's time); one whose
		// completion has begun gets it once complete.
		if ws == nil || !ws.setMtime(mt) {
			if ws != nil {
				if err := ws.wait(); err != nil {
					return err
				}
			}
			o.ModTime, change = &mt, true
		}
	}
	if !change {
		return nil
	}
	defer f.changed(p)
	return f.c.SetAttribute(f.callCtx(ctx), p, o)
}

// truncate sets p's length to size: a file this mount writes follows
// writeState.truncate; a complete file keeps its length, or is replaced by
// an empty one for size 0 (as Alluxio's FUSE does); other lengths would
// rewrite a complete file, which Alluxio cannot.
func (f *FS) truncate(ctx context.Context, p string, ws *writeState, size int64) error {
	if ws != nil {
		return ws.truncate(ctx, size)
	}
	f.cache.drop(p)
	info, err := f.stat(ctx, p)
	switch {
	case err != nil:
		return err
	case info.IsDir:
		return fmt.Errorf("truncate %s: %w", p, client.ErrIsDirectory)
	case !info.Completed:
		return fmt.Errorf("truncate %s: %w", p, errBusy)
	case size == info.Length:
		return nil
	case size != 0:
		return fmt.Errorf("truncate %s from %d to %d bytes: %w", p, info.Length, size, errNotSupported)
	}
	nws, err := f.startWriter(ctx, p, info.Mode.Perm(), info)
	if err != nil {
		return err
	}
	return nws.complete()
}

func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	f := n.fsys
	p, e := n.path()
	if e != 0 {
		return nil, 0, e
	}
	start := time.Now()
	h, err := f.open(ctx, p, flags)
	f.slow("open", p, start, err)
	if err != nil {
		return nil, 0, toErrno(err)
	}
	if h.r != nil {
		if id := h.r.Info().ID; id != n.fileID() {
			if !f.replacedHere(p, id) {
				// The name holds another file than this inode's
				// now (replaced by another client while the kernel
				// kept the name): ESTALE has the kernel look the
				// name up again and open the new file's inode. So
				// an inode's cached pages are only ever one complete
				// file's, which never changes, and the kernel need
				// not check the attributes before every read (see
				// Options).
				h.r.Close()
				return nil, 0, syscall.ESTALE
			}
			// This mount replaced it in place: the kernel's pages
			// are the ones it wrote.
			n.shows.Store(id)
		}
	}
	f.openHandles.Add(1)
	return h, f.openFlags(flags&syscall.O_ACCMODE != syscall.O_RDONLY), 0
}

func (f *FS) open(ctx context.Context, p string, flags uint32) (*handle, error) {
	acc := flags & syscall.O_ACCMODE
	if ws := f.writers.get(p); ws != nil {
		// A writer this mount has: readers wait for the file to
		// complete; so does a new writer once the old one was closed
		// (`echo a > f; echo b > f`: the kernel releases the first
		// handle after the second open may arrive).
		if acc != syscall.O_RDONLY && !ws.flushed.Load() {
			return nil, fmt.Errorf("open %s for writing: %w", p, errBusy)
		}
		if err := ws.wait(); err != nil {
			return nil, err
		}
	}
	if acc == syscall.O_RDONLY {
		h := &handle{fsys: f, path: p, readable: true}
		if _, err := h.reader(); err != nil {
			return nil, err
		}
		f.cache.put(p, h.r.Info())
		return h, nil
	}
	f.cache.drop(p)
	info, err := f.stat(ctx, p)
	switch {
	case err != nil:
		return nil, err
	case info.IsDir:
		return nil, fmt.Errorf("open %s for writing: %w", p, client.ErrIsDirectory)
	case !info.Completed:
		return nil, fmt.Errorf("open %s for writing: %w", p, errBusy)
	}
	h := &handle{fsys: f, path: p, info: info, readable: acc == syscall.O_RDWR}
	switch {
	case flags&syscall.O_TRUNC != 0 && info.Length > 0:
		ws, err := f.startWriter(ctx, p, info.Mode.Perm(), info)
		if err != nil {
			return nil, err
		}
		h.ws = ws
	case flags&syscall.O_APPEND != 0 && info.Length > 0:
		return nil, fmt.Errorf("append to the complete file %s: %w", p, errNotSupported)
	}
	// Otherwise the file stays as it is until a write: touch and
	// open(O_RDWR) to read must not replace it.
	return h, nil
}

func (n *node) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	f := n.fsys
	p, e := n.newName(name)
	if e != 0 {
		return nil, nil, 0, e
	}
	start := time.Now()
	ws, err := f.startWriter(ctx, p, os.FileMode(mode&0o777), nil)
	f.slow("create", p, start, err)
	if err != nil {
		return nil, nil, 0, toErrno(err)
	}
	ws.attr(&out.Attr)
	child := n.NewInode(ctx, &node{fsys: f}, fs.StableAttr{Mode: syscall.S_IFREG, Ino: out.Attr.Ino})
	h := &handle{fsys: f, path: p, ws: ws, readable: flags&syscall.O_ACCMODE == syscall.O_RDWR}
	f.openHandles.Add(1)
	return child, h, f.openFlags(true), 0
}

func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	f := n.fsys
	p, e := n.newName(name)
	if e != 0 {
		return nil, e
	}
	info, err := f.c.CreateDirectory(f.callCtx(ctx), p, client.CreateDirectoryOptions{Mode: os.FileMode(mode & 0o7777)})
	f.changed(p)
	if err != nil {
		return nil, toErrno(err)
	}
	f.cache.put(p, info)
	return n.child(ctx, info, out), 0
}

// Mknod of a regular file (mknod(2) with S_IFREG) makes an empty complete
// file, as creating and closing it would. Alluxio keeps no FIFOs, sockets
// or devices: mknod(2) names EPERM for a file system that does not support
// the type asked for.
func (n *node) Mknod(ctx context.Context, name string, mode, dev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if t := mode & syscall.S_IFMT; t != 0 && t != syscall.S_IFREG {
		return nil, syscall.EPERM
	}
	f := n.fsys
	p, e := n.newName(name)
	if e != 0 {
		return nil, e
	}
	ws, err := f.startWriter(ctx, p, os.FileMode(mode&0o777), nil)
	if err != nil {
		return nil, toErrno(err)
	}
	if err := ws.complete(); err != nil {
		return nil, toErrno(err)
	}
	info, err := f.stat(ctx, p)
	if err != nil {
		return nil, toErrno(err)
	}
	return n.child(ctx, info, out), 0
}

// Link and Symlink are EPERM, what link(2) and symlink(2) name for a file
// system that does not support hard or symbolic links: Alluxio has
// neither.
func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return nil, syscall.EPERM
}

func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return nil, syscall.EPERM
}

func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	f := n.fsys
	p, e := f.childPath(&n.Inode, name)
	if e != 0 {
		return e
	}
	var err error
	if ws := f.writers.get(p); ws != nil {
		err = f.unlinkWritten(ctx, ws)
	} else {
		err = f.c.Delete(f.callCtx(ctx), p, client.DeleteOptions{})
	}
	f.changed(p)
	return toErrno(err)
}

func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	f := n.fsys
	p, e := f.childPath(&n.Inode, name)
	if e != 0 {
		return e
	}
	err := f.c.Delete(f.callCtx(ctx), p, client.DeleteOptions{})
	f.cache.dropTree(p)
	f.changed(p)
	return toErrno(err)
}

// Linux's renameat2 flags.
const (
	renameNoReplace = 1
	renameExchange  = 2
)

// Rename moves a file or directory. Alluxio's rename refuses an existing
// destination; POSIX replaces a file, or an empty directory. A complete
// file is replaced in one step, as rename(2) promises (the write-aside-
// then-rename that editors and rsync do relies on it); a directory, a file
// still being written, or one replaced by someone else meanwhile is
// deleted first (a reader may see neither for a moment).
func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	if e := checkName(newName); e != 0 {
		return e
	}
	if flags&renameExchange != 0 {
		return syscall.EINVAL
	}
	f := n.fsys
	src, e := f.childPath(&n.Inode, name)
	if e != 0 {
		return e
	}
	dst, e := f.childPath(newParent.EmbeddedInode(), newName)
	if e != 0 {
		return e
	}
	start := time.Now()
	err := f.rename(ctx, src, dst, flags&renameNoReplace != 0)
	f.slow("rename", src, start, err)
	f.cache.dropTree(src)
	f.cache.dropTree(dst)
	f.changed(src)
	f.changed(dst)
	return toErrno(err)
}

func (f *FS) rename(ctx context.Context, src, dst string, noReplace bool) error {
	if ws := f.writers.get(src); ws != nil {
		// Alluxio cannot rename a file being written: a rename right
		// after close(2) waits for the release.
		if err := ws.wait(); err != nil {
			return err
		}
	}
	cctx := f.callCtx(ctx)
	err := f.c.Rename(cctx, src, dst)
	if !errors.Is(err, client.ErrAlreadyExists) || noReplace {
		return err
	}
	s, err := f.c.GetStatus(cctx, src, client.StatusOptions{})
	if err != nil {
		return err
	}
	d, err := f.c.GetStatus(cctx, dst, client.StatusOptions{})
	if err != nil {
		return err
	}
	switch {
	case s.ID == d.ID:
		return nil
	case s.IsDir && !d.IsDir:
		return fmt.Errorf("rename %s over %s: %w", src, dst, client.ErrNotDirectory)
	case !s.IsDir && d.IsDir:
		return fmt.Errorf("rename %s over %s: %w", src, dst, client.ErrIsDirectory)
	}
	ws := f.writers.get(dst)
	if ws == nil && !d.IsDir && d.Completed {
		err := f.c.RenameOver(cctx, src, dst, d.ID)
		if !errors.Is(err, client.ErrPrecondition) {
			return err
		}
	}
	if ws != nil {
		if err := f.unlinkWritten(ctx, ws); err != nil {
			return err
		}
	} else if err := f.c.Delete(cctx, dst, client.DeleteOptions{FileID: d.ID}); err != nil && !errors.Is(err, client.ErrNotFound) {
		// Not recursive: a directory that is not empty stays (ENOTEMPTY).
		return err
	}
	return f.c.Rename(cctx, src, dst)
}

func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	return toErrno(n.fsys.statfs.fill(ctx, n.fsys.c, out))
}
