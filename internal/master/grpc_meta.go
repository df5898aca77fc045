package master

import (
	"context"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
)

// Version is the version string masters report.
var Version = "2.10.0-go"

type metaService struct {
	pb.UnimplementedMetaMasterClientServiceServer
	s *Server
}

func (m *metaService) nodeStatus() *pb.MasterStatus {
	info := m.s.jr.Info()
	return &pb.MasterStatus{Address: m.s.cfg.RPCAddress(), Role: info.Role, LastAppliedSequence: info.LastApplied,
		StartTimeMs: m.s.started.UnixMilli(), Version: Version}
}

func (m *metaService) GetNodeStatus(context.Context, *pb.GetNodeStatusRequest) (*pb.GetNodeStatusResponse, error) {
	return &pb.GetNodeStatusResponse{Status: m.nodeStatus(), LeaderHint: m.s.leaderHint()}, nil
}

func (m *metaService) GetMasterInfo(ctx context.Context, _ *pb.GetMasterInfoRequest) (*pb.GetMasterInfoResponse, error) {
	cfg := m.s.cfg
	info := m.s.jr.Info()
	resp := &pb.GetMasterInfoResponse{
		LeaderAddress: m.s.leaderHint(), RpcPort: int32(cfg.RPCPort), WebPort: int32(cfg.WebPort),
		StartTimeMs: m.s.started.UnixMilli(), UpTimeMs: m.s.now().Sub(m.s.started).Milliseconds(), Version: Version,
		JournalType: info.Type, ZookeeperEnabled: cfg.ZooKeeperEnabled, ZookeeperAddresses: cfg.ZooKeeperAddress,
		Epoch: info.Epoch,
	}
	resp.MasterAddresses = m.s.masterAddresses()
	resp.Masters = []*pb.MasterStatus{m.nodeStatus()}
	return resp, nil
}

func (m *metaService) Checkpoint(ctx context.Context, _ *pb.CheckpointRequest) (*pb.CheckpointResponse, error) {
	if err := m.s.jr.CheckPrimary(ctx); err != nil {
		return nil, err
	}
	seq, err := m.s.jr.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	return &pb.CheckpointResponse{Sequence: seq}, nil
}
