package proxy

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

// RunCleaner removes, until ctx ends, the multipart uploads and the
// objects being written that have not changed for cfg.UploadTimeout:
// uploads never completed nor aborted, and what proxies that died
// mid-write left behind. Every proxy may run it; they do the same deletes.
func (s *Server) RunCleaner(ctx context.Context) {
	if s.cfg.UploadTimeout <= 0 {
		return
	}
	every := min(max(s.cfg.UploadTimeout/4, time.Second), time.Hour)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Sweep(ctx)
		}
	}
}

// Sweep is one pass of the cleaner; it returns how many uploads and
// temporary files it removed.
func (s *Server) Sweep(ctx context.Context) int {
	buckets, err := s.fs.ListStatus(ctx, "/", false, client.StatusOptions{})
	if err != nil {
		s.log.Warn("S3 cleaner: listing buckets", "error", err)
		return 0
	}
	cutoff := s.cfg.Now().Add(-s.cfg.UploadTimeout)
	removed := 0
	for _, b := range buckets {
		if !b.IsDir || strings.HasPrefix(b.Name, ".") {
			continue
		}
		for _, sub := range []string{uploadsDir, tmpDir} {
			dir := b.Path + "/" + metaDir + "/" + sub
			infos, err := s.fs.ListStatus(ctx, dir, false, client.StatusOptions{})
			if err != nil {
				continue
			}
			for _, fi := range infos {
				if fi.Modified.After(cutoff) {
					continue
				}
				// As the user who left it: the proxy's own login user is
				// no superuser, and the owner could make it, so may
				// remove it (permissions, docs/security.md).
				as := ctx
				if fi.Owner != "" {
					as = client.WithUser(ctx, fi.Owner)
				}
				err := s.fs.Delete(as, fi.Path, client.DeleteOptions{Recursive: true, FileID: fi.ID})
				switch {
				case err == nil:
					removed++
					s.log.Info("S3 cleaner removed a stale upload or temporary file", "path", fi.Path, "last_change", fi.Modified)
				case !errors.Is(err, client.ErrNotFound):
					s.log.Warn("S3 cleaner could not remove a stale upload or temporary file", "path", fi.Path, "owner", fi.Owner, "error", err)
				}
			}
		}
	}
	return removed
}
