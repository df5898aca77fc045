package fuse

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/alluxio-go/alluxio/client"
)

// writers holds this mount's files being written, by Alluxio path: one
// writer per path, since a file is written once. Readers and renames in the
// mount wait for a path's writer to finish, so `cp a b && md5sum b` reads
// the whole file although the kernel releases b's handle after cp's close
// returned.
type writers struct {
	mu     sync.Mutex
	byPath map[string]*writeState
}

func newWriters() *writers { return &writers{byPath: map[string]*writeState{}} }

// add registers ws for its path; false when the path has a writer already.
func (w *writers) add(ws *writeState) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.byPath[ws.path]; ok {
		return false
	}
	w.byPath[ws.path] = ws
	return true
}

func (w *writers) remove(ws *writeState) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.byPath[ws.path] == ws {
		delete(w.byPath, ws.path)
	}
}

// unlink deletes the file ws writes, by its id; once deleted ws is no
// longer its path's writer, so the name is free at once (a lookup finds
// nothing, a new file may take it), as POSIX has it, while the open
// descriptors go on writing a file nobody can open any more.
func (f *FS) unlinkWritten(ctx context.Context, ws *writeState) error {
	// Set first: the completion may fail before Delete returns.
	ws.unlinked.Store(true)
	err := f.c.Delete(f.callCtx(ctx), ws.path, client.DeleteOptions{FileID: ws.fileID()})
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		ws.unlinked.Store(false)
		return err
	}
	f.writers.remove(ws)
	return nil
}

// fileID is the id of the file ws writes, 0 before it is created.
func (ws *writeState) fileID() int64 {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.info == nil {
		return 0
	}
	return ws.info.ID
}

// get returns the writer of path, or nil.
func (w *writers) get(path string) *writeState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.byPath[path]
}

// abandonAll cancels writers whose handles were never released.
func (w *writers) abandonAll() {
	w.mu.Lock()
	all := make([]*writeState, 0, len(w.byPath))
	for _, ws := range w.byPath {
		all = append(all, ws)
	}
	w.mu.Unlock()
	for _, ws := range all {
		ws.abandon()
	}
}

// writeState is one file being written through the mount: its client
// writer, which takes bytes in order only, and what the mount shows of the
// file meanwhile.
type writeState struct {
	fsys *FS
	path string
	mode os.FileMode

	mu   sync.Mutex
	w    *client.FileWriter
	pipe *writePipe // the writes not yet handed to w
	// length is the file's length as written to the mount, bytes still
	// in the pipe included.
	length int64
	info   *client.FileInfo
	err    error // the first failure; every later write and flush returns it
	// modified is the file's modification time: its last write's, or one
	// set while writing, which it completes with. In milliseconds, as the
	// master keeps it, so that a stat before the completion and one after
	// agree.
	modified time.Time
	// completing: the completion has begun and took modified; a time set
	// now is set on the complete file instead.
	completing bool

	// flushed: some descriptor of the file was closed; unlinked: the
	// file was deleted while being written, so its completion failing is
	// expected.
	flushed, unlinked atomic.Bool
	done              chan struct{} // closed once the file is complete, or failed
	result            error         // the outcome, valid once done is closed
}

// startWriter creates path (replacing old when it is given, the file as
// it was, which is deleted first) and returns its writer, registered.
func (f *FS) startWriter(ctx context.Context, path string, mode os.FileMode, old *client.FileInfo) (*writeState, error) {
	ws := &writeState{fsys: f, path: path, mode: mode, done: make(chan struct{})}
	if !f.writers.add(ws) {
		return nil, fmt.Errorf("write %s: %w", path, errBusy)
	}
	if err := ws.create(ctx, old); err != nil {
		f.writers.remove(ws)
		return nil, err
	}
	ws.pipe = newWritePipe()
	return ws, nil
}

// create makes the Alluxio file and opens its writer; the caller holds mu
// or owns ws alone.
func (ws *writeState) create(ctx context.Context, old *client.FileInfo) error {
	f := ws.fsys
	created := false
	defer func() {
		if !created {
			f.changed(ws.path)
		}
	}()
	if old != nil {
		err := f.c.Delete(f.callCtx(ctx), ws.path, client.DeleteOptions{FileID: old.ID})
		if err != nil && !errors.Is(err, client.ErrNotFound) {
			return err
		}
	}
	o := client.CreateFileOptions{Mode: ws.mode}
	info, err := f.c.CreateFile(f.callCtx(ctx), ws.path, o)
	if err != nil {
		return err
	}
	// The writer outlives this request: its streams and its final
	// CompleteFile run in the mount's context.
	w, err := f.c.OpenWriter(f.callCtx(f.bg), info, o)
	if err != nil {
		return err
	}
	ws.w, ws.info, ws.modified, ws.length = w, info, info.Modified, 0
	if old != nil {
		f.noteReplaced(ws.path, info.ID)
	}
	// The master gave the directory the new file's time: its cached
	// attributes stay, so the next lookup of it (every create, with the
	// kernel's entry cache off) costs no master call.
	f.cache.drop(ws.path)
	f.cache.touched(path.Dir(ws.path), info.Modified)
	created = true
	return nil
}

