package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// Workers serve a file's blocks only with a capability the master signed
// (docs/security.md); it lives alluxio.security.block.capability.lifetime
// (an hour). A reader or writer held open longer renews it before each
// block it opens once it is due, by asking the master again, which checks
// the caller's permission anew: a user whose permission was taken away
// gets the master's denial instead of a new capability.

// The capability accesses, as GetStatusRequest.capability takes them (the
// permission bits).
const (
	capRead  uint32 = 4
	capWrite uint32 = 2
)

// capabilityMargin is how long before its expiry a capability is renewed
// at most; a shorter-lived one is renewed after half its life.
const capabilityMargin = time.Minute

// renewDue reports whether capability c, received at got, should be
// renewed now.
func renewDue(c *pb.BlockCapability, got time.Time) bool {
	if c == nil {
		return false
	}
	expires := time.UnixMilli(c.ExpiresMs)
	margin := min(capabilityMargin, expires.Sub(got)/2)
	return time.Until(expires) <= margin
}

// renewCapability asks the master for the status of the file at path with
// a new capability of access (capRead or capWrite). A refusal (the caller
// may no longer read or write the file) says what was renewed and wraps
// the master's denial.
func (f *FileSystem) renewCapability(ctx context.Context, path string, access uint32) (*FileInfo, error) {
	var out *FileInfo
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.fs.GetStatus(ctx, &pb.GetStatusRequest{Path: path, Capability: access})
		if err == nil {
			out = fromPB(r.FileInfo)
		}
		return err
	})
	if err != nil {
		what := map[uint32]string{capRead: "read", capWrite: "write"}[access]
		if errors.Is(err, errs.ErrPermission) || errors.Is(err, errs.ErrPrecondition) {
			return nil, fmt.Errorf("the master refused to renew the %s capability of %s: %w", what, path, err)
		}
		return nil, err
	}
	return out, nil
}
