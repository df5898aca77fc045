package proxy

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// cleanupTimeout bounds the clean-up calls made after a request failed or
// its client went away.
const cleanupTimeout = 30 * time.Second

// emptyETag is the MD5 of no bytes.
var emptyETag = func() string { s := md5.Sum(nil); return hex.EncodeToString(s[:]) }()

// statObject finds the object bucket/key: a complete file, or a folder
// made as "key/". A missing bucket is NoSuchBucket, a missing object
// NoSuchKey.
func (s *Server) statObject(ctx context.Context, bucket, key string) (*client.FileInfo, *s3Error) {
	p, dir, e := objectPath(bucket, key)
	if e != nil {
		return nil, e
	}
	fi, err := s.fs.GetStatus(ctx, p, client.StatusOptions{})
	noKey := errNoSuchKey("the specified key does not exist")
	if errors.Is(err, client.ErrNotFound) || errors.Is(err, client.ErrNotDirectory) {
		if _, e := s.statBucketCtx(ctx, bucket); e != nil {
			return nil, e
		}
		return nil, noKey
	}
	if err != nil {
		return nil, fromClient(err, noKey)
	}
	if dir != fi.IsDir || (dir && fi.Xattr[xFolder] == nil) || (!dir && !fi.Completed) {
		return nil, noKey
	}
	return fi, nil
}

func (s *Server) statBucketCtx(ctx context.Context, bucket string) (*client.FileInfo, *s3Error) {
	return s.statBucket(&request{ctx: ctx}, bucket)
}

// responseOverrides are the query parameters of a GET that replace
// response headers.
var responseOverrides = map[string]string{
	"response-content-type": "Content-Type", "response-content-language": "Content-Language",
	"response-expires": "Expires", "response-cache-control": "Cache-Control",
	"response-content-disposition": "Content-Disposition", "response-content-encoding": "Content-Encoding",
}

// errReplacedMidGet says that the file a GET found at its key was gone
// before its first byte was read: replaced by an overwrite (or deleted).
var errReplacedMidGet = errNoSuchKey("the specified key does not exist")

// getAttempts bounds how often a GET looks its key up again after the
// file it found was replaced before it could be read.
const getAttempts = 4

// getObject answers a GET or HEAD. S3 serves a GET whole from the object
// it found, even when an overwrite lands meanwhile; here the file of an
// overwritten key is deleted with the overwrite, so a GET that finds it
// gone before sending anything looks the key up again and serves what is
// there now (the overwrite then counts as before the GET). Only a key with
// no object is NoSuchKey.
func (s *Server) getObject(req *request) *s3Error {
	saved := req.w.Header().Clone()
	for attempt := 1; ; attempt++ {
		e := s.getObjectOnce(req)
		if e != errReplacedMidGet || attempt == getAttempts {
			return e
		}
		h := req.w.Header()
		clear(h)
		for k, v := range saved {
			h[k] = v
		}
	}
}

