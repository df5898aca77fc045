package worker

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/worker/blockstore"
)

type workerID struct {
	mu sync.Mutex
	id int64
}

func (w *workerID) get() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.id
}

func (w *workerID) set(id int64) {
	w.mu.Lock()
	w.id = id
	w.mu.Unlock()
}

func (s *Server) address() *pb.WorkerNetAddress {
	return &pb.WorkerNetAddress{Host: s.cfg.Hostname, RpcPort: int32(s.cfg.RPCPort), WebPort: int32(s.cfg.WebPort)}
}

// rpcTimeout bounds one exchange with the master, so a failover stalls a
// heartbeat for a while, not forever.
const rpcTimeout = 15 * time.Second

// syncWithMaster registers with the primary and heartbeats until ctx ends.
// Whenever the master does not know this worker (a new primary after a
// failover, or one that declared it lost) or a heartbeat fails, the worker
// registers again with its full block list: nothing cached is dropped.
func (s *Server) syncWithMaster(ctx context.Context) {
	t := time.NewTicker(s.cfg.HeartbeatInterval)
	defer t.Stop()
	registered := false
	var lastErr string
	for {
		done := s.beats.begin()
		var err error
		if !registered {
			if err = s.register(ctx); err == nil {
				registered = true
				s.log.Info("registered with the primary master", "worker_id", s.id.get())
			}
		} else {
			registered, err = s.heartbeat(ctx)
		}
		if err != nil && ctx.Err() == nil {
			registered = false
			if msg := err.Error(); msg != lastErr {
				s.log.Warn("cannot reach the primary master; will register again", "err", err)
				lastErr = msg
			}
		} else if err == nil {
			lastErr = ""
		}
		close(done)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.beats.kick:
		}
	}
}

// tierUsage reports each tier's use and its directories (the master keeps
// mounts away from them).
func tierUsage(store *blockstore.Store, tiers []blockstore.TierConfig) []*pb.TierUsage {
	var out []*pb.TierUsage
	for _, t := range store.Capacity() {
		u := &pb.TierUsage{Alias: t.Alias, CapacityBytes: t.Capacity, UsedBytes: t.Used}
		for _, tc := range tiers {
			if tc.Alias == t.Alias {
				for _, d := range tc.Dirs {
					u.Dirs = append(u.Dirs, d.Path)
				}
			}
		}
		out = append(out, u)
	}
	return out
}

func blocksOnTier(metas []blockstore.BlockMeta) []*pb.BlockOnTier {
	out := make([]*pb.BlockOnTier, len(metas))
	for i, m := range metas {
		out[i] = &pb.BlockOnTier{BlockId: m.ID, Length: m.Length, Tier: m.Tier}
	}
	return out
}

func (s *Server) register(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	return s.master.WithPrimary(ctx, func(ctx context.Context, cc grpc.ClientConnInterface) error {
		bm := pb.NewBlockMasterWorkerServiceClient(cc)
		idResp, err := bm.GetWorkerId(ctx, &pb.GetWorkerIdRequest{Address: s.address()})
		if err != nil {
			return err
		}
		// Changes so far are in the full list below.
		s.store.TakeChanges()
		resp, err := bm.RegisterWorker(ctx, &pb.RegisterWorkerRequest{WorkerId: idResp.WorkerId, Address: s.address(),
			Tiers: tierUsage(s.store, s.cfg.Tiers), Blocks: blocksOnTier(s.store.Blocks()), StartTimeMs: s.started.UnixMilli()})
		if err != nil {
			return err
		}
		s.id.set(idResp.WorkerId)
		s.setKeys(resp.BlockKeys)
		for _, b := range resp.OrphanedBlocks {
			if err := s.store.Remove(b); err != nil {
				s.log.Debug("could not drop an orphaned block", "block", b, "err", err)
			}
		}
		return nil
	})
}

// heartbeat reports changes and carries out the master's orders. It returns
// false when the worker must register again.
func (s *Server) heartbeat(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	added, removed := s.store.TakeChanges()
	written := s.protect.snapshot()
	done, failed, tokens := s.persists.take()
	req := &pb.BlockHeartbeatRequest{WorkerId: s.id.get(), Tiers: tierUsage(s.store, s.cfg.Tiers), Metrics: s.metrics.alluxio(s), AddedBlocks: blocksOnTier(added),
		RemovedBlocks: removed, PersistedFiles: done, FailedPersists: failedIDs(failed), PersistFailures: failed, PersistTokens: tokens}
	var resp *pb.BlockHeartbeatResponse
	err := s.master.WithPrimary(ctx, func(ctx context.Context, cc grpc.ClientConnInterface) error {
		var err error
		resp, err = pb.NewBlockMasterWorkerServiceClient(cc).BlockHeartbeat(ctx, req)
		return err
	})
	if err != nil {
		// The changes are lost with the request; registering again sends
		// the whole list. Finished persists are reported again.
		s.persists.requeue(done, failed, tokens)
		s.protect.restore(written)
		return false, err
	}
	s.setKeys(resp.BlockKeys)
	if resp.Command == pb.CommandType_REGISTER {
		s.persists.requeue(done, failed, tokens)
		s.protect.restore(written)
		return false, nil
	}
	for _, b := range resp.FreeBlocks {
		if err := s.store.Remove(b); err != nil {
			s.log.Debug("could not free a block", "block", b, "err", err)
		}
	}
	s.protect.setFromMaster(resp.PinnedFiles)
	for _, p := range resp.Persist {
		s.persists.add(p)
	}
	return true, nil
}

// protection decides which files' blocks the store must not evict: what
// the master said in its last heartbeat answer, plus files this worker
// received blocks of since the request for that answer was built, which the
// master may not have counted yet. Without the second part, a block written
// moments ago could be evicted to make room for the next block of the same
// MUST_CACHE file, before the master could protect it.
type protection struct {
	mu       sync.Mutex
	store    *blockstore.Store
	master   []int64
	recent   map[int64]bool
	inFlight map[int64]bool
}

func newProtection() *protection {
	return &protection{recent: map[int64]bool{}, inFlight: map[int64]bool{}}
}

// written protects a file whose block was just committed here.
func (p *protection) written(fileID int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.recent[fileID] {
		p.recent[fileID] = true
		if p.store != nil {
			// The whole set is rebuilt at the next heartbeat answer; a
			// write only adds its file.
			p.store.PinFile(fileID)
		}
	}
}

// snapshot moves the recent files to the set a heartbeat is about to cover.
func (p *protection) snapshot() map[int64]bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	snap := p.recent
	p.recent = map[int64]bool{}
	p.inFlight = snap
	return snap
}

// restore keeps a snapshot protected when its heartbeat failed.
func (p *protection) restore(snap map[int64]bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for f := range snap {
		p.recent[f] = true
	}
	p.inFlight = map[int64]bool{}
}

func (p *protection) setFromMaster(files []int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.master = files
	p.inFlight = map[int64]bool{}
	p.apply()
}

func (p *protection) fromMaster() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.master)
}

func (p *protection) apply() {
	if p.store == nil {
		return
	}
	all := append([]int64(nil), p.master...)
	for f := range p.recent {
		all = append(all, f)
	}
	for f := range p.inFlight {
		all = append(all, f)
	}
	p.store.SetPinnedFiles(all)
}

func failedIDs(failed []*pb.PersistFailure) []int64 {
	ids := make([]int64, len(failed))
	for i, f := range failed {
		ids[i] = f.FileId
	}
	return ids
}
