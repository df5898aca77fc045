package master

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"net"
	"sort"
	"strconv"
	"sync"
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/master/state"
)

// blockMaster knows which worker caches which block. All of it is soft
// state: a new primary starts empty and learns it again as workers register
// (their heartbeats to it are answered with REGISTER).
type blockMaster struct {
	st      *state.State
	now     func() time.Time
	timeout time.Duration

	mu        sync.Mutex
	workers   map[int64]*workerState
	byAddr    map[string]int64
	locations map[int64]map[int64]string // block id -> worker id -> tier
	toFree    map[int64]map[int64]bool   // worker id -> blocks to drop
	persists  map[int64]persistJob       // file id -> job
	// queued holds persist orders for the next heartbeat of each worker.
	queued map[int64][]*pb.PersistFile
	// retention is how long the blocks of a deleted file stay on the
	// workers; deadSince is when each such block was first found dead.
	retention time.Duration
	deadSince map[int64]time.Time
}

type workerState struct {
	id          int64
	addr        *pb.WorkerNetAddress
	tiers       []*pb.TierUsage
	blocks      map[int64]string
	lastContact time.Time
	started     time.Time
	lost        bool
	// metrics are the worker's counters as of its last heartbeat.
	metrics map[string]float64
}

// persistJob is an asynchronous persist handed to a worker; it is handed to
// another when the deadline passes without an answer. After a failure the
// deadline is a pause before the next attempt, growing with each failure,
// so a store that refuses for a while is not asked every second.
type persistJob struct {
	worker   int64
	deadline time.Time
	failures int
}

const (
	persistTimeout  = 5 * time.Minute
	persistRetryMin = 2 * time.Second
)

func newBlockMaster(st *state.State, timeout time.Duration) *blockMaster {
	return &blockMaster{st: st, now: time.Now, timeout: timeout, workers: map[int64]*workerState{},
		byAddr: map[string]int64{}, locations: map[int64]map[int64]string{}, toFree: map[int64]map[int64]bool{},
		persists: map[int64]persistJob{}, queued: map[int64][]*pb.PersistFile{}, deadSince: map[int64]time.Time{}}
}

// reset forgets everything, when this master stops being primary.
func (b *blockMaster) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.workers, b.byAddr = map[int64]*workerState{}, map[string]int64{}
	b.locations, b.toFree, b.persists = map[int64]map[int64]string{}, map[int64]map[int64]bool{}, map[int64]persistJob{}
	b.queued = map[int64][]*pb.PersistFile{}
	b.deadSince = map[int64]time.Time{}
}

func addrKey(a *pb.WorkerNetAddress) string {
	return net.JoinHostPort(a.GetHost(), strconv.Itoa(int(a.GetRpcPort())))
}

// workerID returns the id of the worker at addr, the same one every time
// this master is asked.
func (b *blockMaster) workerID(addr *pb.WorkerNetAddress) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	key := addrKey(addr)
	if id, ok := b.byAddr[key]; ok {
		return id
	}
	var buf [8]byte
	rand.Read(buf[:])
	id := int64(binary.LittleEndian.Uint64(buf[:]) >> 1)
	b.byAddr[key] = id
	return id
}

