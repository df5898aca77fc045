package worker

import (
	"context"
	"fmt"
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"
	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/security/authz/blockcap"
)

// A worker serves a block (read, write, short-circuit open, caching) only
// with a capability the master signed for the caller and the block's file
// (blockcap). The keys come with every answer to a heartbeat or
// registration; until the master has sent some (a cluster with
// capabilities off), nothing is checked.

// ChecksCapabilities reports whether the worker has the master's keys
// and so refuses block requests without a valid capability.
func (s *Server) ChecksCapabilities() bool { return s.caps.Enabled() }

// setKeys takes the master's keys.
func (s *Server) setKeys(keys []*pb.BlockKey) {
	ks := make([]blockcap.Key, len(keys))
	for i, k := range keys {
		ks[i] = blockcap.Key{ID: k.Id, Secret: k.Secret, ExpiresMs: k.ExpiresMs}
	}
	s.caps.SetKeys(ks)
}

// callerOf is the user ctx's call comes from, as the master names it.
func callerOf(ctx context.Context) string {
	if id, ok := security.FromContext(ctx); ok {
		return id.User
	}
	return rpcmeta.User(ctx)
}

// allow checks c for access to block id by ctx's caller.
func (d *dataService) allow(ctx context.Context, c *pb.BlockCapability, id int64, access uint32) error {
	_, err := d.admit(ctx, c, id, access)
	return err
}

// A stream is let in with a capability and lasts only as long as it: a
// user whose permission is taken away gets no new capability from the
// master, so a stream held open on an old one must end when it expires.
// Between chunks a stream compares the time with the expiry it holds (no
// signature check per chunk); a write stream may bring a renewed
// capability, checked in full, to go on. Short-circuit opens hand the
// client a file descriptor the worker cannot take back, and are not cut.

// grant is what a stream was let in with: the block, the caller and the
// access its capability was checked for, and when the capability expires
// (0: the worker checks no capabilities, so nothing expires).
type grant struct {
	d         *dataService
	ctx       context.Context
	block     int64
	access    uint32
	expiresMs int64
}

// admit checks c for access to block id by ctx's caller and returns the
// grant a stream holds from then on.
func (d *dataService) admit(ctx context.Context, c *pb.BlockCapability, id int64, access uint32) (*grant, error) {
	g := &grant{d: d, ctx: ctx, block: id, access: access}
	if !d.s.caps.Enabled() {
		return g, nil
	}
	if err := d.s.caps.Check(c, id, callerOf(ctx), access, time.Now().UnixMilli()); err != nil {
		d.s.metrics.capabilityRefused.Inc()
		return nil, err
	}
	g.expiresMs = c.ExpiresMs
	return g, nil
}

// live says whether the stream may carry its next chunk: an ErrPermission
// naming the block and the expiry once the capability has expired, as
// Check says at an open.
func (g *grant) live() error {
	if g.expiresMs == 0 {
		return nil
	}
	now := time.Now().UnixMilli()
	if now < g.expiresMs {
		return nil
	}
	g.d.s.metrics.streamsCut.Inc()
	g.d.s.log.Debug("stream cut: its capability expired", "block", g.block, "expired", time.UnixMilli(g.expiresMs))
	return errs.New(errs.ErrPermission, "block %d: capability expired %d ms ago (at %s): the stream ends; renew the capability with the master",
		g.block, now-g.expiresMs, time.UnixMilli(g.expiresMs).UTC().Format("2006-01-02T15:04:05.000Z"))
}

// renew checks c, sent on an open stream, as admit checks the capability
// the stream was opened with (signature, block, caller, access, expiry),
// and holds the stream to c's expiry from then on. A renewal that does not
// pass is the stream's error.
func (g *grant) renew(c *pb.BlockCapability) error {
	if !g.d.s.caps.Enabled() {
		return nil
	}
	if err := g.d.s.caps.Check(c, g.block, callerOf(g.ctx), g.access, time.Now().UnixMilli()); err != nil {
		g.d.s.metrics.capabilityRefused.Inc()
		return fmt.Errorf("renewed capability refused: %w", err)
	}
	g.expiresMs = c.ExpiresMs
	g.d.s.metrics.streamsRenewed.Inc()
	return nil
}
