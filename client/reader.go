package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// chunkSize is the size of the messages of data streams.
const chunkSize = 1 << 20

// OpenOptions are the options of OpenFile.
type OpenOptions struct {
	// ReadType: CACHE, NO_CACHE or CACHE_PROMOTE; "" the configured
	// default (alluxio.user.file.readtype.default).
	ReadType string
}

// FileReader reads a complete file. Read and Seek keep a position; ReadAt
// does not and may be called from many goroutines at once.
type FileReader struct {
	f        *FileSystem
	ctx      context.Context
	cancel   context.CancelFunc
	path     string
	length   int64
	readType pb.ReadType
	closed   atomic.Bool

	mu      sync.Mutex // guards info, bad, windows and tick
	info    *FileInfo
	bad     map[string]bool // workers that did not answer, skipped until the next refresh
	windows []*window
	tick    uint64

	local localFiles // block files open for short-circuit reads

	ahead      map[int]*prefetch // blocks cached ahead of Read, by index; guarded by mu
	prefetches sync.WaitGroup

	seqMu    sync.Mutex // guards pos, seq, seqAt, seqBlock, run and switched, for Read and Seek
	pos      int64
	seq      blockStream
	seqAt    int64 // the file offset seq reads next
	seqBlock int   // the index of the block seq reads
	run      int64 // bytes Read in order since the last jump
	switched int   // the block whose stream was left for its cached file (prefetch.go)
}

// OpenFile opens a complete file for reading. ctx bounds the reader's whole
// life: cancelling it ends the reads in progress.
func (f *FileSystem) OpenFile(ctx context.Context, path string, o OpenOptions) (*FileReader, error) {
	rt, err := f.readType(o.ReadType)
	if err != nil {
		return nil, err
	}
	info, err := f.GetStatus(ctx, path, StatusOptions{})
	if err != nil {
		return nil, err
	}
	return f.openStatus(ctx, path, info, rt)
}

// OpenInfo opens the complete file that info, a GetStatus answer,
// describes, without asking the master again: a service that already
// looked the file up (the S3 proxy checks an object's ETag first) saves a
// round trip per read.
func (f *FileSystem) OpenInfo(ctx context.Context, info *FileInfo, o OpenOptions) (*FileReader, error) {
	rt, err := f.readType(o.ReadType)
	if err != nil {
		return nil, err
	}
	return f.openStatus(ctx, info.Path, info, rt)
}

// openStatus opens the file info describes.
func (f *FileSystem) openStatus(ctx context.Context, path string, info *FileInfo, rt pb.ReadType) (*FileReader, error) {
	switch {
	case info.IsDir:
		return nil, errs.New(errs.ErrIsDirectory, "open %s", path)
	case !info.Completed:
		return nil, errs.New(errs.ErrIncomplete, "open %s", path)
	case info.Length > 0 && info.BlockSize <= 0:
		return nil, errs.New(errs.ErrCorrupt, "open %s: block size %d", path, info.BlockSize)
	}
	rctx, cancel := context.WithCancel(f.workerContext(ctx))
	return &FileReader{f: f, ctx: rctx, cancel: cancel, path: path, length: info.Length, readType: rt, info: info, switched: -1}, nil
}

func (f *FileSystem) readType(s string) (pb.ReadType, error) {
	if s == "" {
		s = f.cfg.ReadType
	}
	if s == "" {
		return pb.ReadType_CACHE, nil
	}
	v, ok := pb.ReadType_value[strings.ToUpper(s)]
	if !ok {
		return 0, errs.New(errs.ErrInvalidArg, "read type %q: want CACHE, NO_CACHE or CACHE_PROMOTE", s)
	}
	return pb.ReadType(v), nil
}

// Info is the file's status when it was opened.
func (r *FileReader) Info() *FileInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.info
}

