package proxy

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// How objects are written: a file being written is incomplete, and the
// proxy treats incomplete files as absent, so nobody sees an object before
// it is whole. A new key is written in place; a key that holds an object
// already is written to a temporary file in the bucket's hidden folder and
// renamed over the old object once complete, so readers see the old one
// until then. A writer that fails or is cut off removes its file (by file
// id, never someone else's).

// tmpPath is a fresh temporary path in bucket b's hidden folder.
func tmpPath(bucketDir string) string {
	return bucketDir + "/" + metaDir + "/" + tmpDir + "/" + randomName()
}

// newFile is a file being written.
type newFile struct {
	w    *client.FileWriter
	path string
	id   int64
	etag []byte // the ETag it was completed with
}

// errReplaced is fill's answer when the file was completed and then
// replaced by another before fill could look at it.
var errReplaced = errConflict()

// create creates path for writing. With inBucket, a missing folder is made
// first, but only inside an existing bucket: a missing bucket is
// NoSuchBucket. exists reports a file or folder already at path.
func (s *Server) create(ctx context.Context, bucket, path string, inBucket bool, notFound *s3Error) (f *newFile, exists bool, e *s3Error) {
	o := client.CreateFileOptions{WriteType: s.cfg.WriteType}
	info, err := s.fs.CreateFile(ctx, path, o)
	if errors.Is(err, client.ErrNotFound) && inBucket {
		if e := s.mkdirsInBucket(ctx, bucket, fspath.Parent(path)); e != nil {
			return nil, false, e
		}
		info, err = s.fs.CreateFile(ctx, path, o)
	}
	if errors.Is(err, client.ErrAlreadyExists) {
		return nil, true, nil
	}
	if err == nil {
		var w *client.FileWriter
		if w, err = s.fs.OpenWriter(ctx, info, o); err == nil {
			return &newFile{w: w, path: path, id: info.ID}, false, nil
		}
	}
	return nil, false, fromClient(err, notFound)
}

// mkdirsInBucket creates dir and its missing parents below the bucket,
// after checking the bucket exists (a recursive mkdir would create it).
func (s *Server) mkdirsInBucket(ctx context.Context, bucket, dir string) *s3Error {
	bfi, err := s.fs.GetStatus(ctx, "/"+bucket, client.StatusOptions{})
	if err == nil && !bfi.IsDir {
		err = client.ErrNotFound
	}
	if err != nil {
		return fromClient(err, errNoSuchBucket("the bucket %s does not exist", bucket))
	}
	_, err = s.fs.CreateDirectory(ctx, dir, client.CreateDirectoryOptions{Recursive: true, AllowExists: true, WriteType: s.cfg.WriteType})
	if err != nil {
		return fromClient(err, errNoSuchBucket("the bucket %s does not exist", bucket))
	}
	return nil
}

// writeCond is what a write asks of the key it writes: If-None-Match: *
// (onlyNew: the key must be free) or If-Match (match: the key must hold an
// object of that ETag, and still hold it when the new one replaces it).
type writeCond struct {
	onlyNew bool
	match   string
}

// writeObject writes body as the object at dst with the attributes meta
// plus the ETag etag() gives once body is read, and returns the ETag.
// With cond.onlyNew a key that holds anything, even an object still being
// written, is PreconditionFailed; with cond.match, a key without an object
// is NoSuchKey and one whose object has another ETag, or is replaced by
// another writer meanwhile, is PreconditionFailed.
func (s *Server) writeObject(ctx context.Context, bucket, dst string, body source, meta objectMeta, etag func() string, cond writeCond) (string, *s3Error) {
	if cond.match != "" {
		return s.replaceObject(ctx, bucket, dst, body, meta, etag, cond.match)
	}
	f, exists, e := s.create(ctx, bucket, dst, true, errNoSuchBucket("the bucket %s does not exist", bucket))
	if e != nil {
		return "", e
	}
	if exists && cond.onlyNew {
		return "", errPrecondition("at least one of the preconditions you specified did not hold (If-None-Match: the key exists)")
	}
	if !exists {
		fi, e := s.fill(ctx, f, body, meta, etag, errConflict())
		if e == errReplaced {
			// Written whole, and already replaced by a later writer of
			// the key: this request succeeded, as it would in S3.
			return string(f.etag), nil
		}
		if e != nil {
			return "", e
		}
		return etagOf(fi), nil
	}
	fi, e := s.writeTemp(ctx, bucket, body, meta, etag)
	if e != nil {
		return "", e
	}
	if e := s.publish(ctx, bucket, fi, dst, 0); e != nil {
		return "", e
	}
	return etagOf(fi), nil
}

