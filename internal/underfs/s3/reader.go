package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// readRetries is how many times a ranged GET whose body broke is resumed
// from where it stopped before the read fails.
const readRetries = 3

// readChunk is the size of the first GET and of each ranged GET after it.
const readChunk = 4 << 20

// Open implements underfs.UnderFileSystem. The first GET pins the reader
// to the object it finds: later GETs carry If-Match with its ETag, so an
// object replaced meanwhile fails the read (errs.ErrNotFound) instead of
// mixing two objects' bytes. Read streams the first chunk from that GET
// and then fetches ahead with parallel ranged GETs, starting with one and
// doubling up to alluxio.underfs.s3.read.parallelism as the reader keeps
// reading. A body that breaks mid-way (the server went away) is fetched
// again from where it stopped, a few times, before the read fails. The
// reader also implements io.ReaderAt (one ranged GET per call, safe for
// concurrent use), io.Seeker and underfs.Fingerprinted.
func (fs *FS) Open(ctx context.Context, p string, offset int64) (io.ReadCloser, error) {
	return fs.open(ctx, p, offset, -1)
}

// OpenRange implements underfs.RangeOpener: Open that reads ahead up to
// offset+length and no further.
func (fs *FS) OpenRange(ctx context.Context, p string, offset, length int64) (io.ReadCloser, error) {
	if length < 0 {
		return nil, fs.fail(errs.ErrInvalidArg, "open", p, "negative length")
	}
	return fs.open(ctx, p, offset, length)
}

