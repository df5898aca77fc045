package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Create implements underfs.UnderFileSystem. The file is streamed: a file
// smaller than a part is sent with one PutObject on Close; a larger one is
// a multipart upload whose parts go up in parallel while later ones are
// written, and which Close completes. Nothing is visible before that, and
// a writer holds at most WriterParts parts in memory. Without Overwrite the
// publish is conditional (If-None-Match), so a file created meanwhile is
// not replaced where the store supports conditional writes. With
// alluxio.underfs.s3.streaming.upload.enabled=false the bytes go to a
// local temporary file instead, and up on Close (spool.go); everything
// else is the same.
func (fs *FS) Create(ctx context.Context, p string, opts underfs.CreateOptions) (underfs.Writer, error) {
	const op = "create"
	rel, err := fs.resolve(ctx, op, p)
	if err != nil {
		return nil, err
	}
	if err := fs.checkPerm(op, rel, opts.Perm); err != nil {
		return nil, err
	}
	if err := fs.checkCreate(ctx, op, rel, opts); err != nil {
		return nil, err
	}
	return fs.newWriter(ctx, op, rel, opts, false)
}

// checkCreate applies the conditions of Create (and, again, of Close).
func (fs *FS) checkCreate(ctx context.Context, op, rel string, opts underfs.CreateOptions) error {
	if rel == "" {
		return fs.fail(errs.ErrIsDirectory, op, rel, "the root is a directory")
	}
	_, k, err := fs.stat(ctx, op, rel)
	switch {
	case err != nil:
		return err
	case k == dir:
		return fs.fail(errs.ErrIsDirectory, op, rel, "")
	case k == file && !opts.Overwrite:
		return fs.fail(errs.ErrAlreadyExists, op, rel, "")
	}
	parent := parentOf(rel)
	if parent == "" {
		return nil
	}
	if opts.CreateParents {
		if err := fs.mkdirs(ctx, op, parent); err != nil {
			if errors.Is(err, errs.ErrAlreadyExists) {
				return fs.fail(errs.ErrNotDirectory, op, rel, "its parent is a file")
			}
			return err
		}
		return nil
	}
	_, pk, err := fs.stat(ctx, op, parent)
	switch {
	case err != nil:
		return err
	case pk == file:
		return fs.fail(errs.ErrNotDirectory, op, rel, "its parent is a file")
	case pk == absent && fs.ancestorIsFile(ctx, op, parent):
		return fs.fail(errs.ErrNotDirectory, op, rel, "an ancestor is a file")
	case pk == absent:
		return fs.fail(errs.ErrNotFound, op, rel, "its parent directory does not exist")
	}
	return nil
}

// writer streams a file into a multipart upload (or, when it stays within
// one part and is not staged, one PutObject). Parts upload in the
// background; buffers come back through free, which bounds the memory.
// A writer with a spool writes the file there and uploads it at the end.
type writer struct {
	fs     *FS
	ctx    context.Context // the writer's own: cancelled by Cancel
	cancel context.CancelFunc
	rel    string
	key    string
	opts   underfs.CreateOptions
	staged bool

	spool *spool // the local copy, when not streaming; nil when streaming

	buf  []byte         // the part being filled
	free chan []byte    // buffers not in use
	made int            // buffers allocated so far
	wg   sync.WaitGroup // part uploads in flight

	uploadID string
	next     int32 // the next part's number

	mu    sync.Mutex // guards parts and err, written by uploads
	parts []part
	err   error

	done bool
}

// part is one uploaded part, as the token and CompleteMultipartUpload
// name it.
type part struct {
	Number int32  `json:"n"`
	ETag   string `json:"e"`
	Size   int64  `json:"s"`
	// CRC is the part's CRC-32, which completing the upload repeats
	// (uploads of older tokens have none).
	CRC string `json:"c,omitempty"`
}