// write writes p at off, which must be where the file ends: a write
// further on fills the gap with zeros (a sparse file, as a seek past the
// end makes), one before it cannot be done.
func (ws *writeState) write(off int64, p []byte) (int, error) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.err != nil {
		return 0, ws.err
	}
	if err := ws.pipe.failure(); err != nil {
		ws.err = err
		return 0, err
	}
	end := ws.length
	if off < end {
		return 0, fmt.Errorf("write %s at %d, before its end %d: %w", ws.path, off, end, errNotSupported)
	}
	if off > end {
		if err := ws.zeros(off - end); err != nil {
			return 0, err
		}
	}
	if err := ws.pipe.write(ws.w, p); err != nil {
		return 0, err
	}
	ws.length += int64(len(p))
	ws.modified = nowMs()
	return len(p), nil
}

// sync waits for the pipe's writes, so that w may be used, and returns
// the first failure; the caller holds mu.
func (ws *writeState) sync() error {
	if err := ws.pipe.drain(); err != nil && ws.err == nil {
		ws.err = err
	}
	return ws.err
}

func nowMs() time.Time { return time.UnixMilli(time.Now().UnixMilli()) }

// zeros appends n zero bytes; the caller holds mu.
func (ws *writeState) zeros(n int64) error {
	if err := ws.sync(); err != nil || n <= 0 {
		return err
	}
	buf := make([]byte, min(n, 1<<20))
	for n > 0 {
		k := min(n, int64(len(buf)))
		if _, err := ws.w.Write(buf[:k]); err != nil {
			ws.err = err
			return err
		}
		ws.length += k
		n -= k
	}
	return nil
}

// truncate sets the length of the file being written: to its length
// (nothing to do), beyond it (zeros), or to 0, which starts the file
// over (Alluxio FUSE's "truncate to 0 while writing").
func (ws *writeState) truncate(ctx context.Context, size int64) error {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if err := ws.sync(); err != nil {
		return err
	}
	end := ws.length
	switch {
	case size == end:
		return nil
	case size > end:
		ws.modified = nowMs()
		return ws.zeros(size - end)
	case size == 0:
		ws.w.Cancel()
		old := ws.info
		if err := ws.create(ctx, old); err != nil {
			ws.err = err
			return err
		}
		return nil
	default:
		return fmt.Errorf("truncate %s to %d while %d bytes are written: %w", ws.path, size, end, errNotSupported)
	}
}

// flush sends buffered bytes on and reports the first failure, so close(2)
// returns write errors. closing says a descriptor is being closed: the
// file is then most likely as long as it will be, which the writer passes
// on to the worker (SetSizeHint), so a small file is streamed to it in one
// round trip rather than written into a block file the worker makes and
// reserves a block's room for first (client.localWriteMin).
func (ws *writeState) flush(closing bool) error {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if err := ws.sync(); err != nil {
		return err
	}
	if closing {
		ws.w.SetSizeHint(ws.length)
	}
	if err := ws.w.Flush(); err != nil {
		ws.err = err
	}
	return ws.err
}

// setMtime records a modification time set while writing, which the file
// completes with (unless written again after). It reports false when the
// completion has begun, too late for the time to go with it: a utimens
// right after close(2) (rsync, cp -p) can arrive while the kernel's
// release completes the file.
func (ws *writeState) setMtime(t time.Time) bool {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.completing {
		return false
	}
	ws.modified = time.UnixMilli(t.UnixMilli())
	return true
}

// attr fills a with the file as written so far.
func (ws *writeState) attr(a *fuse.Attr) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	info := *ws.info
	info.Length, info.Modified = ws.length, ws.modified
	ws.fsys.fillAttr(&info, a)
}

// complete finishes the file when its handle is released: it completes
// on the master with its modification time. Readers waiting for the path
// go on.
func (ws *writeState) complete() error {
	f := ws.fsys
	ws.mu.Lock()
	ws.completing = true
	ws.pipe.close()
	err := ws.sync()
	if err != nil && ws.w != nil {
		// A write failed (and close(2) said so): the file would stay
		// incomplete, which nobody can open. Remove it (only if it is
		// still this one), so that writing it again works.
		ws.w.Cancel()
		ctx, cancel := context.WithTimeout(f.callCtx(f.bg), time.Minute)
		f.c.Delete(ctx, ws.path, client.DeleteOptions{FileID: ws.w.FileID()})
		cancel()
	} else if err == nil {
		ws.w.SetModTime(ws.modified)
		err = ws.w.Close()
	}
	ws.mu.Unlock()
	ws.finish(err)
	return err
}

// abandon gives up a writer that was never released.
func (ws *writeState) abandon() {
	ws.mu.Lock()
	ws.pipe.close()
	ws.w.Cancel()
	ws.mu.Unlock()
	ws.finish(errors.New("the mount ended before the file was closed"))
}

func (ws *writeState) finish(err error) {
	f := ws.fsys
	if err == nil {
		// Completing a file leaves its directory as it was.
		f.cache.drop(ws.path)
	} else {
		f.changed(ws.path)
	}
	f.writers.remove(ws)
	ws.result = err
	close(ws.done)
	if err != nil && !ws.unlinked.Load() {
		f.log.Error("a file written through the mount did not complete", "path", ws.path, "err", err)
	}
}

// wait waits for the writer to finish, up to the configured bound: an
// operation that needs the complete file (open for reading, rename) comes
// right after the writer's close(2), before the kernel released its handle.
func (ws *writeState) wait() error {
	t := time.NewTimer(ws.fsys.cfg.WriterWait)
	defer t.Stop()
	// Not cut short by an interrupt either (see callCtx): the wait is
	// bounded, and a killed process does not wait for the answer.
	select {
	case <-ws.done:
		return nil
	case <-t.C:
		return fmt.Errorf("%s is still open for writing after %s: %w", ws.path, ws.fsys.cfg.WriterWait, errBusy)
	}
}
