package master

import (
	"sync"

	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// ufsManager keeps one open UnderFileSystem per mount point. Mount points
// are identified by id, so a path unmounted and mounted again gets a fresh
// client.
type ufsManager struct {
	mu    sync.Mutex
	byID  map[int64]underfs.UnderFileSystem
	open_ func(uri string) (underfs.UnderFileSystem, error)
}

func newUFSManager() *ufsManager {
	return &ufsManager{byID: map[int64]underfs.UnderFileSystem{}, open_: underfs.Open}
}

func (m *ufsManager) get(mp state.MountPoint) (underfs.UnderFileSystem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if u, ok := m.byID[mp.ID]; ok {
		return u, nil
	}
	u, err := m.open_(mp.UfsURI)
	if err != nil {
		return nil, err
	}
	m.byID[mp.ID] = u
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
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, u := range m.byID {
		u.Close()
		delete(m.byID, id)
	}
}