func (fs *FS) open(ctx context.Context, p string, offset, length int64) (io.ReadCloser, error) {
	const op = "open"
	rel, err := fs.resolve(ctx, op, p)
	if err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, fs.fail(errs.ErrInvalidArg, op, rel, "negative offset")
	}
	if rel == "" {
		return nil, fs.fail(errs.ErrIsDirectory, op, rel, "")
	}
	r := &reader{fs: fs, rel: rel, key: fs.key(rel), pos: offset, limit: -1}
	first := int64(readChunk)
	if length >= 0 {
		first = max(min(first, length), 1) // a GET of nothing is no range; it still tells the size
		r.limit = offset + length
	}
	// The body outlives ctx, which bounds opening only.
	bctx, cancel := context.WithCancel(context.Background())
	stop := context.AfterFunc(ctx, cancel)
	out, err := fs.client.GetObject(bctx, &s3.GetObjectInput{Bucket: &fs.cfg.Bucket, Key: &r.key,
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", offset, offset+first-1))})
	stop()
	if err != nil {
		cancel()
		return fs.openFailed(ctx, op, rel, offset, err)
	}
	r.etag = strings.Trim(aws.ToString(out.ETag), `"`)
	r.size = totalSize(aws.ToString(out.ContentRange), offset+aws.ToInt64(out.ContentLength))
	r.body, r.cancel = out.Body, cancel
	r.bodyEnd = offset + aws.ToInt64(out.ContentLength)
	if end := min(r.limit, r.size); end > r.bodyEnd {
		// The whole range will be read: fetch the rest at full
		// parallelism while the first GET streams.
		r.ahead = underfs.ReadAheadFull(r, r.bodyEnd, end, readChunk, fs.cfg.ReadParallelism)
	}
	return r, nil
}

// openFailed explains a first GET that failed: a directory, nothing, or
// an offset at or past the end (416), which is not an error.
func (fs *FS) openFailed(ctx context.Context, op, rel string, offset int64, err error) (io.ReadCloser, error) {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "InvalidRange" {
		st, found, herr := fs.headFile(ctx, op, rel)
		if herr != nil {
			return nil, herr
		}
		if found {
			return &reader{fs: fs, rel: rel, key: fs.key(rel), size: st.Length, etag: st.Fingerprint, pos: offset, limit: -1}, nil
		}
	} else if !isMissing(err) {
		return nil, fs.sdkErr(ctx, op, rel, err)
	}
	if _, ok, err := fs.probeDir(ctx, op, rel); err != nil {
		return nil, err
	} else if ok {
		return nil, fs.fail(errs.ErrIsDirectory, op, rel, "")
	}
	return nil, fs.fail(errs.ErrNotFound, op, rel, "")
}

// totalSize reads the object's size from a Content-Range ("bytes 0-9/10").
func totalSize(contentRange string, fallback int64) int64 {
	if i := strings.LastIndexByte(contentRange, '/'); i >= 0 {
		if n, err := strconv.ParseInt(contentRange[i+1:], 10, 64); err == nil {
			return n
		}
	}
	return fallback
}

type reader struct {
	fs    *FS
	rel   string
	key   string
	size  int64
	etag  string
	limit int64 // where sequential reads stop fetching ahead; -1: the end

	pos     int64
	body    io.ReadCloser // the first GET, serving [pos, bodyEnd)
	bodyEnd int64
	cancel  context.CancelFunc
	ahead   underfs.AheadReader // read-ahead from where the body ended
	closed  bool
}

var (
	_ io.ReaderAt           = (*reader)(nil)
	_ io.WriterTo           = (*reader)(nil)
	_ io.Seeker             = (*reader)(nil)
	_ underfs.Fingerprinted = (*reader)(nil)
)

// Fingerprint is the ETag of the object being read.
func (r *reader) Fingerprint() string { return r.etag }

// Size is the length of the object being read.
func (r *reader) Size() int64 { return r.size }

func (r *reader) Read(b []byte) (int, error) {
	if r.closed {
		return 0, r.fs.fail(errs.ErrPrecondition, "read", r.rel, "reader closed")
	}
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if len(b) == 0 {
		return 0, nil
	}
	if r.pos < r.bodyEnd && r.body != nil {
		n, err := r.body.Read(b[:min(int64(len(b)), r.bodyEnd-r.pos)])
		r.pos += int64(n)
		if r.pos >= r.bodyEnd || err != nil {
			r.dropBody() // done, or broken mid-way: a ranged GET fetches the rest
		}
		if n > 0 {
			return n, nil
		}
	}
	if r.pos < r.bodyEnd {
		n, err := r.ReadAt(b[:min(int64(len(b)), r.bodyEnd-r.pos)], r.pos)
		r.pos += int64(n)
		if n > 0 {
			return n, nil
		}
		return 0, err
	}
	if r.ahead == nil {
		end := r.size
		if r.limit > r.pos {
			end = min(end, r.limit)
		}
		r.ahead = underfs.ReadAhead(r, r.pos, end, readChunk, r.fs.cfg.ReadParallelism)
	}
	n, err := r.ahead.Read(b)
	r.pos += int64(n)
	if err == io.EOF && r.pos < r.size {
		// Past the range OpenRange named: go on, without a limit.
		r.dropAhead()
		r.limit = -1
		err = nil
	}
	return n, err
}

// WriteTo writes the rest of the range OpenRange named (the rest of the
// object, after Open) to w: what is left of the first GET through a
// buffer, then each chunk the read-ahead fetched as it is, without the
// copy into a caller's buffer that Read makes. Reading on past the range
// is for Read.
func (r *reader) WriteTo(w io.Writer) (int64, error) {
	if r.closed {
		return 0, r.fs.fail(errs.ErrPrecondition, "read", r.rel, "reader closed")
	}
	end := r.size
	if r.limit >= 0 {
		end = min(end, r.limit)
	}
	var total int64
	if head := min(r.bodyEnd, end) - r.pos; head > 0 {
		n, err := io.CopyBuffer(w, io.LimitReader(onlyReader{r}, head), make([]byte, min(head, 256<<10)))
		total += n
		if err != nil {
			return total, err
		}
	}
	if r.pos >= end {
		return total, nil
	}
	if r.ahead == nil {
		r.ahead = underfs.ReadAhead(r, r.pos, end, readChunk, r.fs.cfg.ReadParallelism)
	}
	n, err := r.ahead.WriteTo(w)
	r.pos += n
	return total + n, err
}

// onlyReader hides WriteTo from io.Copy.
type onlyReader struct{ io.Reader }

// get starts a GET of [off, end) of the object.
func (r *reader) get(off, end int64) (io.ReadCloser, context.CancelFunc, error) {
	ctx, cancel := context.WithCancel(context.Background())
	in := &s3.GetObjectInput{Bucket: &r.fs.cfg.Bucket, Key: &r.key, Range: aws.String(fmt.Sprintf("bytes=%d-%d", off, end-1))}
	if r.etag != "" {
		in.IfMatch = aws.String(`"` + r.etag + `"`)
	}
	// No deadline: the body streams for as long as it takes. The
	// transport bounds the wait for the response headers.
	out, err := r.fs.client.GetObject(ctx, in)
	if err != nil {
		cancel()
		err = r.fs.sdkErr(context.Background(), "read", r.rel, err)
		if errors.Is(err, errs.ErrAlreadyExists) || errors.Is(err, errs.ErrNotFound) {
			// 412 on If-Match: the object is another one now.
			return nil, nil, r.fs.fail(errs.ErrNotFound, "read", r.rel, "the object was replaced or deleted while it was read")
		}
		return nil, nil, err
	}
	return out.Body, cancel, nil
}

// ReadAt reads len(b) bytes at off with one ranged GET, resumed from where
// it stopped when the body breaks.
func (r *reader) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, r.fs.fail(errs.ErrInvalidArg, "read", r.rel, "negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := b[:min(int64(len(b)), r.size-off)]
	n := 0
	var last error
	for attempt := 0; n < len(want) && attempt <= readRetries; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
		}
		body, cancel, err := r.get(off+int64(n), off+int64(len(want)))
		if err != nil {
			if !errors.Is(err, errs.ErrUnavailable) {
				return n, err
			}
			last = err
			continue
		}
		k, err := io.ReadFull(body, want[n:])
		if err == nil {
			// Read to EOF: a body closed before it is how Go's HTTP
			// client knows not to reuse the connection, and every GET
			// would open a new one.
			_, err = io.Copy(io.Discard, io.LimitReader(body, 1<<10))
		}
		body.Close()
		cancel()
		n += k
		if err != nil {
			last = r.fs.fail(errs.ErrUnavailable, "read", r.rel, fmt.Sprintf("the body broke at byte %d: %v", off+int64(n), err))
		}
		if k > 0 {
			attempt = 0 // progress: the retries start over
		}
	}
	if n < len(want) {
		return n, last
	}
	if len(want) < len(b) {
		return n, io.EOF
	}
	return n, nil
}

func (r *reader) Seek(offset int64, whence int) (int64, error) {
	abs := offset
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		abs += r.pos
	case io.SeekEnd:
		abs += r.size
	default:
		return r.pos, r.fs.fail(errs.ErrInvalidArg, "seek", r.rel, fmt.Sprintf("whence %d", whence))
	}
	if abs < 0 {
		return r.pos, r.fs.fail(errs.ErrInvalidArg, "seek", r.rel, "negative offset")
	}
	if abs != r.pos {
		r.dropBody()
		r.dropAhead()
		r.pos, r.bodyEnd = abs, abs
	}
	return abs, nil
}

func (r *reader) dropBody() {
	if r.body != nil {
		if r.pos >= r.bodyEnd {
			io.Copy(io.Discard, io.LimitReader(r.body, 1<<10)) // to EOF, so the connection is reused
		}
		r.body.Close()
		r.cancel()
		r.body, r.cancel = nil, nil
	}
}

func (r *reader) dropAhead() {
	if r.ahead != nil {
		r.ahead.Close()
		r.ahead = nil
	}
}

func (r *reader) Close() error {
	r.closed = true
	r.dropBody()
	r.dropAhead()
	return nil
}
