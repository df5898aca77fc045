package proxy

import (
	"context"
	"errors"
	"io"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// An object is written to a temporary file in its bucket's hidden folder
// and renamed into place once complete: readers see the old object, or
// none, until the new one is whole, and a writer that fails or is cut off
// leaves nothing at the key.

// tmpPath is a fresh temporary path in bucket b's hidden folder.
func tmpPath(bucketDir string) string {
	return bucketDir + "/" + metaDir + "/" + tmpDir + "/" + randomName()
}

// createIn creates path for writing. Its folder is made when missing, but
// only inside an existing bucket: a missing bucket is NoSuchBucket.
func (s *Server) createIn(ctx context.Context, bucket, path string, o client.CreateFileOptions) (*client.FileWriter, *s3Error) {
	if o.WriteType == "" {
		o.WriteType = s.cfg.WriteType
	}
	w, err := s.fs.Create(ctx, path, o)
	if errors.Is(err, client.ErrNotFound) {
		if e := s.mkdirsInBucket(ctx, bucket, fspath.Parent(path)); e != nil {
			return nil, e
		}
		w, err = s.fs.Create(ctx, path, o)
	}
	if err != nil {
		return nil, fromClient(err, errNoSuchBucket("the bucket %s does not exist", bucket))
	}
	return w, nil
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

// writeTemp writes body into a new temporary file of the bucket with the
// object attributes meta plus the ETag etag() gives once body is read;
// the file is complete when it returns without error, and gone otherwise.
func (s *Server) writeTemp(ctx context.Context, bucket string, body source, meta objectMeta, etag func() string) (*client.FileInfo, *s3Error) {
	tmp := tmpPath("/" + bucket)
	w, e := s.createIn(ctx, bucket, tmp, client.CreateFileOptions{})
	if e != nil {
		return nil, e
	}
	return s.fill(ctx, w, tmp, body, meta, etag, errNoSuchBucket("the bucket %s does not exist", bucket))
}

// fill writes body to w, the writer of the new file path, and completes
// it with meta and the ETag; on failure the file is removed. notFound is
// the error for a file whose folder went away meanwhile.
func (s *Server) fill(ctx context.Context, w *client.FileWriter, path string, body source, meta objectMeta, etag func() string, notFound *s3Error) (*client.FileInfo, *s3Error) {
	err := s.copyBody(w, body)
	if err == nil {
		w.SetXattr(meta.withETag(etag()))
		err = w.Close()
	}
	if err != nil {
		w.Cancel()
		s.dropTemp(ctx, path)
		var refused *s3Error
		if !errors.As(err, &refused) {
			// The client went away or the cluster failed; a refused body
			// (a digest that does not match...) is the client's news.
			s.log.Info("S3 write abandoned, nothing kept", "path", path, "error", err)
		}
		if ctx.Err() != nil {
			return nil, errIncompleteBody("the client went away: %v", ctx.Err())
		}
		return nil, fromClient(err, notFound)
	}
	fi, err := s.fs.GetStatus(ctx, path, client.StatusOptions{})
	if err != nil {
		s.dropTemp(ctx, path)
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

// dropTemp removes a temporary file, also after the request's context
// ended (a client that went away).
func (s *Server) dropTemp(ctx context.Context, path string) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	s.fs.Delete(dctx, path, client.DeleteOptions{Recursive: true})
}

// maxReplaceRounds bounds how often publish retries against concurrent
// writers of the same key; the last writer wins, as in S3.
const maxReplaceRounds = 8

// publish renames the complete temporary file tmp to the object path dst,
// replacing the object there. It removes tmp when it fails.
func (s *Server) publish(ctx context.Context, bucket, tmp, dst string) *s3Error {
	// Past this point the object is written: finish even if the client
	// hangs up, so it does not depend on when it did.
	ctx = context.WithoutCancel(ctx)
	var last error
	for range maxReplaceRounds {
		err := s.fs.Rename(ctx, tmp, dst)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, client.ErrNotFound):
			if _, serr := s.fs.GetStatus(ctx, tmp, client.StatusOptions{}); serr != nil {
				return errInternal("the object being written was removed (was its bucket deleted?): %v", err)
			}
			if e := s.mkdirsInBucket(ctx, bucket, fspath.Parent(dst)); e != nil {
				s.dropTemp(ctx, tmp)
				return e
			}
		case errors.Is(err, client.ErrAlreadyExists):
			old, serr := s.fs.GetStatus(ctx, dst, client.StatusOptions{})
			if serr != nil {
				continue // gone meanwhile
			}
			if old.IsDir {
				s.dropTemp(ctx, tmp)
				return fromClient(client.ErrAlreadyExists, nil)
			}
			s.fs.Delete(ctx, dst, client.DeleteOptions{FileID: old.ID})
		default:
			s.dropTemp(ctx, tmp)
			return fromClient(err, nil)
		}
		last = err
	}
	s.dropTemp(ctx, tmp)
	return errSlowDown("the key is being written by others too fast to replace: %v", last)
}