func (fs *FS) newWriter(ctx context.Context, op, rel string, opts underfs.CreateOptions, staged bool) (*writer, error) {
	// The writer outlives Create's context (the caller streams into it
	// for as long as it takes); Cancel ends its requests.
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w := &writer{fs: fs, ctx: wctx, cancel: cancel, rel: rel, key: fs.key(rel), opts: opts, staged: staged,
		free: make(chan []byte, fs.cfg.WriterParts), next: 1}
	if !fs.cfg.StreamingUpload {
		sp, err := fs.newSpool(op, rel)
		if err != nil {
			cancel()
			return nil, err
		}
		w.spool = sp
	}
	return w, nil
}

func (w *writer) Write(b []byte) (int, error) {
	if w.done {
		return 0, w.fs.fail(errs.ErrPrecondition, "write", w.rel, "writer already closed or canceled")
	}
	if err := w.failed(); err != nil {
		return 0, err
	}
	if w.spool != nil {
		n, err := w.spool.write(b)
		if err != nil {
			err = w.fs.spoolErr("write", w.rel, err)
			w.setErr(err)
		}
		return n, err
	}
	n := 0
	for n < len(b) {
		if w.buf == nil {
			buf, err := w.buffer()
			if err != nil {
				return n, err
			}
			w.buf = buf[:0]
		}
		k := copy(w.buf[len(w.buf):cap(w.buf)], b[n:])
		w.buf = w.buf[:len(w.buf)+k]
		n += k
		if len(w.buf) == cap(w.buf) {
			if err := w.send(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// buffer returns a part buffer: a new one while fewer than WriterParts
// exist, else one an upload gave back (waiting for it).
func (w *writer) buffer() ([]byte, error) {
	select {
	case b := <-w.free:
		return b, nil
	default:
	}
	if w.made < w.fs.cfg.WriterParts {
		w.made++
		return make([]byte, 0, w.fs.cfg.PartSize), nil
	}
	select {
	case b := <-w.free:
		return b, nil
	case <-w.ctx.Done():
		if err := w.failed(); err != nil {
			return nil, err
		}
		return nil, w.fs.ctxErr("write", w.rel, w.ctx.Err())
	}
}

func (w *writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *writer) setErr(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
		w.cancel()
	}
}

// startUpload starts the multipart upload if need be, and checks that
// there is room for one more part.
func (w *writer) startUpload() error {
	if w.uploadID == "" {
		out, err := w.fs.client.CreateMultipartUpload(w.ctx, &s3.CreateMultipartUploadInput{Bucket: &w.fs.cfg.Bucket, Key: &w.key,
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			err = w.fs.sdkErr(w.ctx, "write", w.rel, err)
			w.setErr(err)
			return err
		}
		w.uploadID = aws.ToString(out.UploadId)
	}
	if int(w.next) > maxParts {
		err := w.fs.fail(errs.ErrNoSpace, "write", w.rel, "the file needs more than 10,000 parts: raise "+KeyPartSize)
		w.setErr(err)
		return err
	}
	return nil
}

// send uploads the full buffer as the next part, starting the multipart
// upload first if need be.
func (w *writer) send() error {
	if err := w.startUpload(); err != nil {
		return err
	}
	buf := w.buf
	w.buf = nil
	return w.sendPart(bytes.NewReader(buf), int64(len(buf)), func() { w.free <- buf[:0] })
}

// sendPart uploads body, of size bytes, as the next part in the background,
// and calls done when the upload has ended. The multipart upload must have
// been started.
func (w *writer) sendPart(body io.ReadSeeker, size int64, done func()) error {
	num := w.next
	w.next++
	if err := w.fs.acquire(w.ctx); err != nil {
		done()
		err = w.fs.ctxErr("write", w.rel, err)
		w.setErr(err)
		return err
	}
	w.wg.Go(func() {
		defer done()
		defer w.fs.release()
		sum, err := crc32OfReader(body)
		if err != nil {
			w.setErr(w.fs.spoolErr("write", w.rel, err))
			return
		}
		out, err := w.fs.client.UploadPart(w.ctx, &s3.UploadPartInput{Bucket: &w.fs.cfg.Bucket, Key: &w.key, UploadId: &w.uploadID,
			PartNumber: aws.Int32(num), Body: body, ContentLength: aws.Int64(size), ChecksumCRC32: &sum}, unsignedBody)
		w.mu.Lock()
		if err == nil {
			w.parts = append(w.parts, part{Number: num, ETag: aws.ToString(out.ETag), Size: size, CRC: sum})
		}
		w.mu.Unlock()
		if err != nil {
			w.setErr(w.fs.sdkErr(w.ctx, "write", w.rel, err))
		}
	})
	return w.failed()
}

// finish uploads what is buffered and waits for every part.
// A file that fits in one part and is not staged stays in the buffer,
// for one PutObject.
func (w *writer) finish() error {
	if w.spool != nil {
		return w.sendSpool()
	}
	if len(w.buf) > 0 && (w.uploadID != "" || w.staged) {
		if err := w.send(); err != nil {
			w.wg.Wait()
			return err
		}
	}
	w.wg.Wait()
	return w.failed()
}

// Close implements underfs.Writer: the conditions of Create are checked
// again, then the upload is completed (or the one part put). The checks
// and the publish are separate requests, so a directory made in between
// is not noticed; "no file there" is checked by the store itself.
func (w *writer) Close() error {
	const op = "close"
	if w.done {
		return w.fs.fail(errs.ErrPrecondition, op, w.rel, "writer already closed or canceled")
	}
	w.done = true
	defer w.cancel()
	defer w.removeSpool()
	if err := w.finish(); err != nil {
		w.drop()
		return err
	}
	check := w.opts
	check.CreateParents = false
	if err := w.fs.checkCreate(w.ctx, op, w.rel, check); err != nil {
		w.drop()
		return err
	}
	var ifNoneMatch *string
	if !w.opts.Overwrite {
		ifNoneMatch = aws.String("*")
	}
	var err error
	if w.uploadID == "" {
		var body io.ReadSeeker = bytes.NewReader(w.buf)
		size := int64(len(w.buf))
		if w.spool != nil {
			body, size = w.spool.section(0, w.spool.size), w.spool.size
		}
		var sum string
		if sum, err = crc32OfReader(body); err != nil {
			w.drop()
			return w.fs.spoolErr(op, w.rel, err)
		}
		_, err = w.fs.client.PutObject(w.ctx, &s3.PutObjectInput{Bucket: &w.fs.cfg.Bucket, Key: &w.key, Body: body,
			ContentLength: aws.Int64(size), ChecksumCRC32: aws.String(sum), IfNoneMatch: ifNoneMatch}, unsignedBody)
	} else {
		_, err = w.fs.client.CompleteMultipartUpload(w.ctx, &s3.CompleteMultipartUploadInput{Bucket: &w.fs.cfg.Bucket,
			Key: &w.key, UploadId: &w.uploadID, IfNoneMatch: ifNoneMatch,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: completed(w.parts)}})
	}
	if err != nil {
		w.drop()
		err = w.fs.sdkErr(w.ctx, op, w.rel, err)
		if errors.Is(err, errs.ErrAlreadyExists) {
			return w.fs.fail(errs.ErrAlreadyExists, op, w.rel, "created by someone else while it was written")
		}
		return err
	}
	return nil
}

// Cancel implements underfs.Writer: the upload is aborted, so no part
// stays behind.
func (w *writer) Cancel() error {
	if w.done {
		return nil
	}
	w.done = true
	w.cancel()
	w.wg.Wait()
	w.drop()
	return nil
}

// drop aborts the multipart upload, if one was started, and removes the
// spool.
func (w *writer) drop() {
	w.buf = nil
	w.removeSpool()
	if w.uploadID != "" {
		w.fs.abort(w.key, w.uploadID)
	}
}

// completed lists parts in order, as CompleteMultipartUpload wants them.
func completed(parts []part) []types.CompletedPart {
	out := make([]types.CompletedPart, len(parts))
	for _, p := range parts {
		out[p.Number-1] = types.CompletedPart{PartNumber: aws.Int32(p.Number), ETag: aws.String(p.ETag)}
		if p.CRC != "" {
			out[p.Number-1].ChecksumCRC32 = aws.String(p.CRC)
		}
	}
	return out
}

var _ io.Writer = (*writer)(nil)
