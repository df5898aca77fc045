package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/rpcbuf"
	"github.com/alluxio-go/alluxio/internal/security"
)

// WorkerInfo describes a worker as the primary master knows it.
type WorkerInfo struct {
	ID          int64
	Host        string
	RPCPort     int
	WebPort     int
	State       string // LIVE or LOST
	LastContact time.Time
	Started     time.Time
	Capacity    int64
	Used        int64
	Tiers       []TierUsage
	BlockCount  int64
}

// TierUsage is one storage tier of a worker (MEM, SSD, HDD).
type TierUsage struct {
	Alias    string
	Capacity int64
	Used     int64
}

// Address is the worker's rpc (and data) address, host:port.
func (w WorkerInfo) Address() string { return net.JoinHostPort(w.Host, strconv.Itoa(w.RPCPort)) }

// Free is the worker's unused capacity.
func (w WorkerInfo) Free() int64 { return max(w.Capacity-w.Used, 0) }

// Workers lists the workers registered with the primary master, lost
// ones included.
func (f *FileSystem) Workers(ctx context.Context) ([]WorkerInfo, error) {
	var out []WorkerInfo
	err := f.blockMaster(ctx, func(ctx context.Context, c pb.BlockMasterClientServiceClient) error {
		r, err := c.GetWorkerInfoList(ctx, &pb.GetWorkerInfoListRequest{})
		if err != nil {
			return err
		}
		out = out[:0]
		for _, w := range r.Workers {
			wi := WorkerInfo{ID: w.Id, Host: w.Address.GetHost(), RPCPort: int(w.Address.GetRpcPort()),
				WebPort: int(w.Address.GetWebPort()), State: w.State, LastContact: time.UnixMilli(w.LastContactMs),
				Started: time.UnixMilli(w.StartTimeMs), Capacity: w.CapacityBytes, Used: w.UsedBytes, BlockCount: w.BlockCount}
			for _, t := range w.Tiers {
				wi.Tiers = append(wi.Tiers, TierUsage{Alias: t.Alias, Capacity: t.CapacityBytes, Used: t.UsedBytes})
			}
			out = append(out, wi)
		}
		return nil
	})
	return out, err
}

func (f *FileSystem) blockMaster(ctx context.Context, call func(context.Context, pb.BlockMasterClientServiceClient) error) error {
	return f.retry(ctx, func(ctx context.Context, c *conn) error {
		return call(ctx, pb.NewBlockMasterClientServiceClient(c.cc))
	})
}

// FreeOptions are the options of Free.
type FreeOptions struct {
	// Recursive is required to free a non-empty directory.
	Recursive bool
	// Forced frees pinned files too.
	Forced bool
}

// Free drops the cached copies of path's data from the workers; the data
// stays in the under storage. Workers drop the blocks at their next
// heartbeat, so the file's InAlluxioPercent falls a moment later.
func (f *FileSystem) Free(ctx context.Context, path string, o FreeOptions) error {
	req := &pb.FreeRequest{Path: path, Recursive: o.Recursive, Forced: o.Forced}
	return f.blockMaster(ctx, func(ctx context.Context, c pb.BlockMasterClientServiceClient) error {
		_, err := c.Free(ctx, req)
		return err
	})
}

// Persist schedules a complete file to be copied to the under storage by
// a worker; it returns before the copy is done (FileInfo.Persisted says
// when).
func (f *FileSystem) Persist(ctx context.Context, path string) error {
	req := &pb.ScheduleAsyncPersistRequest{Path: path, OpId: newOpID()}
	return f.blockMaster(ctx, func(ctx context.Context, c pb.BlockMasterClientServiceClient) error {
		_, err := c.ScheduleAsyncPersist(ctx, req)
		return err
	})
}

// Buffer and window sizes of data connections to workers.
const (
	dataBufferSize = 1 << 20
	dataWindowSize = 16 << 20
)

// workerListTTL bounds how often the client asks the master for workers
// when it picks one for new data.
const workerListTTL = 3 * time.Second

// dataPlane is the client's side of the workers: connections, reused by
// every stream, and the last worker list. Its zero value is ready.
type dataPlane struct {
	mu      sync.Mutex
	conns   map[string]*grpc.ClientConn
	workers []WorkerInfo
	fetched time.Time

	localOnce sync.Once
	local     hostSet
}

func (d *dataPlane) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for a, c := range d.conns {
		c.Close()
		delete(d.conns, a)
	}
}

