package master

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// ufsCleanupTimeout bounds the stale-upload cleanup run when a mount is
// opened.
const ufsCleanupTimeout = 5 * time.Minute

// ufsManager keeps one open UnderFileSystem per mount point, opened with
// the mount's options. Mount points are identified by id, so a path
// unmounted and mounted again gets a fresh client.
type ufsManager struct {
	mu    sync.Mutex
	byID  map[int64]underfs.UnderFileSystem
	open_ func(uri string, opts underfs.Options) (underfs.UnderFileSystem, error)
	log   *slog.Logger
	// ctx ends the cleanups when the manager closes.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newUFSManager(log *slog.Logger) *ufsManager {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &ufsManager{byID: map[int64]underfs.UnderFileSystem{}, open_: underfs.OpenWithOptions, log: log, ctx: ctx, cancel: cancel}
}

func (m *ufsManager) get(mp state.MountPoint) (underfs.UnderFileSystem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if u, ok := m.byID[mp.ID]; ok {
		return u, nil
	}
	u, err := m.open_(mp.UfsURI, underfs.Options{Properties: mp.Properties, Logger: m.log})
	if err != nil {
		return nil, err
	}
	m.byID[mp.ID] = u
	if c, ok := u.(underfs.Cleaner); ok && !mp.ReadOnly {
		// What writers that died left (uploads never published) is
		// removed when a primary first opens the mount.
		m.wg.Go(func() {
			ctx, cancel := context.WithTimeout(m.ctx, ufsCleanupTimeout)
			defer cancel()
			n, err := c.Cleanup(ctx)
			switch {
			case err != nil:
				m.log.Warn("under storage cleanup failed", "mount", mp.AlluxioPath, "ufs", mp.UfsURI, "err", err)
			case n > 0:
				m.log.Info("under storage cleanup removed what dead writers left", "mount", mp.AlluxioPath, "ufs", mp.UfsURI, "removed", n)
			}
		})
	}
	return u, nil
}

func (m *ufsManager) forget(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if u, ok := m.byID[id]; ok {
		u.Close()
		delete(m.byID, id)
	}
}

func (m *ufsManager) closeAll() {
	m.cancel()
	m.mu.Lock()
	for id, u := range m.byID {
		u.Close()
		delete(m.byID, id)
	}
	m.mu.Unlock()
	m.wg.Wait()
}
