package fuse

import (
	"context"
	"io"
	"sync"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/alluxio-go/alluxio/client"
)

// dirHandle is an open directory. It streams the listing from the master
// batch by batch as the kernel reads, so a large directory is never held
// whole; each entry's attributes come with it, which READDIRPLUS (ls -l,
// find) hands to the kernel without one lookup per entry.
//
// Offsets are entry numbers: 1 and 2 after "." and "..", then one per
// entry. Seeking elsewhere than the current offset (rewinddir, or telldir
// and seekdir) lists again from the start and skips.
type dirHandle struct {
	n *node
	p string

	mu     sync.Mutex
	lister *client.DirLister
	batch  []*client.FileInfo
	off    uint64           // the offset of the next entry
	last   *client.FileInfo // the entry handed out last, for Lookup
}

var (
	_ fs.FileReaddirenter   = (*dirHandle)(nil)
	_ fs.FileSeekdirer      = (*dirHandle)(nil)
	_ fs.FileLookuper       = (*dirHandle)(nil)
	_ fs.FileReleasedirer   = (*dirHandle)(nil)
	_ fs.FileFsyncdirer     = (*dirHandle)(nil)
	_ fs.NodeOpendirHandler = (*node)(nil)
)

func (n *node) OpendirHandle(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	p, e := n.path()
	if e != 0 {
		return nil, 0, e
	}
	n.fsys.openHandles.Add(1)
	return &dirHandle{n: n, p: p}, 0, 0
}

func (d *dirHandle) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch d.off {
	case 0, 1:
		name := [...]string{".", ".."}[d.off]
		d.off++
		d.last = nil
		return &fuse.DirEntry{Name: name, Mode: syscall.S_IFDIR, Off: d.off}, 0
	}
	info, err := d.next()
	if err != nil {
		return nil, toErrno(err)
	}
	if info == nil {
		return nil, 0
	}
	d.off++
	d.last = info
	d.n.fsys.cache.put(info.Path, info)
	return &fuse.DirEntry{Name: info.Name, Mode: modeBits(info) &^ 0o7777, Ino: inoOf(info.ID), Off: d.off}, 0
}

// next returns the next entry of the listing, nil at its end.
func (d *dirHandle) next() (*client.FileInfo, error) {
	for len(d.batch) == 0 {
		if d.lister == nil {
			f := d.n.fsys
			d.lister = f.c.ListDir(f.callCtx(f.bg), d.p, client.StatusOptions{})
		}
		b, err := d.lister.Next()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		d.batch = b
	}
	info := d.batch[0]
	d.batch[0] = nil
	d.batch = d.batch[1:]
	return info, nil
}

func (d *dirHandle) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	d.mu.Lock()
	defer d.mu.Unlock()
	if off == d.off {
		return 0
	}
	d.reset()
	for d.off < off {
		if d.off < 2 {
			d.off++
			continue
		}
		info, err := d.next()
		if err != nil {
			return toErrno(err)
		}
		if info == nil {
			break
		}
		d.off++
	}
	return 0
}

func (d *dirHandle) reset() {
	if d.lister != nil {
		d.lister.Close()
	}
	d.lister, d.batch, d.off, d.last = nil, nil, 0, nil
}

// Lookup answers READDIRPLUS for the entry just read, from the listing.
func (d *dirHandle) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	d.mu.Lock()
	last := d.last
	d.mu.Unlock()
	if last == nil || last.Name != name || d.n.fsys.writers.get(last.Path) != nil {
		return d.n.Lookup(ctx, name, out)
	}
	return d.n.child(ctx, last, out), 0
}

func (d *dirHandle) Releasedir(ctx context.Context, flags uint32) {
	defer d.n.fsys.openHandles.Add(-1)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reset()
}

func (d *dirHandle) Fsyncdir(ctx context.Context, flags uint32) syscall.Errno { return 0 }
