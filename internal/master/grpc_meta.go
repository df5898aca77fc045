package master

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/buildinfo"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"
	"github.com/alluxio-go/alluxio/internal/security"
)

type metaService struct {
	pb.UnimplementedMetaMasterClientServiceServer
	s *Server
}

func (m *metaService) nodeStatus() *pb.MasterStatus {
	info := m.s.jr.Info()
	return &pb.MasterStatus{Address: m.s.cfg.RPCAddress(), Role: info.Role, LastAppliedSequence: info.LastApplied,
		StartTimeMs: m.s.started.UnixMilli(), Version: buildinfo.Version, WebPort: int32(m.s.cfg.WebPort), ClusterId: m.s.st.ClusterID()}
}

func (m *metaService) GetNodeStatus(context.Context, *pb.GetNodeStatusRequest) (*pb.GetNodeStatusResponse, error) {
	return &pb.GetNodeStatusResponse{Status: m.nodeStatus(), LeaderHint: m.s.leaderHint()}, nil
}

func (m *metaService) GetMasterInfo(ctx context.Context, _ *pb.GetMasterInfoRequest) (*pb.GetMasterInfoResponse, error) {
	cfg := m.s.cfg
	info := m.s.jr.Info()
	resp := &pb.GetMasterInfoResponse{
		LeaderAddress: m.s.leaderHint(), RpcPort: int32(cfg.RPCPort), WebPort: int32(cfg.WebPort),
		StartTimeMs: m.s.started.UnixMilli(), UpTimeMs: m.s.now().Sub(m.s.started).Milliseconds(), Version: buildinfo.Version,
		JournalType: info.Type, ZookeeperEnabled: cfg.ZooKeeperEnabled, ZookeeperAddresses: cfg.ZooKeeperAddress,
		Epoch: info.Epoch,
	}
	resp.MasterAddresses = m.s.masterAddresses()
	resp.Masters = m.allStatuses(ctx, resp.MasterAddresses)
	return resp, nil
}

// allStatuses asks every configured master for its role and journal
// position, in parallel and briefly: one that does not answer is listed as
// UNAVAILABLE rather than holding up the report.
func (m *metaService) allStatuses(ctx context.Context, addrs []string) []*pb.MasterStatus {
	self := m.s.cfg.RPCAddress()
	out := make([]*pb.MasterStatus, len(addrs))
	var wg sync.WaitGroup
	for i, a := range addrs {
		if a == self {
			out[i] = m.nodeStatus()
			continue
		}
		wg.Add(1)
		go func(i int, a string) {
			defer wg.Done()
			out[i] = &pb.MasterStatus{Address: a, Role: "UNAVAILABLE"}
			cc, err := grpc.NewClient(a, security.DialOption(m.s.cfg.Security.ClientTLS()))
			if err != nil {
				return
			}
			defer cc.Close()
			qctx, cancel := context.WithTimeout(rpcmeta.WithUser(ctx, m.s.cfg.SuperUser), 2*time.Second)
			defer cancel()
			if r, err := pb.NewMetaMasterClientServiceClient(cc).GetNodeStatus(qctx, &pb.GetNodeStatusRequest{}); err == nil {
				out[i] = r.Status
				out[i].Address = a
			}
		}(i, a)
	}
	wg.Wait()
	if len(out) == 0 {
		out = []*pb.MasterStatus{m.nodeStatus()}
	}
	return out
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
