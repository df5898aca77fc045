package master

import (
	"context"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
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
	return &pb.RegisterWorkerResponse{OrphanedBlocks: orphans, BlockKeys: b.s.fs.keysFor(ctx)}, nil
}

func (b *blockWorkerService) BlockHeartbeat(ctx context.Context, r *pb.BlockHeartbeatRequest) (*pb.BlockHeartbeatResponse, error) {
	resp, persisted := b.s.blocks.heartbeat(r)
	resp.BlockKeys = b.s.fs.keysFor(ctx)
	for _, id := range persisted {
		if path, err := b.s.fs.persistDone(ctx, id, "", r.PersistTokens[id]); err != nil {
			b.s.log.Warn("could not record a finished persist", "path", path, "err", err)
		} else if path != "" {
			b.s.log.Info("file persisted", "path", path)
		}
	}
	for _, f := range r.PersistFailures {
		// A persist that can never succeed (a name the store cannot hold)
		// is marked failed once, with the reason; others are handed out
		// again after a pause (blocks.go).
		if err := errs.FromCode(f.ErrorCode, f.Message); permanent(err) {
			if path, err := b.s.fs.persistDone(ctx, f.FileId, f.Message, nil); err != nil {
				b.s.log.Warn("could not record a failed persist", "path", path, "err", err)
			} else if path != "" {
				b.s.log.Warn("persist failed for good", "path", path, "err", f.Message)
			}
		}
	}
	return resp, nil
}

// GetMountOptions gives a worker the options of a mount, credentials
// included (clients get them masked).
func (b *blockWorkerService) GetMountOptions(ctx context.Context, r *pb.GetMountOptionsRequest) (*pb.GetMountOptionsResponse, error) {
	mp, ok := b.s.fs.st.MountByID(r.MountId)
	if !ok {
		return nil, errs.New(errs.ErrNotFound, "mount %d (unmounted meanwhile?)", r.MountId)
	}
	return &pb.GetMountOptionsResponse{UfsUri: mp.UfsURI, Properties: b.s.fs.ufs.properties(mp)}, nil
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
	return &pb.FreeResponse{}, b.s.fs.free(ctx, r.Path, r.Recursive, r.Forced)
}

// ScheduleAsyncPersist marks a complete file for a worker to persist.
func (b *blockClientService) ScheduleAsyncPersist(ctx context.Context, r *pb.ScheduleAsyncPersistRequest) (*pb.ScheduleAsyncPersistResponse, error) {
	return &pb.ScheduleAsyncPersistResponse{}, b.s.fs.schedulePersist(ctx, r.OpId, r.Path)
}
