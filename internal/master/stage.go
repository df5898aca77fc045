package master

import (
	"context"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Under storage copies that a store can stage (underfs.Stager: on S3 a
// multipart upload the worker leaves open) are published by completing
// them, one request whatever the size, instead of a rename, which on an
// object store copies every byte again. Publishing is idempotent and needs
// only the token the writer got, so it fits a side effect run after the
// completion commits and retried by a new primary.

// publishStaged publishes the copy token names at rel.
func (fs *fileSystem) publishStaged(ctx context.Context, u underfs.UnderFileSystem, path, rel string, token []byte) (underfs.Status, error) {
	s, ok := u.(underfs.Stager)
	if !ok {
		return underfs.Status{}, errs.New(errs.ErrInvalidArg, "complete %s: a publish token for an under storage (%s) that stages nothing", path, u.Root())
	}
	if err := fs.confirmPrimary(ctx); err != nil {
		return underfs.Status{}, err
	}
	return s.Publish(ctx, rel, token)
}

// discardStaged drops a staged copy that will not be published.
func (fs *fileSystem) discardStaged(ctx context.Context, u underfs.UnderFileSystem, path, rel string, token []byte) {
	s, ok := u.(underfs.Stager)
	if !ok {
		return
	}
	if err := s.Discard(ctx, rel, token); err != nil {
		fs.log.Debug("could not discard an unpublished under storage copy; the stale-upload cleanup will", "path", path, "err", err)
	}
}