// worker returns a client of the worker at addr.
func (f *FileSystem) worker(addr string) (pb.BlockWorkerClient, error) {
	d := &f.data
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.conns[addr]; ok {
		return pb.NewBlockWorkerClient(c), nil
	}
	// Data streams move megabytes: large buffers and flow-control windows
	// cut the syscalls and round trips per byte.
	cc, err := grpc.NewClient(addr, security.DialOption(f.cfg.TLS),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(16<<20)),
		grpc.WithWriteBufferSize(dataBufferSize), grpc.WithReadBufferSize(dataBufferSize),
		grpc.WithInitialWindowSize(dataWindowSize), grpc.WithInitialConnWindowSize(2*dataWindowSize),
		rpcbuf.DialOption())
	if err != nil {
		return nil, errs.New(errs.ErrInvalidArg, "worker address %s: %v", addr, err)
	}
	if d.conns == nil {
		d.conns = map[string]*grpc.ClientConn{}
	}
	d.conns[addr] = cc
	return pb.NewBlockWorkerClient(cc), nil
}

// workerContext tags calls to workers with the user, as calls to masters
// are.
func (f *FileSystem) workerContext(ctx context.Context) context.Context {
	return f.identify(ctx)
}

// liveWorkers returns the live workers, from a list at most workerListTTL
// old. When the master cannot be reached the last list is used: workers
// serve data through a master failover.
func (f *FileSystem) liveWorkers(ctx context.Context) ([]WorkerInfo, error) {
	d := &f.data
	d.mu.Lock()
	cached, fresh := d.workers, time.Since(d.fetched) < workerListTTL
	d.mu.Unlock()
	if fresh {
		return cached, nil
	}
	all, err := f.Workers(ctx)
	if err != nil {
		if cached != nil {
			return cached, nil
		}
		return nil, err
	}
	live := make([]WorkerInfo, 0, len(all))
	for _, w := range all {
		if w.State == "" || w.State == "LIVE" {
			live = append(live, w)
		}
	}
	if len(live) > 0 {
		// An empty list is not remembered: after a failover the workers
		// come back within a heartbeat.
		d.mu.Lock()
		d.workers, d.fetched = live, time.Now()
		d.mu.Unlock()
	}
	return live, nil
}

// forgetWorkers drops the cached worker list, so the next use asks again.
func (f *FileSystem) forgetWorkers() {
	f.data.mu.Lock()
	f.data.fetched = time.Time{}
	f.data.mu.Unlock()
}

// isLocal reports whether host names this machine.
func (f *FileSystem) isLocal(host string) bool {
	f.data.localOnce.Do(func() { f.data.local = localHosts() })
	return f.data.local.has(host)
}

// hostSet holds the names and addresses of this machine, lower case.
type hostSet map[string]bool

func localHosts() hostSet {
	h := hostSet{}
	if name, err := os.Hostname(); err == nil {
		name = strings.ToLower(name)
		h[name] = true
		short, _, _ := strings.Cut(name, ".")
		h[short] = true
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				h[ipn.IP.String()] = true
			}
		}
	}
	return h
}

// has reports whether host is one of the set or a loopback name: a worker
// that advertises a loopback address can only be on this machine.
func (h hostSet) has(host string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "" {
		return false
	}
	if host == "localhost" || h[host] {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || h[ip.String()])
}

// writeOrder orders workers for new data of need bytes: those with room
// for it first; among them the ones on this host, then the one with the
// most free space; ties by address so the choice is stable between calls.
// Workers without room stay at the end: the master's view of space is a
// heartbeat old.
func writeOrder(ws []WorkerInfo, local func(host string) bool, need int64) []WorkerInfo {
	out := append([]WorkerInfo(nil), ws...)
	sort.SliceStable(out, func(i, j int) bool {
		if ri, rj := out[i].Free() >= need, out[j].Free() >= need; ri != rj {
			return ri
		}
		if li, lj := local(out[i].Host), local(out[j].Host); li != lj {
			return li
		}
		if fi, fj := out[i].Free(), out[j].Free(); fi != fj {
			return fi > fj
		}
		return out[i].Address() < out[j].Address()
	})
	return out
}

// withWatchdog runs fn and cancels its stream if fn takes longer than
// timeout: a stuck worker must not hang a read or write forever, yet an
// idle stream between the caller's reads or writes is fine. Once the
// watchdog has fired the stream is gone, so even a late success fails.
func withWatchdog(timeout time.Duration, cancel context.CancelFunc, fn func() error) error {
	t := time.AfterFunc(timeout, cancel)
	err := fn()
	if !t.Stop() {
		return errs.New(errs.ErrUnavailable, "no answer from the worker within %s", timeout)
	}
	return err
}

// BlockInfo is one block of a file and the workers that cache it.
type BlockInfo struct {
	ID        int64
	Offset    int64 // in the file
	Length    int64
	Locations []BlockLocation
}

// BlockLocation is a worker that caches a block, and the tier it is on.
type BlockLocation struct {
	WorkerID int64
	Host     string
	RPCPort  int
	Tier     string
}

// Address is the worker's rpc address, host:port.
func (l BlockLocation) Address() string { return net.JoinHostPort(l.Host, strconv.Itoa(l.RPCPort)) }

// UfsLocation says where a file lives in its under storage: the mount's
// URI and the path below it.
type UfsLocation struct {
	MountURI     string
	RelativePath string
	// MountProperties are the mount's options, secrets masked; the
	// workers get the real ones from the master by MountID.
	MountProperties map[string]string
	MountID         int64
}