// Read reads from the current position, streaming one block at a time.
func (r *FileReader) Read(p []byte) (int, error) {
	r.seqMu.Lock()
	defer r.seqMu.Unlock()
	if r.closed.Load() {
		return 0, fs.ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	retried, cut := false, false
	for {
		if r.pos >= r.length {
			r.dropSeq()
			return 0, io.EOF
		}
		if r.seq != nil && r.seqAt != r.pos {
			r.dropSeq()
			r.run = 0
		}
		opened := false
		if r.seq == nil {
			b, err := r.awaitAhead(r.block(r.pos))
			if err != nil {
				return 0, err
			}
			in := r.pos - b.start
			s, err := r.openRetry(b, in, b.length-in)
			if err != nil {
				return 0, err
			}
			r.seq, r.seqAt, r.seqBlock, opened = s, r.pos, b.index, true
		}
		n, err := r.seq.Read(p)
		r.pos += int64(n)
		r.seqAt += int64(n)
		// Each block a streaming reader starts keeps the read-ahead
		// depth ahead of it.
		if r.run+int64(n) >= prefetchAfter && (opened || r.run < prefetchAfter) {
			r.fetchAhead(r.seqBlock)
		}
		r.run += int64(n)
		if r.cachedHere(r.seqBlock) {
			// The block is now in this host's cache: read on from its
			// file instead of the stream.
			r.dropSeq()
		}
		switch {
		case err == nil:
			return n, nil
		case err == io.EOF:
			r.dropSeq()
			if n > 0 {
				return n, nil
			}
		case streamCut(err) && !cut:
			// Reopened here with the capability renewed (or the
			// master's refusal to renew it).
			cut = true
			r.dropSeq()
			if n > 0 {
				return n, nil
			}
		default:
			// The worker failed midway: carry on from another source
			// once, from where this one stopped.
			r.noteFailure(r.seq.worker(), err)
			r.dropSeq()
			if n > 0 {
				return n, nil
			}
			if retried || r.ctx.Err() != nil {
				return 0, err
			}
			retried = true
		}
	}
}

func (r *FileReader) dropSeq() {
	if r.seq != nil {
		r.seq.Close()
		r.seq = nil
	}
}

// Seek sets the position of Read.
func (r *FileReader) Seek(offset int64, whence int) (int64, error) {
	r.seqMu.Lock()
	defer r.seqMu.Unlock()
	abs := offset
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		abs += r.pos
	case io.SeekEnd:
		abs += r.length
	default:
		return r.pos, errs.New(errs.ErrInvalidArg, "seek %s: whence %d", r.path, whence)
	}
	if abs < 0 {
		return r.pos, errs.New(errs.ErrInvalidArg, "seek %s to negative offset %d", r.path, abs)
	}
	if abs != r.pos {
		r.run = 0
	}
	r.pos = abs
	return abs, nil
}

