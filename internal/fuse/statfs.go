package fuse

import (
	"context"
	"sync"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/alluxio-go/alluxio/client"
)

// statfsBlock is the unit statfs counts space in.
const statfsBlock = 4096

// statfsTTL bounds how often df asks the master for the workers' space.
const statfsTTL = 2 * time.Second

// statfsCache answers statfs with the cluster's capacity: the live
// workers' storage, total and free.
type statfsCache struct {
	mu          sync.Mutex
	at          time.Time
	total, used int64
}

func (s *statfsCache) fill(ctx context.Context, c *client.FileSystem, out *fuse.StatfsOut) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.at) > statfsTTL {
		ws, err := c.Workers(ctx)
		if err != nil {
			return err
		}
		s.total, s.used = 0, 0
		for _, w := range ws {
			if w.State == "" || w.State == "LIVE" {
				s.total += w.Capacity
				s.used += min(w.Used, w.Capacity)
			}
		}
		s.at = time.Now()
	}
	out.Bsize, out.Frsize = statfsBlock, statfsBlock
	out.Blocks = uint64(s.total / statfsBlock)
	out.Bfree = uint64((s.total - s.used) / statfsBlock)
	out.Bavail = out.Bfree
	// The master does not count inodes against a limit.
	out.Files, out.Ffree = 1<<40, 1<<40
	out.NameLen = maxNameLen
	return nil
}
