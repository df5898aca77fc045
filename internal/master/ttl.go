package master

import (
	"context"
	"time"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/master/state"
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

// checkTTL acts on what expired.
func (s *Server) checkTTL(ctx context.Context) {
	now := s.now().UnixMilli()
	for _, e := range s.st.Expired(now) {
		action, err := s.fs.expire(ctx, e.Path, e.Inode.ID, now)
		switch {
		case err != nil:
			s.log.Warn("ttl action failed", "path", e.Path, "action", e.Inode.TTLAction.String(), "err", err)
		case action != nil:
			s.log.Info("ttl expired", "path", e.Path, "action", action.String())
		}
	}
}

// expire carries out the TTL action of the inode id at path if, under the
// path's lock, it is still there and expired at nowMs, and returns the
// action (nil when there was nothing to do). DELETE removes the inode from
// the under storage too; DELETE_ALLUXIO only from Alluxio; FREE drops the
// cached copies (of pinned files too, as Alluxio's TTL does) and clears the
// TTL so the file is not freed again and again.
func (fs *fileSystem) expire(ctx context.Context, path string, id, nowMs int64) (*journalpb.TtlAction, error) {
	var action *journalpb.TtlAction
	var blocks []int64
	_, err := fs.mutate(ctx, mutation{paths: []string{path}, ownWork: true,
		prepare: func(context.Context) (*journalpb.Entry, error) {
			n, err := fs.st.Stat(path)
			if err != nil || n.ID != id || n.TTLMs <= 0 || n.CreationMs+n.TTLMs > nowMs {
				return nil, nil // changed since it was listed
			}
			action = &n.TTLAction
			switch n.TTLAction {
			case journalpb.TtlAction_TTL_DELETE, journalpb.TtlAction_TTL_DELETE_ALLUXIO:
				if mps := fs.mountsBelow(path); len(mps) > 0 {
					return nil, errs.New(errs.ErrPrecondition, "delete %s: %s is a mount point (unmount it first)", path, mps[0])
				}
				return entryOf(&journalpb.Delete{Path: path, Recursive: true, FileId: id,
					AlluxioOnly: n.TTLAction == journalpb.TtlAction_TTL_DELETE_ALLUXIO}), nil
			}
			if blocks, err = fs.freeable(path, true, true); err != nil {
				return nil, err
			}
			noTTL := int64(-1)
			return entryOf(&journalpb.SetAttribute{Path: path, TtlMs: &noTTL}), nil
		},
		after: func(context.Context, state.Result) error {
			fs.dropBlocks(blocks)
			return nil
		}})
	return action, err
}
