package master

import (
	"context"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
)

// runTTLChecker acts on expired files until ctx ends (when this master stops
// being primary), every alluxio.master.ttl.checker.interval.
func (s *Server) runTTLChecker(ctx context.Context) {
	interval := s.cfg.TTLCheckInterval
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.checkTTL(ctx)
		}
	}
}

// checkTTL deletes or frees what expired. DELETE removes the file from the
// under storage too; DELETE_ALLUXIO only from Alluxio; FREE drops cached
// copies and clears the TTL so the file is not freed again and again.
func (s *Server) checkTTL(ctx context.Context) {
	for _, e := range s.st.Expired(s.now().UnixMilli()) {
		var err error
		switch e.Inode.TTLAction {
		case journalpb.TtlAction_TTL_DELETE, journalpb.TtlAction_TTL_DELETE_ALLUXIO:
			err = s.fs.remove(ctx, &alluxiopb.DeleteRequest{Path: e.Path, Recursive: true,
				AlluxioOnly: e.Inode.TTLAction == journalpb.TtlAction_TTL_DELETE_ALLUXIO})
		default:
			err = s.fs.free(ctx, e.Path)
			if err == nil {
				noTTL := int64(-1)
				_, err = s.fs.propose(ctx, "", &journalpb.Entry{Op: &journalpb.Entry_SetAttribute{SetAttribute: &journalpb.SetAttribute{
					Path: e.Path, TtlMs: &noTTL}}})
			}
		}
		if err != nil {
			s.log.Warn("ttl action failed", "path", e.Path, "action", e.Inode.TTLAction.String(), "err", err)
		} else {
			s.log.Info("ttl expired", "path", e.Path, "action", e.Inode.TTLAction.String())
		}
	}
}
