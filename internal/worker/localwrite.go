package worker

import (
	"io"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/security/authz/blockcap"
)

// CreateLocalBlock lets a client on this host write a block straight into
// the block store's temporary file (short-circuit write): the worker only
// reserves space as the client asks, and at commit checks the file and
// computes its checksum. The worker does not touch the file while the
// client writes it. Nothing is kept unless the client commits: on cancel,
// an error, or a stream that ends or breaks, the block is aborted.
func (d *dataService) CreateLocalBlock(stream grpc.BidiStreamingServer[pb.CreateLocalBlockRequest, pb.CreateLocalBlockResponse]) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	hdr := first.GetHeader()
	if hdr == nil {
		return errs.New(errs.ErrInvalidArg, "local block write stream must start with a header")
	}
	if hdr.SizeHint < 0 {
		return errs.New(errs.ErrInvalidArg, "local write of block %d: size hint %d", hdr.BlockId, hdr.SizeHint)
	}
	if err := d.allow(stream.Context(), hdr.Capability, hdr.BlockId, blockcap.Write); err != nil {
		return err
	}
	tmp, err := d.s.createBlock(stream.Context(), hdr.BlockId, hdr.SizeHint, hdr.Tier)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Abort()
		}
	}()
	if err := stream.Send(&pb.CreateLocalBlockResponse{Path: tmp.Path(), Reserved: tmp.Reserved()}); err != nil {
		return err
	}
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return errs.New(errs.ErrInvalidArg, "local write of block %d ended without commit", hdr.BlockId)
		}
		if err != nil {
			return err
		}
		switch v := req.Value.(type) {
		case *pb.CreateLocalBlockRequest_Reserve:
			if err := d.s.withRoom(stream.Context(), func() error { return tmp.Reserve(v.Reserve) }); err != nil {
				return err
			}
			if err := stream.Send(&pb.CreateLocalBlockResponse{Reserved: tmp.Reserved()}); err != nil {
				return err
			}
		case *pb.CreateLocalBlockRequest_CommitLength:
			meta, err := tmp.CommitWritten(v.CommitLength)
			if err != nil {
				return err
			}
			committed = true
			d.s.metrics.cacheWritten.Add(float64(meta.Length))
			d.s.clientWrote(stream.Context(), meta)
			return stream.Send(&pb.CreateLocalBlockResponse{Length: meta.Length, Tier: meta.Tier})
		case *pb.CreateLocalBlockRequest_Cancel:
			return nil
		case *pb.CreateLocalBlockRequest_Header:
			return errs.New(errs.ErrInvalidArg, "local write of block %d: a second header", hdr.BlockId)
		default:
			return errs.New(errs.ErrInvalidArg, "local write of block %d: an empty request", hdr.BlockId)
		}
	}
}
