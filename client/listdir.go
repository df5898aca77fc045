package client

import (
	"context"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// DirLister hands out a directory's entries batch by batch, as the master
// streams them, so a directory of a million entries is never held whole by
// the client (ListStatus collects them all). The master lists a
// directory's children in byte order of their names; when the stream
// breaks (a failover, a master that stops answering) the lister opens a
// new one and skips the names it has handed out already, so a listing
// survives a failover without duplicates or gaps for entries that did not
// change meanwhile. Next and Close are for one goroutine.
type DirLister struct {
	f    *FileSystem
	ctx  context.Context
	req  *pb.ListStatusRequest
	last string // the name of the last entry handed out
	any  bool   // whether any entry was handed out (last is valid)

	stream  grpc.ServerStreamingClient[pb.ListStatusResponse]
	cancel  context.CancelFunc
	pending []*pb.FileInfo // the first batch of a stream just opened
	resumed bool           // the stream started over: skip names up to last
	done    bool
}

// ListDir returns a lister of path's children. Nothing is asked until the
// first Next; an error (path missing, not a directory) comes from there.
// ctx bounds the whole listing.
func (f *FileSystem) ListDir(ctx context.Context, path string, o StatusOptions) *DirLister {
	return &DirLister{f: f, ctx: ctx, req: &pb.ListStatusRequest{Path: path, Common: f.common(o)}}
}

// Next returns the next entries in name order, never an empty batch, or
// nil and io.EOF after the last one.
func (l *DirLister) Next() ([]*FileInfo, error) {
	for !l.done {
		batch, err := l.recv()
		if err != nil {
			return nil, err
		}
		if batch == nil {
			l.close()
			l.done = true
			break
		}
		out := make([]*FileInfo, 0, len(batch))
		for _, p := range batch {
			if l.resumed && l.any && p.Name <= l.last {
				continue
			}
			out = append(out, fromPB(p))
		}
		if len(out) > 0 {
			l.last, l.any = out[len(out)-1].Name, true
			return out, nil
		}
	}
	return nil, io.EOF
}

// recv returns the next batch of the stream (nil at its end), opening a
// stream first, or again after one broke, within the retry budget.
func (l *DirLister) recv() ([]*pb.FileInfo, error) {
	if l.stream == nil {
		if err := l.open(); err != nil {
			return nil, err
		}
	}
	if l.pending != nil {
		b := l.pending
		l.pending = nil
		return b, nil
	}
	var resp *pb.ListStatusResponse
	err := withWatchdog(l.f.cfg.RPCTimeout, l.cancel, func() (err error) {
		resp, err = l.stream.Recv()
		return err
	})
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		l.close()
		if err, _ = errs.FromStatus(err); !retryable(err) || l.ctx.Err() != nil {
			return nil, err
		}
		// The listing goes on from a new stream, after the names handed
		// out (open retries within the budget).
		l.resumed = true
		if err := l.open(); err != nil {
			return nil, err
		}
		return l.recv()
	}
	if len(resp.FileInfos) == 0 {
		return l.recv() // an empty directory's one empty batch
	}
	return resp.FileInfos, nil
}

// open opens a stream on the primary and receives its first batch, which
// shows whether the listing can be served at all while retry can still
// try elsewhere.
func (l *DirLister) open() error {
	return l.f.retry(l.ctx, func(actx context.Context, c *conn) error {
		// The stream outlives this attempt's deadline: it lasts as long
		// as the caller reads, each message within the RPC timeout.
		md, _ := metadata.FromOutgoingContext(actx)
		sctx, cancel := context.WithCancel(metadata.NewOutgoingContext(l.ctx, md))
		var stream grpc.ServerStreamingClient[pb.ListStatusResponse]
		var first *pb.ListStatusResponse
		err := withWatchdog(l.f.cfg.RPCTimeout, cancel, func() (err error) {
			if stream, err = c.fs.ListStatus(sctx, l.req); err != nil {
				return err
			}
			first, err = stream.Recv()
			return err
		})
		switch {
		case err == io.EOF:
			first = &pb.ListStatusResponse{}
		case err != nil:
			cancel()
			return err
		}
		l.stream, l.cancel, l.pending = stream, cancel, first.FileInfos
		if l.pending == nil {
			l.pending = []*pb.FileInfo{}
		}
		return nil
	})
}

func (l *DirLister) close() {
	if l.cancel != nil {
		l.cancel()
	}
	l.stream, l.cancel, l.pending = nil, nil, nil
}

// Close ends the listing; Next then reports io.EOF.
func (l *DirLister) Close() {
	l.close()
	l.done = true
}
