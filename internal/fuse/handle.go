package fuse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/alluxio-go/alluxio/client"
)

// handle is an open file. A handle reads through one client reader, whose
// ReadAt go-fuse may call from several goroutines at once (the kernel's
// readahead sends reads in parallel), and writes through the path's
// writeState, in order.
type handle struct {
	fsys *FS
	path string // the Alluxio path when opened

	mu sync.Mutex
	r  *client.FileReader // nil until the first read
	ws *writeState        // the file this handle writes, once it writes
	// info is the complete file opened for writing without O_TRUNC: its
	// writes fail, except that an empty one is replaced by the first
	// write at offset 0.
	info     *client.FileInfo
	readable bool
}

var (
	_ fs.FileReader    = (*handle)(nil)
	_ fs.FileWriter    = (*handle)(nil)
	_ fs.FileFlusher   = (*handle)(nil)
	_ fs.FileFsyncer   = (*handle)(nil)
	_ fs.FileReleaser  = (*handle)(nil)
	_ fs.FileGetattrer = (*handle)(nil)
)

// reader returns the handle's reader, opening it on first use.
func (h *handle) reader() (*client.FileReader, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.r != nil {
		return h.r, nil
	}
	if !h.readable {
		return nil, syscall.EBADF
	}
	if h.ws != nil {
		return nil, fmt.Errorf("read %s while this handle writes it: %w", h.path, errNotSupported)
	}
	r, err := h.fsys.c.OpenFile(h.fsys.callCtx(h.fsys.bg), h.path, client.OpenOptions{})
	if err != nil {
		return nil, err
	}
	h.r = r
	return r, nil
}

func (h *handle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	start := time.Now()
	r, err := h.reader()
	if err != nil {
		return nil, toErrno(err)
	}
	want := int(min(int64(len(dest)), r.Info().Length-off))
	if want <= 0 {
		return fuse.ReadResultData(nil), 0
	}
	if f, foff, release, ok := r.LocalRange(off, want); ok {
		return h.fsys.localResult(f, foff, want, release), 0
	}
	n, err := r.ReadAt(dest, off)
	if err == io.EOF {
		err = nil
	}
	h.fsys.slow("read", h.path, start, err)
	if err != nil {
		h.fsys.log.Warn("read failed", "path", h.path, "offset", off, "err", err)
		return nil, toErrno(err)
	}
	return fuse.ReadResultData(dest[:n]), 0
}

func (h *handle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	ws, err := h.writer(ctx, off)
	if err != nil {
		return 0, toErrno(err)
	}
	n, err := ws.write(off, data)
	if err != nil {
		if !errors.Is(err, errNotSupported) {
			h.fsys.log.Warn("write failed", "path", h.path, "offset", off, "err", err)
		}
		return uint32(n), toErrno(err)
	}
	return uint32(n), 0
}

// writer returns the handle's writeState; the first write to an empty
// complete file opened for writing replaces it.
func (h *handle) writer(ctx context.Context, off int64) (*writeState, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ws != nil {
		return h.ws, nil
	}
	if h.info == nil {
		return nil, syscall.EBADF
	}
	if h.info.Length > 0 || off != 0 {
		what := "a random write"
		if h.info.Length > 0 && off == h.info.Length {
			what = "an append"
		}
		return nil, fmt.Errorf("%s to the complete file %s (%d bytes): %w", what, h.path, h.info.Length, errNotSupported)
	}
	ws, err := h.fsys.startWriter(ctx, h.path, h.info.Mode.Perm(), h.info)
	if err != nil {
		return nil, err
	}
	h.ws = ws
	return ws, nil
}

// Flush is close(2) of one of the descriptors: write errors are reported
// here, where the application still listens.
func (h *handle) Flush(ctx context.Context) syscall.Errno {
	h.mu.Lock()
	ws := h.ws
	h.mu.Unlock()
	if ws == nil {
		return 0
	}
	ws.flushed.Store(true)
	return toErrno(ws.flush(true))
}

// Fsync sends buffered bytes on. The data is kept for good when the file
// completes, at release: Alluxio has no durable partial file.
func (h *handle) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	h.mu.Lock()
	ws := h.ws
	h.mu.Unlock()
	if ws == nil {
		return 0
	}
	return toErrno(ws.flush(false))
}

// Release completes a file being written, and ends the reader.
func (h *handle) Release(ctx context.Context) syscall.Errno {
	defer h.fsys.openHandles.Add(-1)
	h.mu.Lock()
	ws, r := h.ws, h.r
	h.ws, h.r = nil, nil
	h.mu.Unlock()
	if r != nil {
		r.Close()
	}
	if ws != nil {
		start := time.Now()
		err := ws.complete()
		h.fsys.slow("release", h.path, start, err)
		return toErrno(err)
	}
	return 0
}

func (h *handle) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	h.mu.Lock()
	ws, r := h.ws, h.r
	h.mu.Unlock()
	switch {
	case ws != nil:
		ws.attr(&out.Attr)
	case r != nil:
		h.fsys.fillAttr(r.Info(), &out.Attr)
	default:
		info, err := h.fsys.stat(ctx, h.path)
		if err != nil {
			return toErrno(err)
		}
		h.fsys.fillAttr(info, &out.Attr)
	}
	return 0
}

// openFlags are the FOPEN_* flags of a new handle.
func (f *FS) openFlags(forWrite bool) uint32 {
	var fl uint32
	if f.cfg.DirectIO {
		fl |= fuse.FOPEN_DIRECT_IO
	}
	// A complete file never changes, so its pages may stay cached
	// across opens; a file replaced under the same name gets a new
	// inode.
	if f.cfg.KernelCache && !forWrite {
		fl |= fuse.FOPEN_KEEP_CACHE
	}
	return fl
}

// fileResult is a read answered from a range of a local block file, read
// straight into the request's buffer (Bytes) without going through the
// client's reader. Done releases the block file once the reply was sent.
type fileResult struct {
	f       *os.File
	off     int64
	sz      int
	release func()
	once    sync.Once
}

func (r *fileResult) Size() int { return r.sz }
func (r *fileResult) Done()     { r.once.Do(r.release) }

// splicedResult is a fileResult that go-fuse splices from the block file
// into /dev/fuse (Seekable): the kernel copies the bytes once, from the
// block file's pages into the reply, instead of twice through the
// request's buffer. Only reads that fit the largest pipe go-fuse may make
// are offered for splicing (spliceMaxRead); a larger one would fail to
// splice and be logged on every request before falling back to Bytes.
type splicedResult struct{ fileResult }

func (r *splicedResult) Seekable() (uintptr, int64, int) { return r.f.Fd(), r.off, r.sz }

// localResult answers a read of sz bytes from a range of a block file.
func (f *FS) localResult(file *os.File, off int64, sz int, release func()) fuse.ReadResult {
	if f.spliceMax > 0 && sz <= f.spliceMax {
		return &splicedResult{fileResult{f: file, off: off, sz: sz, release: release}}
	}
	return &fileResult{f: file, off: off, sz: sz, release: release}
}

func (r *fileResult) Bytes(buf []byte) ([]byte, fuse.Status) {
	if len(buf) < r.sz {
		buf = make([]byte, r.sz)
	}
	n, err := r.f.ReadAt(buf[:r.sz], r.off)
	if n < r.sz {
		// The block file is shorter than the master says it is.
		return nil, fuse.Status(syscall.EIO)
	}
	if err != nil && err != io.EOF {
		return nil, fuse.ToStatus(err)
	}
	return buf[:n], fuse.OK
}