// replaceObject is writeObject with If-Match: the object is written aside
// and takes the place of the very file whose ETag matched, or of none.
func (s *Server) replaceObject(ctx context.Context, bucket, dst string, body source, meta objectMeta, etag func() string, match string) (string, *s3Error) {
	old, err := s.fs.GetStatus(ctx, dst, client.StatusOptions{})
	if err == nil && (old.IsDir || !old.Completed) {
		err = client.ErrNotFound
	}
	if err != nil {
		return "", fromClient(err, errNoSuchKey("If-Match: the key holds no object"))
	}
	if !etagMatches(match, etagOf(old)) {
		return "", errPrecondition("If-Match %s: the object's ETag is %q", match, etagOf(old))
	}
	fi, e := s.writeTemp(ctx, bucket, body, meta, etag)
	if e != nil {
		return "", e
	}
	if e := s.publish(ctx, bucket, fi, dst, old.ID); e != nil {
		return "", e
	}
	return etagOf(fi), nil
}

// errConflict is the answer to a writer whose object was replaced or
// deleted by another request while it was written in place.
func errConflict() *s3Error {
	return newErr("OperationAborted", 409, "a conflicting operation on this key completed while the object was written; try again")
}

// writeTemp writes body into a new temporary file of the bucket, complete
// when it returns without error, and gone otherwise.
func (s *Server) writeTemp(ctx context.Context, bucket string, body source, meta objectMeta, etag func() string) (*client.FileInfo, *s3Error) {
	f, _, e := s.create(ctx, bucket, tmpPath("/"+bucket), true, errNoSuchBucket("the bucket %s does not exist", bucket))
	if e != nil {
		return nil, e
	}
	noBucket := errNoSuchBucket("the bucket %s does not exist", bucket)
	fi, e := s.fill(ctx, f, body, meta, etag, noBucket)
	if e == errReplaced {
		// A temporary file of a random name replaced: its folder went.
		e = noBucket
	}
	return fi, e
}

// fill writes body to f and completes it with meta and the ETag; on
// failure the file is removed. notFound is the error for a file removed
// meanwhile.
func (s *Server) fill(ctx context.Context, f *newFile, body source, meta objectMeta, etag func() string, notFound *s3Error) (*client.FileInfo, *s3Error) {
	if body.size > 0 {
		f.w.SetSizeHint(body.size)
	}
	err := s.copyBody(f.w, body)
	if err == nil {
		x := meta.withETag(etag())
		if body.attrs != nil {
			for k, v := range body.attrs() {
				x[k] = v
			}
		}
		f.etag = x[xETag]
		f.w.SetXattr(x)
		err = f.w.Close()
	}
	if err != nil {
		f.w.Cancel()
		s.drop(ctx, f.path, f.id)
		// Logged whatever the cause, so that an operator (and a test) sees
		// every upload that left nothing behind; refused says whether the
		// body was the client's fault (a digest that does not match, a
		// body shorter than announced) rather than the cluster's.
		var refused *s3Error
		s.log.Info("S3 write abandoned, nothing kept", "path", f.path, "refused", errors.As(err, &refused), "error", err)
		if ctx.Err() != nil {
			return nil, errIncompleteBody("the client went away: %v", ctx.Err())
		}
		return nil, fromClient(err, notFound)
	}
	fi, err := s.fs.GetStatus(ctx, f.path, client.StatusOptions{})
	if err == nil && fi.ID != f.id {
		return nil, errReplaced
	}
	if err != nil {
		return nil, fromClient(err, notFound)
	}
	return fi, nil
}

// source is what fill copies into a file: r, with hash (when set) to be
// given every byte on a goroutine of its own and end to run after the last
// (see pipeCopy); without hash, r hashes what it reads itself.
type source struct {
	r    io.Reader
	hash func([]byte)
	end  func() error
	// size is the expected length, when known (> 0).
	size int64
	// attrs, when set, are attributes known once the body is read (its
	// checksum), stored with the others.
	attrs func() objectMeta
}

func (s *Server) copyBody(w io.Writer, src source) error {
	if src.hash != nil {
		return s.pipeCopy(w, src.r, src.hash, src.end)
	}
	buf := s.buffer()
	defer s.release(buf)
	_, err := io.CopyBuffer(w, src.r, *buf)
	return err
}

// drop removes the file or folder id at path, also after the request's
// context ended (a client that went away).
func (s *Server) drop(ctx context.Context, path string, id int64) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	s.fs.Delete(dctx, path, client.DeleteOptions{Recursive: true, FileID: id})
}

