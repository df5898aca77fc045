package worker

import (
	"context"
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
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
	if !d.s.caps.Enabled() {
		return nil
	}
	err := d.s.caps.Check(c, id, callerOf(ctx), access, time.Now().UnixMilli())
	if err != nil {
		d.s.metrics.capabilityRefused.Inc()
	}
	return err
}