// register replaces what the master knows of a worker with its full report
// and returns the blocks it should drop because their files are gone.
func (b *blockMaster) register(r *pb.RegisterWorkerRequest) []int64 {
	var orphans []int64
	live := make([]*pb.BlockOnTier, 0, len(r.Blocks))
	for _, blk := range r.Blocks {
		if b.st.BlockLive(blk.BlockId) {
			live = append(live, blk)
		} else {
			orphans = append(orphans, blk.BlockId)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := b.workers[r.WorkerId]; ok {
		b.dropLocations(old)
	}
	// A worker that registers again has forgotten its persist jobs (it
	// restarted, or lost touch): hand them out again now.
	for f, job := range b.persists {
		if job.worker == r.WorkerId {
			delete(b.persists, f)
		}
	}
	delete(b.queued, r.WorkerId)
	w := &workerState{id: r.WorkerId, addr: r.Address, tiers: r.Tiers, blocks: map[int64]string{},
		lastContact: b.now(), started: time.UnixMilli(r.StartTimeMs)}
	b.workers[r.WorkerId] = w
	b.byAddr[addrKey(r.Address)] = r.WorkerId
	for _, blk := range live {
		b.addLocation(w, blk.BlockId, blk.Tier)
	}
	return orphans
}

func (b *blockMaster) addLocation(w *workerState, block int64, tier string) {
	w.blocks[block] = tier
	m := b.locations[block]
	if m == nil {
		m = map[int64]string{}
		b.locations[block] = m
	}
	m[w.id] = tier
}

func (b *blockMaster) removeLocation(w *workerState, block int64) {
	delete(w.blocks, block)
	if m := b.locations[block]; m != nil {
		delete(m, w.id)
		if len(m) == 0 {
			delete(b.locations, block)
		}
	}
}

func (b *blockMaster) dropLocations(w *workerState) {
	for block := range w.blocks {
		b.removeLocation(w, block)
	}
}

// heartbeat applies a worker's changes and returns its orders. persisted
// lists the files whose persist the worker finished, for the caller to
// journal.
func (b *blockMaster) heartbeat(r *pb.BlockHeartbeatRequest) (*pb.BlockHeartbeatResponse, []int64) {
	pinned := b.st.ProtectedFiles()
	b.mu.Lock()
	defer b.mu.Unlock()
	w, ok := b.workers[r.WorkerId]
	if !ok || w.lost {
		return &pb.BlockHeartbeatResponse{Command: pb.CommandType_REGISTER}, nil
	}
	w.lastContact = b.now()
	w.tiers = r.Tiers
	w.metrics = r.Metrics
	for _, blk := range r.AddedBlocks {
		b.addLocation(w, blk.BlockId, blk.Tier)
	}
	for _, id := range r.RemovedBlocks {
		b.removeLocation(w, id)
	}
	for _, f := range r.FailedPersists {
		job := b.persists[f]
		job.failures++
		job.worker, job.deadline = 0, b.now().Add(min(persistRetryMin<<min(job.failures-1, 16), persistTimeout))
		b.persists[f] = job
	}
	for _, f := range r.PersistedFiles {
		delete(b.persists, f)
	}
	resp := &pb.BlockHeartbeatResponse{PinnedFiles: pinned, Persist: b.queued[w.id]}
	delete(b.queued, w.id)
	for id := range b.toFree[w.id] {
		resp.FreeBlocks = append(resp.FreeBlocks, id)
	}
	delete(b.toFree, w.id)
	return resp, r.PersistedFiles
}

func (b *blockMaster) commitBlock(r *pb.CommitBlockRequest) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if w, ok := b.workers[r.WorkerId]; ok && !w.lost {
		b.addLocation(w, r.BlockId, r.Tier)
	}
}

// blockInfos lists where a file's blocks are cached, for FileInfo.
func (b *blockMaster) blockInfos(n state.Inode) ([]*pb.FileBlockInfo, int64) {
	ids := n.BlockIDs()
	if len(ids) == 0 {
		return nil, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]*pb.FileBlockInfo, len(ids))
	var cached int64
	for i, id := range ids {
		off := int64(i) * n.BlockSize
		length := min(n.BlockSize, n.Length-off)
		bi := &pb.BlockInfo{BlockId: id, Length: length}
		for wid, tier := range b.locations[id] {
			if w := b.workers[wid]; w != nil && !w.lost {
				bi.Locations = append(bi.Locations, &pb.BlockLocation{WorkerId: wid, WorkerAddress: w.addr, TierAlias: tier})
			}
		}
		sort.Slice(bi.Locations, func(i, j int) bool { return bi.Locations[i].WorkerId < bi.Locations[j].WorkerId })
		if len(bi.Locations) > 0 {
			cached += length
		}
		out[i] = &pb.FileBlockInfo{BlockInfo: bi, Offset: off}
	}
	return out, cached
}

// free orders every worker holding one of blocks to drop it.
func (b *blockMaster) free(blocks []int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range blocks {
		for wid := range b.locations[id] {
			if b.toFree[wid] == nil {
				b.toFree[wid] = map[int64]bool{}
			}
			b.toFree[wid][id] = true
		}
	}
}