// inPlaceWait is how long publish waits for a file another request is
// writing in place before it takes the key anyway.
var inPlaceWait = 10 * time.Second

// replaceTimeout bounds how long publish keeps trying to take a key that
// concurrent writers of the same key hold; the last writer to publish
// wins, as in S3, and every writer's request succeeds.
const replaceTimeout = 30 * time.Second

// publish renames tmp, a complete temporary file, to the object path dst,
// replacing the object there in one step (readers see the old object
// until they see the new one). A file another request is still writing
// in place is waited for (up to inPlaceWait), not removed: that request
// succeeds too, and this one replaces its object after. It removes tmp
// when it fails.
//
// With only set, tmp replaces only the file of that id: a key that holds
// another (or nothing) by then is PreconditionFailed.
func (s *Server) publish(ctx context.Context, bucket string, tmp *client.FileInfo, dst string, only int64) *s3Error {
	// Past this point the object is written: finish even if the client
	// hangs up, so it does not depend on when it did.
	ctx = context.WithoutCancel(ctx)
	var last error
	var waitedOn int64 // the file being written in place that this waits for
	var since time.Time
	over := only // the file the next try replaces
	c := newContention()
	for now := true; now || c.wait(); {
		now = false
		err := s.rename(ctx, tmp.Path, dst, over)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, client.ErrNotFound):
			if fi, serr := s.fs.GetStatus(ctx, tmp.Path, client.StatusOptions{}); serr != nil || fi.ID != tmp.ID {
				return errInternal("the object being written was removed (was its bucket deleted?): %v", err)
			}
			if only != 0 {
				// The object that matched went with its folder.
				s.drop(ctx, tmp.Path, tmp.ID)
				return errPrecondition("the object If-Match named was removed while the new one was written")
			}
			if e := s.mkdirsInBucket(ctx, bucket, fspath.Parent(dst)); e != nil {
				s.drop(ctx, tmp.Path, tmp.ID)
				return e
			}
			continue
		case errors.Is(err, client.ErrPrecondition) && over != 0:
			// The key holds another file by now, or none.
			if only != 0 {
				s.drop(ctx, tmp.Path, tmp.ID)
				return errPrecondition("the object If-Match named was replaced or removed while the new one was written")
			}
			over, now = 0, true // look again
			continue
		case errors.Is(err, client.ErrAlreadyExists):
			old, serr := s.fs.GetStatus(ctx, dst, client.StatusOptions{})
			switch {
			case only != 0 && (serr != nil || old.ID != only):
				s.drop(ctx, tmp.Path, tmp.ID)
				return errPrecondition("the object If-Match named was replaced or removed while the new one was written")
			case serr != nil:
				continue // gone meanwhile
			case old.IsDir:
				s.drop(ctx, tmp.Path, tmp.ID)
				return fromClient(client.ErrAlreadyExists, nil)
			case old.Completed:
				over, now = old.ID, true
				continue
			case old.ID != waitedOn:
				waitedOn, since = old.ID, time.Now()
			case time.Since(since) > inPlaceWait:
				// Its writer is slow, or gone (a proxy that died
				// mid-write leaves its file): it loses the key.
				s.fs.Delete(ctx, dst, client.DeleteOptions{FileID: old.ID})
				continue
			}
		default:
			s.drop(ctx, tmp.Path, tmp.ID)
			return fromClient(err, nil)
		}
		// Another writer holds the key: let it finish (it was writing in
		// place) or publish (it won the last rename), then try again.
		last = err
	}
	s.drop(ctx, tmp.Path, tmp.ID)
	return errSlowDown("the key is held by other writers for more than %s: %v", replaceTimeout, last)
}

// rename moves src to dst, over the file of id over when set.
func (s *Server) rename(ctx context.Context, src, dst string, over int64) error {
	if over != 0 {
		return s.fs.RenameOver(ctx, src, dst, over)
	}
	return s.fs.Rename(ctx, src, dst)
}

// contention paces the retries of a writer that found its key held by
// another: pauses that grow to 100 ms, with jitter so that writers that
// collided do not collide again, until replaceTimeout.
type contention struct {
	deadline time.Time
	pause    time.Duration
}

func newContention() *contention {
	return &contention{deadline: time.Now().Add(replaceTimeout)}
}

// wait pauses before every try but the first, and reports whether to try.
func (c *contention) wait() bool {
	if c.pause == 0 {
		c.pause = time.Millisecond
		return true
	}
	if time.Now().After(c.deadline) {
		return false
	}
	time.Sleep(c.pause/2 + rand.N(c.pause))
	c.pause = min(2*c.pause, 100*time.Millisecond)
	return true
}
