package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// reserveStep is the room a new block starts with; a short-circuit writer
// that outgrows its reservation doubles it (up to the block size), so a
// full 64 MiB block costs three more round trips, and a small file holds
// no more than it needs.
const reserveStep = 8 << 20

// localOut is a block being written straight into the temporary file of a
// worker on this host (short-circuit write, CreateLocalBlock). The worker
// keeps the block only when commit succeeds; ending the stream any other
// way drops it.
type localOut struct {
	stream   grpc.BidiStreamingClient[pb.CreateLocalBlockRequest, pb.CreateLocalBlockResponse]
	cancel   context.CancelFunc
	timeout  time.Duration
	file     *os.File
	addr     string
	what     string
	limit    int64 // the size hint: reservations grow in steps up to it
	reserved int64
	sent     int64
}

// errLocalUnusable marks a failure of the short-circuit path itself rather
// than of the write: the worker does not offer it, or this process cannot
// open or write the worker's file (another user, another mount namespace).
// The block then goes over a stream to the same worker.
type errLocalUnusable struct{ err error }

func (e *errLocalUnusable) Error() string { return e.err.Error() }
func (e *errLocalUnusable) Unwrap() error { return e.err }

// shortCircuit reports whether blocks for the worker at addr may be written
// into its files directly.
func (w *FileWriter) shortCircuit(addr string) bool {
	if w.f.cfg.NoShortCircuit || w.noLocal[addr] {
		return false
	}
	host, _, err := net.SplitHostPort(addr)
	return err == nil && w.f.isLocal(host)
}

// openLocalOut asks the worker at addr to create block id of up to hint
// bytes, reserving room for it a step at a time, and opens the file it
// names for writing. Failures of the
// short-circuit path are *errLocalUnusable, and the worker has dropped the
// block when it returns one, so the caller may write it another way.
func openLocalOut(w *FileWriter, addr string, wc pb.BlockWorkerClient, id, hint int64) (*localOut, error) {
	ctx, cancel := context.WithCancel(w.ctx)
	o := &localOut{cancel: cancel, timeout: w.f.cfg.DataTimeout, addr: addr, what: fmt.Sprintf("block %d", id), limit: hint}
	var resp *pb.CreateLocalBlockResponse
	err := withWatchdog(o.timeout, cancel, func() (err error) {
		if o.stream, err = wc.CreateLocalBlock(ctx); err != nil {
			return err
		}
		err = o.stream.Send(&pb.CreateLocalBlockRequest{Value: &pb.CreateLocalBlockRequest_Header{
			// The first step only: a small file (FUSE writes many, each
			// released while the next is written) must not hold a whole
			// block's room, which the worker may have to evict for.
			Header: &pb.WriteBlockHeader{BlockId: id, SizeHint: min(hint, reserveStep), Capability: w.capability}}})
		// io.EOF: the worker ended the stream; Recv has its reason.
		if err != nil && err != io.EOF {
			return err
		}
		resp, err = o.stream.Recv()
		return err
	})
	if err != nil {
		cancel()
		if status.Code(err) == codes.Unimplemented {
			return nil, &errLocalUnusable{o.wrap(err)}
		}
		return nil, o.wrap(err)
	}
	o.reserved = resp.Reserved
	// The file exists and is empty: no O_CREATE, so a file the worker has
	// dropped meanwhile is not created again, and no O_TRUNC.
	if o.file, err = os.OpenFile(resp.Path, os.O_WRONLY, 0); err != nil {
		o.abort(true)
		return nil, &errLocalUnusable{fmt.Errorf("worker %s, %s: short-circuit write: %w", addr, o.what, err)}
	}
	return o, nil
}

func (o *localOut) wrap(err error) error {
	if e, _ := errs.FromStatus(err); e != nil {
		err = e
	}
	return fmt.Errorf("worker %s, %s: %w", o.addr, o.what, err)
}

// write appends p to the block file, reserving more room first if needed.
// A failure of the very first write is *errLocalUnusable (the block has
// been dropped); later ones fail the block.
func (o *localOut) write(p []byte) error {
	if need := o.sent + int64(len(p)); need > o.reserved {
		if err := o.reserve(max(need, min(max(2*o.reserved, o.reserved+reserveStep), o.limit))); err != nil {
			return err
		}
	}
	n, err := o.file.Write(p)
	if err != nil && o.sent == 0 && n == 0 {
		o.abort(true)
		return &errLocalUnusable{fmt.Errorf("worker %s, %s: short-circuit write: %w", o.addr, o.what, err)}
	}
	o.sent += int64(n)
	if err != nil {
		return o.fileErr("write", err)
	}
	return nil
}

// fileErr reports a failed write to the block file; a full disk is no
// space, as the worker would report it.
func (o *localOut) fileErr(op string, err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		err = errs.New(errs.ErrNoSpace, "%s block file: %v", op, err)
	}
	return fmt.Errorf("worker %s, %s: %w", o.addr, o.what, err)
}

// reserve asks the worker to grow the reservation to total bytes and waits
// for its answer. A worker without room ends the stream with NO_SPACE.
func (o *localOut) reserve(total int64) error {
	err := withWatchdog(o.timeout, o.cancel, func() error {
		err := o.stream.Send(&pb.CreateLocalBlockRequest{Value: &pb.CreateLocalBlockRequest_Reserve{Reserve: total}})
		if err != nil && err != io.EOF {
			return err
		}
		resp, err := o.stream.Recv()
		if err != nil {
			return err
		}
		o.reserved = resp.Reserved
		return nil
	})
	if err == io.EOF {
		err = errs.New(errs.ErrUnavailable, "the worker ended the stream early")
	}
	if err != nil {
		return o.wrap(err)
	}
	if o.reserved < total {
		return o.wrap(errs.New(errs.ErrInternal, "asked to reserve %d bytes, the worker reserved %d", total, o.reserved))
	}
	return nil
}

// commit closes the file and has the worker keep the block; it returns the
// worker's answer. On failure the block is not kept.
func (o *localOut) commit(timeout time.Duration) (*pb.CreateLocalBlockResponse, error) {
	err := o.file.Close()
	o.file = nil
	if err != nil {
		o.abort(false)
		return nil, o.fileErr("close", err)
	}
	var resp *pb.CreateLocalBlockResponse
	err = withWatchdog(max(timeout, o.timeout), o.cancel, func() (err error) {
		err = o.stream.Send(&pb.CreateLocalBlockRequest{Value: &pb.CreateLocalBlockRequest_CommitLength{CommitLength: o.sent}})
		if err != nil && err != io.EOF {
			return err
		}
		resp, err = o.stream.Recv()
		return err
	})
	o.cancel()
	if err == io.EOF {
		err = errs.New(errs.ErrUnavailable, "the worker ended the stream before answering the commit")
	}
	if err != nil {
		return nil, o.wrap(err)
	}
	return resp, nil
}

// abort closes the file and ends the stream without commit, so the worker
// drops the block. With wait it also waits (within the timeout) for the
// worker to have done so, for a caller that writes the same block again.
func (o *localOut) abort(wait bool) {
	if o.file != nil {
		o.file.Close()
		o.file = nil
	}
	if wait {
		withWatchdog(o.timeout, o.cancel, func() error {
			o.stream.Send(&pb.CreateLocalBlockRequest{Value: &pb.CreateLocalBlockRequest_Cancel{Cancel: true}})
			o.stream.CloseSend()
			for {
				if _, err := o.stream.Recv(); err != nil {
					return nil
				}
			}
		})
	}
	o.cancel()
}