// ReadAt reads len(p) bytes at off, or fewer and io.EOF at the end of the
// file.
func (r *FileReader) ReadAt(p []byte, off int64) (int, error) {
	if r.closed.Load() {
		return 0, fs.ErrClosed
	}
	if off < 0 {
		return 0, errs.New(errs.ErrInvalidArg, "read %s at negative offset %d", r.path, off)
	}
	n := 0
	for n < len(p) && off < r.length {
		b := r.block(off)
		in := off - b.start
		k := int(min(int64(len(p)-n), b.length-in))
		read := r.readFull
		if k < smallRead {
			read = r.readSmall
		}
		if err := read(b, in, p[n:n+k]); err != nil {
			return n, err
		}
		n += k
		off += int64(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Small ReadAt calls (zip and Parquet readers make many) are served from
// the last few aligned windows of the file instead of one stream each.
// The windows never go stale: a complete file does not change.
const (
	smallRead   = 64 << 10
	windowSize  = chunkSize
	windowCount = 4
)

type window struct {
	start int64 // file offset
	data  []byte
	used  uint64
}

func (r *FileReader) readSmall(b blockRef, off int64, p []byte) error {
	abs := b.start + off
	r.mu.Lock()
	for _, w := range r.windows {
		if abs >= w.start && abs+int64(len(p)) <= w.start+int64(len(w.data)) {
			r.tick++
			w.used = r.tick
			copy(p, w.data[abs-w.start:])
			r.mu.Unlock()
			return nil
		}
	}
	r.mu.Unlock()
	woff := off - off%windowSize
	wlen := min(windowSize, b.length-woff)
	if off+int64(len(p)) > woff+wlen {
		return r.readFull(b, off, p) // straddles two windows
	}
	buf := make([]byte, wlen)
	if err := r.readFull(b, woff, buf); err != nil {
		return err
	}
	copy(p, buf[off-woff:])
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tick++
	w := &window{start: b.start + woff, data: buf, used: r.tick}
	if len(r.windows) < windowCount {
		r.windows = append(r.windows, w)
		return nil
	}
	oldest := 0
	for i, x := range r.windows {
		if x.used < r.windows[oldest].used {
			oldest = i
		}
	}
	r.windows[oldest] = w
	return nil
}

// readFull fills p from block b at off, moving once to another source
// when one fails midway, and reopening once a stream its worker ended
// for an expired capability.
func (r *FileReader) readFull(b blockRef, off int64, p []byte) error {
	retried, cut := false, false
	for {
		s, err := r.openRetry(b, off, int64(len(p)))
		if err != nil {
			return err
		}
		k, err := io.ReadFull(s, p)
		s.Close()
		switch {
		case err == nil:
			return nil
		case streamCut(err) && !cut:
			cut = true
		case retried || r.ctx.Err() != nil:
			return err
		default:
			retried = true
			r.noteFailure(s.worker(), err)
		}
		off, p = off+int64(k), p[k:]
	}
}

// streamCut reports whether err ended a block stream that had begun
// because its capability expired: a worker checks everything else about
// a capability when the stream opens, and from then on only its expiry.
// Opening the block again renews the capability (open), so the read goes
// on, or fails with the master's refusal to renew it.
func streamCut(err error) bool { return errors.Is(err, errs.ErrPermission) }

// Close ends the reader's streams. It is safe to call more than once.
func (r *FileReader) Close() error {
	r.closed.Store(true)
	r.cancel()
	r.seqMu.Lock()
	defer r.seqMu.Unlock()
	r.dropSeq()
	r.local.closeAll()
	// Workers finish caching what was asked for; the calls end now.
	r.prefetches.Wait()
	return nil
}

func (r *FileReader) block(off int64) blockRef {
	r.mu.Lock()
	defer r.mu.Unlock()
	return blockAt(r.info, off)
}

func (r *FileReader) isBad(addr string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bad[addr]
}

// noteFailure remembers a worker that could not be reached, so the other
// blocks do not wait for it too.
func (r *FileReader) noteFailure(addr string, err error) {
	if !errors.Is(err, errs.ErrUnavailable) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bad == nil {
		r.bad = map[string]bool{}
	}
	r.bad[addr] = true
}

// openRetry is open, retried within the retry budget while no source
// answers: block locations are soft state on the master, so after a
// failover or a worker restart they come back a moment later.
func (r *FileReader) openRetry(b blockRef, off, n int64) (blockStream, error) {
	deadline := time.Now().Add(r.f.cfg.RetryMaxDuration)
	sleep := r.f.cfg.RetryBaseSleep
	for {
		s, err := r.open(b, off, n)
		if err == nil || !errors.Is(err, errs.ErrUnavailable) || time.Now().Add(sleep).After(deadline) {
			return s, err
		}
		select {
		case <-time.After(sleep):
		case <-r.ctx.Done():
			return nil, r.ctx.Err()
		}
		sleep = min(sleep*2, r.f.cfg.RetryMaxSleep)
		b = r.refresh(b)
	}
}

// capability is the file's read capability.
func (r *FileReader) capability() *pb.BlockCapability {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.info.capability
}

// renewCapability renews the read capability when it is due: a reader may
// stay open longer than a capability lives. The master's refusal (the
// caller may no longer read the file) is the error; another failure keeps
// the old capability, which a worker refuses once it has expired.
func (r *FileReader) renewCapability() error {
	r.mu.Lock()
	due := renewDue(r.info.capability, r.info.capabilityAt)
	r.mu.Unlock()
	if !due {
		return nil
	}
	info, err := r.f.renewCapability(r.ctx, r.path, capRead)
	if err != nil {
		if errors.Is(err, errs.ErrPermission) {
			return err
		}
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// A file replaced under the same name is not the one being read.
	if info.ID == r.info.ID && info.Length == r.length {
		r.info = info
	}
	return nil
}

// refresh fetches the block locations again and forgets failed workers.
func (r *FileReader) refresh(b blockRef) blockRef {
	info, err := r.f.GetStatus(r.ctx, r.path, StatusOptions{})
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bad = nil
	// A file replaced under the same name is not the one being read.
	if err == nil && info.ID == r.info.ID && info.Length == r.length {
		r.info = info
	}
	return blockAt(r.info, b.start)
}

// open returns a stream of n bytes of block b from off within it, from
// the first source that answers: the block file of a worker on this host,
// a worker that caches the block, then any worker reading the under
// storage (which caches the block, per the read type).
func (r *FileReader) open(b blockRef, off, n int64) (blockStream, error) {
	if err := r.renewCapability(); err != nil {
		return nil, err
	}
	src := r.source(b)
	locs := append([]BlockLocation(nil), b.locs...)
	sort.SliceStable(locs, func(i, j int) bool { return r.f.isLocal(locs[i].Host) && !r.f.isLocal(locs[j].Host) })
	var failed []error
	tried := map[string]bool{}
	for _, l := range locs {
		addr := l.Address()
		if r.isBad(addr) || tried[addr] {
			continue
		}
		tried[addr] = true
		if r.f.isLocal(l.Host) && !r.f.cfg.NoShortCircuit {
			s, err := r.openLocal(addr, b, off, n)
			if err == nil {
				return s, nil
			}
			r.noteFailure(addr, err)
			if errors.Is(err, errs.ErrUnavailable) || (errors.Is(err, errs.ErrNotFound) && src == nil) {
				failed = append(failed, err)
				continue
			}
			// Otherwise the block file may be out of this process's
			// reach (permissions, another mount namespace): stream it.
		}
		s, err := r.openRemote(addr, b, off, n, src)
		if err == nil {
			return s, nil
		}
		r.noteFailure(addr, err)
		failed = append(failed, err)
	}
	if src == nil {
		if len(failed) == 0 {
			return nil, errs.New(errs.ErrUnavailable, "read %s: block %d is on no live worker and the file is not persisted", r.path, b.id)
		}
		return nil, fmt.Errorf("read %s: %w", r.path, errors.Join(failed...))
	}
	ws, err := r.f.liveWorkers(r.ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range writeOrder(ws, r.f.isLocal, 0) {
		addr := w.Address()
		if r.isBad(addr) || tried[addr] {
			continue
		}
		s, err := r.openRemote(addr, b, off, n, src)
		if err == nil {
			return s, nil
		}
		r.noteFailure(addr, err)
		failed = append(failed, err)
		if !errors.Is(err, errs.ErrUnavailable) {
			break // another worker reads the same under storage
		}
	}
	if len(failed) == 0 {
		return nil, errs.New(errs.ErrUnavailable, "read %s: no live worker to read block %d from the under storage", r.path, b.id)
	}
	return nil, fmt.Errorf("read %s: %w", r.path, errors.Join(failed...))
}

// source says where a worker finds block b when it is not cached; nil
// when the file is not in the under storage.
func (r *FileReader) source(b blockRef) *pb.UfsBlockSource {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.info.ufsSource(b)
}

// blockStream yields a range of one block, then io.EOF.
type blockStream interface {
	io.ReadCloser
	worker() string
}

// workerErr turns a worker's gRPC error into a domain error that names
// the worker and the block.
func workerErr(addr string, block int64, err error) error {
	e, _ := errs.FromStatus(err)
	return fmt.Errorf("worker %s, block %d: %w", addr, block, e)
}

func (r *FileReader) openRemote(addr string, b blockRef, off, n int64, src *pb.UfsBlockSource) (blockStream, error) {
	wc, err := r.f.worker(addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(r.ctx)
	var stream grpc.ServerStreamingClient[pb.ReadBlockResponse]
	// Opening the stream waits for the connection: a hung worker must not
	// hold the reader longer than a chunk may take.
	err = withWatchdog(r.f.cfg.DataTimeout, cancel, func() (err error) {
		stream, err = wc.ReadBlock(ctx, &pb.ReadBlockRequest{BlockId: b.id, Offset: off, Length: n, ChunkSize: chunkSize,
			ReadType: r.readType, Source: src, Capability: r.capability()}, chunkCall)
		return err
	})
	if err != nil {
		cancel()
		return nil, workerErr(addr, b.id, err)
	}
	s := &remoteBlock{stream: stream, cancel: cancel, timeout: r.f.cfg.DataTimeout, addr: addr, id: b.id, left: n}
	// The first chunk shows whether the worker can serve the block at
	// all, while other sources can still be tried.
	if err := s.fill(); err != nil {
		cancel()
		return nil, err
	}
	return s, nil
}

type remoteBlock struct {
	stream  grpc.ServerStreamingClient[pb.ReadBlockResponse]
	cancel  context.CancelFunc
	timeout time.Duration
	addr    string
	id      int64
	msg     blockChunk // the last answer; buf is what is left of its chunk
	buf     []byte
	left    int64 // bytes not yet received
}

func (s *remoteBlock) fill() error {
	err := withWatchdog(s.timeout, s.cancel, func() error { return s.stream.RecvMsg(&s.msg) })
	switch {
	case err == io.EOF:
		return errs.New(errs.ErrUnavailable, "worker %s ended block %d %d bytes early", s.addr, s.id, s.left)
	case err != nil:
		return workerErr(s.addr, s.id, err)
	case int64(len(s.msg.chunk)) > s.left:
		return errs.New(errs.ErrCorrupt, "worker %s sent more of block %d than asked for", s.addr, s.id)
	}
	s.buf = s.msg.chunk
	s.left -= int64(len(s.msg.chunk))
	return nil
}

func (s *remoteBlock) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.left == 0 {
			return 0, io.EOF
		}
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

func (s *remoteBlock) Close() error   { s.cancel(); return nil }
func (s *remoteBlock) worker() string { return s.addr }