func blocksFromPB(in []*pb.FileBlockInfo) []BlockInfo {
	if len(in) == 0 {
		return nil
	}
	out := make([]BlockInfo, len(in))
	for i, fb := range in {
		bi := fb.GetBlockInfo()
		out[i] = BlockInfo{ID: bi.GetBlockId(), Offset: fb.Offset, Length: bi.GetLength()}
		for _, l := range bi.GetLocations() {
			out[i].Locations = append(out[i].Locations, BlockLocation{WorkerID: l.WorkerId, Host: l.WorkerAddress.GetHost(),
				RPCPort: int(l.WorkerAddress.GetRpcPort()), Tier: l.TierAlias})
		}
	}
	return out
}

func ufsLocationFromPB(u *pb.UfsLocation) *UfsLocation {
	if u == nil {
		return nil
	}
	return &UfsLocation{MountURI: u.MountUri, RelativePath: u.RelativePath, MountProperties: u.MountProperties, MountID: u.MountId}
}

func (u *UfsLocation) toPB() *pb.UfsLocation {
	return &pb.UfsLocation{MountUri: u.MountURI, RelativePath: u.RelativePath, MountProperties: u.MountProperties, MountId: u.MountID}
}

// blockRef is the part of a file that one block covers.
type blockRef struct {
	index         int
	id            int64
	start, length int64
	locs          []BlockLocation
}

// blockAt returns the block that holds byte off of the file info
// describes (0 <= off < info.Length).
func blockAt(info *FileInfo, off int64) blockRef {
	i := int(off / info.BlockSize)
	start := int64(i) * info.BlockSize
	b := blockRef{index: i, id: blockid.New(info.ID, i), start: start, length: min(info.BlockSize, info.Length-start)}
	if i < len(info.Blocks) && info.Blocks[i].ID == b.id {
		b.locs = info.Blocks[i].Locations
	}
	return b
}

// LoadOptions are the options of Load.
type LoadOptions struct {
	// Local loads into the worker on this host, even blocks that other
	// workers cache already.
	Local bool
	// Bytes, when set, is called from the loading goroutine with the
	// length of each block once it is cached (or found cached already), so
	// the calls of a load add up to the file's length.
	Bytes func(n int64)
}

// Load makes workers cache every block of a file that is not cached yet,
// reading it from the under storage.
func (f *FileSystem) Load(ctx context.Context, path string, o LoadOptions) error {
	info, err := f.GetStatus(ctx, path, StatusOptions{})
	if err != nil {
		return err
	}
	if info.IsDir {
		return errs.New(errs.ErrIsDirectory, "load %s", path)
	}
	if !info.Completed {
		return errs.New(errs.ErrIncomplete, "load %s", path)
	}
	ctx = f.workerContext(ctx)
	for off := int64(0); off < info.Length; off += info.BlockSize {
		b := blockAt(info, off)
		if cachedFor(b.locs, o.Local, f.isLocal) {
			if o.Bytes != nil {
				o.Bytes(b.length)
			}
			continue
		}
		if !info.Persisted || info.UfsLocation == nil {
			return errs.New(errs.ErrPrecondition, "load %s: block %d is not where it should be cached and the file is not persisted", path, b.id)
		}
		ws, err := f.liveWorkers(ctx)
		if err != nil {
			return err
		}
		src := info.ufsSource(b)
		if err := f.cacheBlock(ctx, writeOrder(ws, f.isLocal, b.length), o.Local, b.id, src, info.capability); err != nil {
			return fmt.Errorf("load %s: %w", path, err)
		}
		if o.Bytes != nil {
			o.Bytes(b.length)
		}
	}
	return nil
}

func cachedFor(locs []BlockLocation, local bool, isLocal func(string) bool) bool {
	for _, l := range locs {
		if !local || isLocal(l.Host) {
			return true
		}
	}
	return false
}

// cacheBlock asks the first worker of ws that answers to cache a block.
func (f *FileSystem) cacheBlock(ctx context.Context, ws []WorkerInfo, localOnly bool, id int64, src *pb.UfsBlockSource, capability *pb.BlockCapability) error {
	var last error
	for _, w := range ws {
		if localOnly && !f.isLocal(w.Host) {
			continue
		}
		wc, err := f.worker(w.Address())
		if err != nil {
			return err
		}
		_, err = wc.CacheBlock(ctx, &pb.CacheBlockRequest{BlockId: id, Source: src, Capability: capability})
		if err == nil {
			return nil
		}
		last = workerErr(w.Address(), id, err)
		if !errors.Is(last, errs.ErrUnavailable) {
			return last
		}
	}
	if last == nil {
		where := "live worker"
		if localOnly {
			where = "live worker on this host"
		}
		return errs.New(errs.ErrUnavailable, "no %s to cache block %d", where, id)
	}
	return last
}
