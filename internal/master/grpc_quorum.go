package master

import (
	"context"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
)

// quorum returns the journal's quorum administration, which only the
// embedded journal has.
func (m *metaService) quorum() (journal.Quorum, error) {
	q, ok := m.s.jr.(journal.Quorum)
	if !ok {
		return nil, errs.New(errs.ErrPrecondition, "quorum commands need the embedded journal (alluxio.master.journal.type=EMBEDDED); this cluster uses %s", m.s.jr.Info().Type)
	}
	return q, nil
}

func (m *metaService) GetQuorumInfo(ctx context.Context, _ *pb.GetQuorumInfoRequest) (*pb.GetQuorumInfoResponse, error) {
	q, err := m.quorum()
	if err != nil {
		return nil, err
	}
	members, err := q.Members()
	if err != nil {
		return nil, err
	}
	resp := &pb.GetQuorumInfoResponse{Domain: "MASTER"}
	for _, mb := range members {
		state := "AVAILABLE"
		if !mb.Available {
			state = "UNAVAILABLE"
		}
		resp.Servers = append(resp.Servers, &pb.QuorumServerInfo{ServerAddress: mb.Address, RpcAddress: mb.RPCAddress,
			State: state, IsLeader: mb.Leader, Voter: mb.Voter})
		if mb.Leader {
			resp.Leader = mb.Address
		}
	}
	return resp, nil
}

func (m *metaService) TransferLeadership(ctx context.Context, r *pb.TransferLeadershipRequest) (*pb.TransferLeadershipResponse, error) {
	q, err := m.quorum()
	if err != nil {
		return nil, err
	}
	return &pb.TransferLeadershipResponse{}, q.TransferLeadership(r.ServerAddress)
}

func (m *metaService) RemoveQuorumServer(ctx context.Context, r *pb.RemoveQuorumServerRequest) (*pb.RemoveQuorumServerResponse, error) {
	q, err := m.quorum()
	if err != nil {
		return nil, err
	}
	return &pb.RemoveQuorumServerResponse{}, q.RemoveMember(r.ServerAddress)
}

func (m *metaService) AddQuorumServer(ctx context.Context, r *pb.AddQuorumServerRequest) (*pb.AddQuorumServerResponse, error) {
	q, err := m.quorum()
	if err != nil {
		return nil, err
	}
	if r.RpcAddress == "" {
		return nil, errs.New(errs.ErrInvalidArg, "add %s: the new master's rpc address is required", r.ServerAddress)
	}
	return &pb.AddQuorumServerResponse{}, q.AddMember(r.ServerAddress, r.RpcAddress)
}
