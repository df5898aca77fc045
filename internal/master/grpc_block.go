package master

import (
	"context"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// blockWorkerService is what workers call: registration, heartbeats and
// block commits.
type blockWorkerService struct {
	pb.UnimplementedBlockMasterWorkerServiceServer
	s *Server
}

func (b *blockWorkerService) GetWorkerId(ctx context.Context, r *pb.GetWorkerIdRequest) (*pb.GetWorkerIdResponse, error) {
	if r.Address == nil || r.Address.Host == "" || r.Address.RpcPort <= 0 {
		return nil, errs.New(errs.ErrInvalidArg, "worker address %v: host and rpc port are required", r.Address)
	}
	return &pb.GetWorkerIdResponse{WorkerId: b.s.blocks.workerID(r.Address)}, nil
}

func (b *blockWorkerService) RegisterWorker(ctx context.Context, r *pb.RegisterWorkerRequest) (*pb.RegisterWorkerResponse, error) {
	if r.Address == nil || r.WorkerId <= 0 {
		return nil, errs.New(errs.ErrInvalidArg, "register: worker id and address are required")
	}
	orphans := b.s.blocks.register(r)
	b.s.log.Info("worker registered", "worker", addrKey(r.Address), "id", r.WorkerId, "blocks", len(r.Blocks), "orphaned", len(orphans))
	return &pb.RegisterWorkerResponse{OrphanedBlocks: orphans}, nil
}

func (b *blockWorkerService) BlockHeartbeat(ctx context.Context, r *pb.BlockHeartbeatRequest) (*pb.BlockHeartbeatResponse, error) {
	resp, persisted := b.s.blocks.heartbeat(r)
	for _, id := range persisted {
		if path, err := b.s.fs.finishPersist(ctx, id, r.PersistTokens[id]); err != nil {
			b.s.log.Warn("could not record a finished persist", "path", path, "err", err)
		} else if path != "" {
			b.s.log.Info("file persisted", "path", path)
		}
	}
	return resp, nil
}

// GetMountOptions gives a worker the options of a mount, secrets included.
func (b *blockWorkerService) GetMountOptions(ctx context.Context, r *pb.GetMountOptionsRequest) (*pb.GetMountOptionsResponse, error) {
	for _, m := range b.s.fs.st.MountTable() {
		if m.ID == r.MountId {
			return &pb.GetMountOptionsResponse{UfsUri: m.UfsURI, Properties: m.Properties}, nil
		}
	}
	return nil, errs.New(errs.ErrNotFound, "mount %d (unmounted meanwhile?)", r.MountId)
}

func (b *blockWorkerService) CommitBlock(ctx context.Context, r *pb.CommitBlockRequest) (*pb.CommitBlockResponse, error) {
	b.s.blocks.commitBlock(r)
	return &pb.CommitBlockResponse{}, nil
}

// blockClientService is what clients call about blocks and workers.
type blockClientService struct {
	pb.UnimplementedBlockMasterClientServiceServer
	s *Server
}

func (b *blockClientService) GetWorkerInfoList(context.Context, *pb.GetWorkerInfoListRequest) (*pb.GetWorkerInfoListResponse, error) {
	return &pb.GetWorkerInfoListResponse{Workers: b.s.blocks.workerInfos()}, nil
}

// Free drops cached copies of path's files. A pinned file is refused
// unless forced, as in Alluxio; a file not in the under storage is refused
// because freeing it would lose its only copy.
func (b *blockClientService) Free(ctx context.Context, r *pb.FreeRequest) (*pb.FreeResponse, error) {
	path, err := fspath.Clean(r.Path)
	if err != nil {
		return nil, err
	}
	entries, err := b.s.st.List(path, true)
	if err != nil {
		return nil, err
	}
	if n, err := b.s.st.Stat(path); err == nil && n.IsDir && !r.Recursive && len(entries) > 0 {
		return nil, errs.New(errs.ErrInvalidArg, "free %s: a directory needs recursive", path)
	}
	var blocks []int64
	for _, e := range entries {
		n := e.Inode
		if n.IsDir {
			continue
		}
		if n.Pinned && !r.Forced {
			return nil, errs.New(errs.ErrPrecondition, "free %s: %s is pinned (use -f to free it anyway)", path, e.Path)
		}
		if !n.Persisted() {
			return nil, errs.New(errs.ErrPrecondition, "free %s: %s is not persisted; freeing it would lose its data", path, e.Path)
		}
		blocks = append(blocks, n.BlockIDs()...)
	}
	b.s.blocks.free(blocks)
	return &pb.FreeResponse{}, nil
}

// ScheduleAsyncPersist marks a complete file for a worker to persist.
func (b *blockClientService) ScheduleAsyncPersist(ctx context.Context, r *pb.ScheduleAsyncPersistRequest) (*pb.ScheduleAsyncPersistResponse, error) {
	path, err := fspath.Clean(r.Path)
	if err != nil {
		return nil, err
	}
	n, err := b.s.st.Stat(path)
	if err != nil {
		return nil, err
	}
	switch {
	case n.IsDir:
		return nil, errs.New(errs.ErrIsDirectory, "persist %s", path)
	case !n.Completed:
		return nil, errs.New(errs.ErrIncomplete, "persist %s", path)
	case n.Persisted():
		return &pb.ScheduleAsyncPersistResponse{}, nil
	}
	pending := journalpb.PersistenceState_TO_BE_PERSISTED
	_, err = b.s.fs.propose(ctx, r.OpId, &journalpb.Entry{Op: &journalpb.Entry_SetAttribute{SetAttribute: &journalpb.SetAttribute{
		Path: path, PersistenceState: &pending}}})
	return &pb.ScheduleAsyncPersistResponse{}, err
}
