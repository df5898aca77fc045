package master

import (
	"context"
	"log/slog"

	"github.com/alluxio-go/alluxio/internal/fspath"
)

// Mounts change what the namespace shows and where deletes reach, so each
// attempt is logged with its outcome (never the mount's options: they may
// hold credentials).

func (s *fsService) logMount(ctx context.Context, path, ufs string, readOnly bool, err error) {
	if err != nil {
		s.fs.log.Warn("mount refused", "path", path, "ufs", ufs, "user", userOf(ctx), "err", err)
		return
	}
	s.fs.log.Info("mounted", "path", path, "ufs", ufs, "readonly", readOnly, "user", userOf(ctx))
}

func (s *fsService) logUnmount(ctx context.Context, path string, err error) {
	if err != nil {
		s.fs.log.Warn("unmount refused", "path", path, "user", userOf(ctx), "err", err)
		return
	}
	s.fs.log.Info("unmounted", "path", path, "user", userOf(ctx))
}

// mountsAt lists the mount points at or below path (before a delete).
func (s *fsService) mountsAt(path string) []string {
	p, err := fspath.Clean(path)
	if err != nil {
		return nil
	}
	return s.fs.mountsBelow(p)
}

func (s *fsService) logDeleteOfMounts(ctx context.Context, path string, mounts []string, err error) {
	level, msg := slog.LevelInfo, "deleted a path holding mount points"
	if err != nil {
		level, msg = slog.LevelWarn, "delete of a path holding mount points refused"
	}
	s.fs.log.Log(ctx, level, msg, "path", path, "mount_points", mounts, "user", userOf(ctx), "err", err)
}
