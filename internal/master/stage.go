package master

import (
	"context"
	"time"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Under storage copies that a store can stage (underfs.Stager: on S3 a
// multipart upload the worker leaves open) are published by completing
// them, one request whatever the size, instead of a rename, which on an
// object store copies every byte again. The publish intent holds the token
// the worker got; publishing is idempotent and needs nothing else, so a
// new primary finishes it as it finishes any intent.

// publishTimeout bounds one publish of a staged copy. It does not end with
// the caller's context: some stores take time in proportion to the size
// to complete an upload (versitygw's posix backend joins the parts), and a
// publish abandoned half way helps no one.
const publishTimeout = 10 * time.Minute

func publishStagedIntent(ctx context.Context, c ufsChanger, in *journalpb.UfsIntent) (published, error) {
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	st, err := c.Publish(pctx, in.UfsPath, in.PublishToken)
	switch {
	case err != nil:
		return published{}, err
	case st.Length != in.Length:
		return published{}, errs.New(errs.ErrCorrupt, "the under storage copy of %s has %d bytes, the file %d", in.Path, st.Length, in.Length)
	}
	return published{modMs: modMs(st.ModTime), fingerprint: st.Fingerprint}, nil
}

// Publish publishes a staged copy (underfs.Stager.Publish).
func (c ufsChanger) Publish(ctx context.Context, rel string, token []byte) (underfs.Status, error) {
	s, ok := c.u.(underfs.Stager)
	if !ok {
		return underfs.Status{}, errs.New(errs.ErrInvalidArg, "a publish token for an under storage (%s) that stages nothing", c.u.Root())
	}
	return s.Publish(ctx, rel, token)
}

// Discard drops a staged copy that will not be published, best effort:
// what is left is removed by the store's cleanup (underfs.Cleaner).
func (c ufsChanger) Discard(ctx context.Context, rel string, token []byte) error {
	if s, ok := c.u.(underfs.Stager); ok {
		return s.Discard(ctx, rel, token)
	}
	return nil
}