// checkWorkers marks workers silent for longer than the timeout as lost, so
// clients are no longer sent to them, and frees blocks of deleted files
// once they have been dead for the retention: a reader that opened the file
// before it was deleted, or replaced, has the block locations and the
// capability to read it to its end meanwhile, as an open descriptor can in
// POSIX, where the under storage may no longer have its copy.
func (b *blockMaster) checkWorkers() {
	b.mu.Lock()
	now := b.now()
	var blocks []int64
	for _, w := range b.workers {
		if !w.lost && now.Sub(w.lastContact) > b.timeout {
			w.lost = true
			b.dropLocations(w)
		}
	}
	for id := range b.locations {
		blocks = append(blocks, id)
	}
	b.mu.Unlock()
	var dead []int64
	for _, id := range blocks {
		if !b.st.BlockLive(id) {
			dead = append(dead, id)
		}
	}
	b.free(b.retained(dead, now))
}

// retained returns the dead blocks whose retention is over, and forgets
// the blocks no longer dead or held.
func (b *blockMaster) retained(dead []int64, now time.Time) []int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	isDead := make(map[int64]bool, len(dead))
	var due []int64
	for _, id := range dead {
		isDead[id] = true
		since, ok := b.deadSince[id]
		if !ok {
			since, b.deadSince[id] = now, now
		}
		if now.Sub(since) >= b.retention {
			due = append(due, id)
		}
	}
	for id := range b.deadSince {
		if !isDead[id] {
			delete(b.deadSince, id)
		}
	}
	return due
}

// assignPersists queues files waiting for an asynchronous persist for
// workers that hold their first block (or any live worker), one job per
// file; locate fills in where the file goes in the under storage.
func (b *blockMaster) assignPersists(pending []state.Entry, locate func(path string) *pb.UfsLocation) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	var live []int64
	for id, w := range b.workers {
		if !w.lost {
			live = append(live, id)
		}
	}
	sort.Slice(live, func(i, j int) bool { return live[i] < live[j] })
	waiting := make(map[int64]bool, len(pending))
	for _, e := range pending {
		waiting[e.Inode.ID] = true
	}
	for f := range b.persists {
		if !waiting[f] {
			delete(b.persists, f) // persisted, failed for good, or gone
		}
	}
	if len(live) == 0 {
		return
	}
	for i, e := range pending {
		job, ok := b.persists[e.Inode.ID]
		if ok && now.Before(job.deadline) {
			continue
		}
		target := live[i%len(live)]
		for wid := range b.locations[blockid.New(e.Inode.ID, 0)] {
			if w := b.workers[wid]; w != nil && !w.lost {
				target = wid
				break
			}
		}
		b.persists[e.Inode.ID] = persistJob{worker: target, deadline: now.Add(persistTimeout), failures: job.failures}
		b.queued[target] = append(b.queued[target], &pb.PersistFile{FileId: e.Inode.ID, Path: e.Path,
			Length: e.Inode.Length, UfsLocation: locate(e.Path)})
	}
}

func (b *blockMaster) workerInfos() []*pb.WorkerInfo {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]*pb.WorkerInfo, 0, len(b.workers))
	for _, w := range b.workers {
		wi := &pb.WorkerInfo{Id: w.id, Address: w.addr, LastContactMs: w.lastContact.UnixMilli(), State: "LIVE",
			StartTimeMs: w.started.UnixMilli(), Tiers: w.tiers, BlockCount: int64(len(w.blocks))}
		if w.lost {
			wi.State = "LOST"
		}
		for _, t := range w.tiers {
			wi.CapacityBytes += t.CapacityBytes
			wi.UsedBytes += t.UsedBytes
		}
		out = append(out, wi)
	}
	sort.Slice(out, func(i, j int) bool { return addrKey(out[i].Address) < addrKey(out[j].Address) })
	return out
}

// run does the periodic work until ctx ends: lost workers every
// lostInterval, persist scheduling every second.
func (b *blockMaster) run(ctx context.Context, lostInterval time.Duration, locate func(string) *pb.UfsLocation) {
	if lostInterval <= 0 {
		lostInterval = 10 * time.Second
	}
	lost := time.NewTicker(lostInterval)
	defer lost.Stop()
	persist := time.NewTicker(time.Second)
	defer persist.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-lost.C:
			b.checkWorkers()
		case <-persist.C:
			b.assignPersists(b.st.ToBePersisted(), locate)
		}
	}
}
