package master

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"os"
	"sync"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// The master changes an under storage only through a fencedUFS, and only
// for a committed intent (see intents.go) or for what a dead writer left
// unfinished, which can be nobody's file (underfs.Cleaner). Every change first asks the journal whether this master still
// leads (journal.System.CheckPrimary): for the embedded journal that is a
// quorum round (Raft's VerifyLeader), for the UFS journal a check of the
// ZooKeeper session, confirmed within ¾ of its timeout. It is paid once
// per intent, not per call, and never by reads: a read that loads metadata
// journals what it saw, and the journal refuses a deposed master's entry.
//
// Why a committed intent still needs the check: a primary paused after the
// commit and deposed meanwhile would otherwise carry out an intent that
// its successor finished long ago, after which the successor may have put
// a newer file at the same path (a delete would remove that file's copy).
// What remains is a pause between the check and the call itself; closing
// that needs conditional writes in the store, which Alluxio does not have
// either.

// fencedUFS is the master's handle on one mount's under storage: reads go
// straight through, changes only through change.
type fencedUFS struct {
	u       underfs.UnderFileSystem
	primary func(context.Context) error
}

// GetStatus is underfs.UnderFileSystem.GetStatus, bounded as readCtx says.
func (f *fencedUFS) GetStatus(ctx context.Context, p string) (underfs.Status, error) {
	rctx, cancel, within := readCtx(ctx)
	defer cancel()
	st, err := f.u.GetStatus(rctx, p)
	return st, f.unanswered(rctx, err, within)
}

// List is underfs.UnderFileSystem.List, bounded as readCtx says.
func (f *fencedUFS) List(ctx context.Context, p string) ([]underfs.Status, error) {
	rctx, cancel, within := readCtx(ctx)
	defer cancel()
	list, err := f.u.List(rctx, p)
	return list, f.unanswered(rctx, err, within)
}

// readMargin is how long before its caller stops waiting a read of the
// store made for a call (loading or syncing metadata) gives up, so that
// the call's answer says the store did not answer. Without it a store
// that hangs held the call past the client's deadline, and the client,
// hearing nothing, took the master for gone.
const readMargin = 2 * time.Second

// readCtx is ctx with its deadline brought readMargin closer; within is
// the time the read then has (0 when ctx has no deadline, or too little
// time left to spare any).
func readCtx(ctx context.Context) (context.Context, context.CancelFunc, time.Duration) {
	dl, ok := ctx.Deadline()
	if !ok || time.Until(dl) <= 2*readMargin {
		return ctx, func() {}, 0
	}
	within := time.Until(dl) - readMargin
	rctx, cancel := context.WithTimeout(ctx, within)
	return rctx, cancel, within
}

// unanswered turns err, from a read that ran out of the time readCtx gave
// it, into the store's failure to answer.
func (f *fencedUFS) unanswered(rctx context.Context, err error, within time.Duration) error {
	if err == nil || within == 0 || !errors.Is(err, context.DeadlineExceeded) || rctx.Err() == nil {
		return err
	}
	return errs.New(errs.ErrUnavailable, "under storage %s did not answer within %s: %v", f.u.Root(), within.Round(time.Second), err)
}

// change returns the changing half of the store once the journal confirms
// that this master still leads; errs.ErrNotPrimary otherwise. Callers: the
// intent runner, for committed intents; the sweep (leftovers.go), for the
// store's own cleanup of what dead writers left unfinished, which can be
// nobody's file.
func (f *fencedUFS) change(ctx context.Context) (ufsChanger, error) {
	if err := f.primary(ctx); err != nil {
		return ufsChanger{}, err
	}
	return ufsChanger{f.u}, nil
}

// ufsChanger holds the store's changing calls, and its reads for checking
// what a change found.
type ufsChanger struct{ u underfs.UnderFileSystem }

func (c ufsChanger) GetStatus(ctx context.Context, p string) (underfs.Status, error) {
	return c.u.GetStatus(ctx, p)
}

func (c ufsChanger) List(ctx context.Context, p string) ([]underfs.Status, error) {
	return c.u.List(ctx, p)
}

func (c ufsChanger) Mkdirs(ctx context.Context, p string, perm os.FileMode) error {
	return c.u.Mkdirs(ctx, p, perm)
}

func (c ufsChanger) Delete(ctx context.Context, p string, recursive bool) error {
	return c.u.Delete(ctx, p, recursive)
}

func (c ufsChanger) Rename(ctx context.Context, src, dst string) error {
	return c.u.Rename(ctx, src, dst)
}

func (c ufsChanger) SetMode(ctx context.Context, p string, perm os.FileMode) error {
	return c.u.SetMode(ctx, p, perm)
}

func (c ufsChanger) SetOwner(ctx context.Context, p, owner, group string) error {
	return c.u.SetOwner(ctx, p, owner, group)
}

// ufsManager keeps one open under storage per mount point. Mount points
// are identified by id, so a path unmounted and mounted again gets a fresh
// client.
type ufsManager struct {
	mu      sync.Mutex
	byID    map[int64]*fencedUFS
	primary func(context.Context) error
	// global are the under storage settings of the master's configuration,
	// root the root mount's own options; a mount's own options win.
	global, root map[string]string
	tmpDirs      []string
	log          *slog.Logger
	open         func(uri string, opts underfs.Options) (underfs.UnderFileSystem, error)
}

func newUFSManager(cfg *Config, primary func(context.Context) error, log *slog.Logger) *ufsManager {
	return &ufsManager{byID: map[int64]*fencedUFS{}, primary: primary, global: cfg.UFSProperties, root: cfg.RootUFSOptions,
		tmpDirs: cfg.TmpDirs, log: log, open: underfs.OpenWithOptions}
}

// properties are the options an under storage of mp is opened with, by the
// master and by workers (they get them with each file's location).
func (m *ufsManager) properties(mp state.MountPoint) map[string]string {
	out := maps.Clone(m.global)
	if out == nil {
		out = map[string]string{}
	}
	if mp.AlluxioPath == "/" {
		maps.Copy(out, m.root)
	}
	maps.Copy(out, mp.Properties)
	return out
}

// openChecked opens uri with the options mp would have, for a look before
// it is mounted; the caller closes it.
func (m *ufsManager) openChecked(mp state.MountPoint) (underfs.UnderFileSystem, error) {
	return m.open(mp.UfsURI, underfs.Options{Properties: m.properties(mp), Logger: m.log, TempDirs: m.tmpDirs})
}

func (m *ufsManager) get(mp state.MountPoint) (*fencedUFS, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.byID[mp.ID]; ok {
		return f, nil
	}
	u, err := m.openChecked(mp)
	if err != nil {
		return nil, err
	}
	f := &fencedUFS{u: u, primary: m.primary}
	m.byID[mp.ID] = f
	return f, nil
}

func (m *ufsManager) forget(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.byID[id]; ok {
		f.u.Close()
		delete(m.byID, id)
	}
}

func (m *ufsManager) closeAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, f := range m.byID {
		f.u.Close()
		delete(m.byID, id)
	}
}