func (s *Server) getObjectOnce(req *request) *s3Error {
	if e := checkCustomerKeyHeaders(req.r.Header); e != nil {
		return e
	}
	if req.q.Has("partNumber") {
		// A bad part number is refused before the key is looked up.
		if _, e := partNumber(req); e != nil {
			return e
		}
	}
	fi, e := s.statVersion(req)
	if e != nil {
		return e
	}
	h := req.w.Header()
	etag := etagOf(fi)
	switch preconditions(req.r.Header, etag, fi.Modified) {
	case http.StatusNotModified:
		h.Set("ETag", quote(etag))
		h.Set("Last-Modified", fi.Modified.UTC().Format(http.TimeFormat))
		req.w.WriteHeader(http.StatusNotModified)
		return nil
	case http.StatusPreconditionFailed:
		return errPrecondition("at least one of the preconditions you specified did not hold")
	}
	size := fi.Length
	if fi.IsDir {
		size = 0
	}
	start, length, status, e := objectRange(req, fi, size)
	if e != nil {
		return e
	}
	setObjectHeaders(h, fi)
	if status == http.StatusOK && strings.EqualFold(req.r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		// Only for the whole object, as S3: a range has no checksum of
		// its own.
		if c, ok := checksumOf(fi); ok {
			setChecksumHeaders(h, c)
		}
	}
	for q, hdr := range responseOverrides {
		if v := req.q.Get(q); v != "" {
			h.Set(hdr, v)
		}
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	if req.r.Method == http.MethodHead || length == 0 {
		req.w.WriteHeader(status)
		return nil
	}
	rd, err := s.fs.OpenInfo(req.ctx, fi, client.OpenOptions{})
	if err != nil {
		return fromClient(err, errReplacedMidGet)
	}
	defer rd.Close()
	if _, err := rd.Seek(start, io.SeekStart); err != nil {
		return fromClient(err, nil)
	}
	// The first bytes are read before the status is sent, so a cluster
	// that cannot serve the object gets an error document, not a 200
	// with a short body.
	buf := s.buffer()
	defer s.release(buf)
	first := (*buf)[:min(int64(len(*buf)), length)]
	n, err := io.ReadFull(rd, first)
	if err != nil {
		return fromClient(err, errReplacedMidGet)
	}
	req.w.WriteHeader(status)
	if _, err := req.w.Write(first[:n]); err != nil {
		return nil // the client went away
	}
	if rest := length - int64(n); rest > 0 {
		if _, err := rd.WriteRangeTo(req.w, start+int64(n), rest); err != nil {
			if req.ctx.Err() == nil {
				s.log.Warn("S3 GET cut short", "path", fi.Path, "error", err)
			}
			// Headers are out: cut the connection, so the client sees a
			// truncated body rather than a complete-looking one.
			panic(http.ErrAbortHandler)
		}
	}
	return nil
}

func (s *Server) putObject(req *request) *s3Error {
	etag, sum, size, e := s.storeObject(req)
	if e != nil {
		return e
	}
	h := req.w.Header()
	h.Set("ETag", quote(etag))
	setChecksumHeaders(h, sum.sum())
	h.Set("X-Amz-Object-Size", strconv.FormatInt(size, 10))
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// storeObject writes the request's body as the object at its key, with
// the attributes its headers give (PutObject, and POST Object once its
// form is read), and returns the ETag, the object's checksum and size.
func (s *Server) storeObject(req *request) (string, *bodyChecksum, int64, *s3Error) {
	p, dir, e := objectPath(req.bucket, req.key)
	if e != nil {
		return "", nil, 0, e
	}
	if _, e := requestChecksum(req.r.Header); e != nil {
		return "", nil, 0, e
	}
	meta, e := s.writeMeta(req)
	if e != nil {
		return "", nil, 0, e
	}
	pl, e := newPayload(req.r, req.who, maxPutSize)
	if e != nil {
		return "", nil, 0, e
	}
	sum := newBodyChecksum(pl, nil)
	if dir {
		return emptyETag, sum, 0, s.putFolder(req, p, meta, pl, sum)
	}
	cond, e := writeConditions(req.r.Header)
	if e != nil {
		return "", nil, 0, e
	}
	src := sum.wrap(pl.source())
	src.attrs = sum.attrs
	etag, e := s.writeObject(req.ctx, req.bucket, p, src, meta, pl.etag, cond)
	return etag, sum, pl.n, e
}

// writeMeta is what a write of a new object (PutObject,
// CreateMultipartUpload) says about it: content type, stored headers,
// user metadata and tags; the ACL it asks for must be the owner's.
func (s *Server) writeMeta(req *request) (objectMeta, *s3Error) {
	if e := checkStorageHeaders(req.r.Header); e != nil {
		return nil, e
	}
	if _, e := checkACLHeaders(req.r.Header, req.userName(), s.bucketOwner(req)); e != nil {
		return nil, e
	}
	meta, e := metaFromRequest(req.r, s.cfg.MetadataMaxSize)
	if e != nil {
		return nil, e
	}
	if e := taggingFromRequest(req.r, meta); e != nil {
		return nil, e
	}
	return meta, nil
}

// writeConditions reads the conditions of a write, as S3 takes them:
// If-None-Match: * (put only if the key is free) or If-Match: <ETag> (put
// only over that object).
func writeConditions(h http.Header) (writeCond, *s3Error) {
	c := writeCond{match: h.Get("If-Match")}
	switch v := h.Get("If-None-Match"); v {
	case "":
	case "*":
		c.onlyNew = true
	default:
		// If-None-Match on a write takes only *. The additional
		// message is S3's, backslash included.
		return c, errNotImplemented(msgNotImplementedHeader).with("Header", "If-None-Match",
			"additionalMessage", `We don\'t accept the provided value of If-None-Match header for this API`)
	}
	if c.onlyNew && c.match != "" {
		return c, errNotImplemented(msgNotImplementedHeader).with("Header", "If-Match,If-None-Match",
			"additionalMessage", "Multiple conditional request headers present in the request")
	}
	return c, nil
}

// putFolder makes the object "key/": a folder marked as an object. It
// holds no data.
func (s *Server) putFolder(req *request, path string, meta objectMeta, pl *payload, sum *bodyChecksum) *s3Error {
	n, err := io.Copy(io.Discard, io.LimitReader(pl, 1))
	if err != nil {
		return fromClient(err, nil)
	}
	if n > 0 {
		return errInvalidArgument("a key ending in '/' is a folder here and holds no data")
	}
	if e := s.mkdirsInBucket(req.ctx, req.bucket, path); e != nil {
		return e
	}
	x := meta.withETag(emptyETag)
	x[xFolder] = []byte("1")
	x[xChecksum] = sum.sum().encode()
	if err := s.fs.SetAttribute(req.ctx, path, client.SetAttributeOptions{Xattr: x, XattrReplaceAll: true}); err != nil {
		return fromClient(err, nil)
	}
	return nil
}

// pruneEmpty removes dir and its ancestors below the bucket while they are
// empty and not objects themselves, so that a prefix disappears with its
// last key as in S3. It is best effort: a folder that gained a key
// meanwhile refuses the delete.
func (s *Server) pruneEmpty(ctx context.Context, bucketDir, dir string) {
	for dir != bucketDir && fspath.IsAncestor(bucketDir, dir) {
		fi, err := s.fs.GetStatus(ctx, dir, client.StatusOptions{})
		if err != nil || !fi.IsDir || fi.Xattr[xFolder] != nil {
			return
		}
		if s.fs.Delete(ctx, dir, client.DeleteOptions{}) != nil {
			return
		}
		dir = fspath.Parent(dir)
	}
}
