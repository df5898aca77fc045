package worker_test

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/inproc"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"
)

// dataClient is a raw gRPC client of worker 0's data service, to send what
// the Go client never would.
func dataClient(t *testing.T, c *inproc.Cluster) pb.BlockWorkerClient {
	t.Helper()
	// As a user, as workers (SIMPLE authentication) refuse calls that name
	// nobody.
	asTester := func(ctx context.Context) context.Context { return rpcmeta.WithUser(ctx, "tester") }
	cc, err := grpc.NewClient(c.Workers[0].RPCAddr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(func(ctx context.Context, m string, req, resp any, cc *grpc.ClientConn, inv grpc.UnaryInvoker, o ...grpc.CallOption) error {
			return inv(asTester(ctx), m, req, resp, cc, o...)
		}),
		grpc.WithStreamInterceptor(func(ctx context.Context, d *grpc.StreamDesc, cc *grpc.ClientConn, m string, st grpc.Streamer, o ...grpc.CallOption) (grpc.ClientStream, error) {
			return st(asTester(ctx), d, cc, m, o...)
		}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return pb.NewBlockWorkerClient(cc)
}

// noCapabilities is a cluster whose workers serve any block, for the
// tests that send raw requests about something else (capability_test.go
// tests the checks).
var noCapabilities = inproc.Options{Properties: map[string]string{"alluxio.security.block.capability.enabled": "false"}}

// wantErr checks that a worker answer is the domain error want and names
// what was wrong.
func wantErr(t *testing.T, what string, err, want error, words string) {
	t.Helper()
	got, _ := errs.FromStatus(err)
	if !errors.Is(got, want) || !strings.Contains(err.Error(), words) {
		t.Fatalf("%s: %v, want %v mentioning %q", what, err, want, words)
	}
}

// TestBadRequestsChangeNothing: malformed streams are refused with an error
// that says what was wrong, and leave no block behind.
func TestBadRequestsChangeNothing(t *testing.T) {
	c := inproc.Start(t, noCapabilities)
	wc := dataClient(t, c)
	ctx := context.Background()
	const id = 77 << 24

	rs, err := wc.ReadBlock(ctx, &pb.ReadBlockRequest{BlockId: id, Offset: -1})
	if err == nil {
		_, err = rs.Recv()
	}
	wantErr(t, "negative offset", err, errs.ErrInvalidArg, "offset -1")

	rs, err = wc.ReadBlock(ctx, &pb.ReadBlockRequest{BlockId: id})
	if err == nil {
		_, err = rs.Recv()
	}
	wantErr(t, "a block not cached, no source", err, errs.ErrNotFound, "not cached")

	src := &pb.UfsBlockSource{UfsLocation: &pb.UfsLocation{RelativePath: "nothing"}, BlockLength: 10}
	rs, err = wc.ReadBlock(ctx, &pb.ReadBlockRequest{BlockId: id, Offset: 11, Length: -1, Source: src})
	if err == nil {
		_, err = rs.Recv()
	}
	wantErr(t, "an offset past the block's end", err, errs.ErrInvalidArg, "past its end 10")

	for _, c := range []struct {
		name  string
		msgs  []*pb.WriteBlockRequest
		words string
	}{
		{"no header", []*pb.WriteBlockRequest{{Value: &pb.WriteBlockRequest_Chunk{Chunk: []byte("x")}}}, "must start with a header"},
		{"two headers", []*pb.WriteBlockRequest{
			{Value: &pb.WriteBlockRequest_Header{Header: &pb.WriteBlockHeader{BlockId: id, SizeHint: 10}}},
			{Value: &pb.WriteBlockRequest_Header{Header: &pb.WriteBlockHeader{BlockId: id, SizeHint: 10}}}}, "a second header"},
		{"no commit", []*pb.WriteBlockRequest{
			{Value: &pb.WriteBlockRequest_Header{Header: &pb.WriteBlockHeader{BlockId: id, SizeHint: 10}}},
			{Value: &pb.WriteBlockRequest_Chunk{Chunk: []byte("abc")}}}, "ended without commit"},
	} {
		ws, err := wc.WriteBlock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range c.msgs {
			if err := ws.Send(m); err != nil && err != io.EOF {
				t.Fatal(err)
			}
		}
		_, err = ws.CloseAndRecv()
		wantErr(t, c.name, err, errs.ErrInvalidArg, c.words)
	}
	if n := metric(t, c.Workers[0], "blocks_cached"); n != 0 {
		t.Fatalf("refused writes left %v blocks", n)
	}

	us, err := wc.WriteUfsFile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = us.Send(&pb.WriteUfsFileRequest{Value: &pb.WriteUfsFileRequest_Header{Header: &pb.WriteUfsHeader{}}})
	_, err = us.CloseAndRecv()
	wantErr(t, "under storage write without a location", err, errs.ErrInvalidArg, "location")

	ls, err := wc.CreateLocalBlock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = ls.Send(&pb.CreateLocalBlockRequest{Value: &pb.CreateLocalBlockRequest_Header{Header: &pb.WriteBlockHeader{BlockId: id, SizeHint: -5}}})
	_, err = ls.Recv()
	wantErr(t, "negative size hint", err, errs.ErrInvalidArg, "size hint -5")
}

// TestShortCircuitWrite: a local client writes the block file the worker
// hands it and commits a length; the worker checks it and keeps the block.
// A client that cancels, or whose stream ends, leaves nothing.
func TestShortCircuitWrite(t *testing.T) {
	c := inproc.Start(t, noCapabilities)
	wc := dataClient(t, c)
	ctx := context.Background()
	// Blocks of a file being written: the master would have the worker
	// drop blocks of no file as orphans.
	fi, err := c.Client().CreateFile(ctx, "/being-written", client.CreateFileOptions{WriteType: "MUST_CACHE"})
	if err != nil {
		t.Fatal(err)
	}
	open := func(id int64) (pb.BlockWorker_CreateLocalBlockClient, string) {
		t.Helper()
		s, err := wc.CreateLocalBlock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Send(&pb.CreateLocalBlockRequest{Value: &pb.CreateLocalBlockRequest_Header{
			Header: &pb.WriteBlockHeader{BlockId: id, SizeHint: 5}}}); err != nil {
			t.Fatal(err)
		}
		resp, err := s.Recv()
		if err != nil || resp.Path == "" || resp.Reserved < 5 {
			t.Fatalf("local block %d: %+v, %v", id, resp, err)
		}
		if err := os.WriteFile(resp.Path, []byte("hello"), 0o644); err != nil {
			t.Fatal(err)
		}
		return s, resp.Path
	}

	s, _ := open(blockid.New(fi.ID, 0))
	if err := s.Send(&pb.CreateLocalBlockRequest{Value: &pb.CreateLocalBlockRequest_CommitLength{CommitLength: 5}}); err != nil {
		t.Fatal(err)
	}
	resp, err := s.Recv()
	if err != nil || resp.Length != 5 {
		t.Fatalf("commit: %+v, %v", resp, err)
	}
	eventually(t, "the committed block to be listed", func() bool { return metric(t, c.Workers[0], "blocks_cached") == 1 })

	s, path := open(blockid.New(fi.ID, 1))
	_ = s.Send(&pb.CreateLocalBlockRequest{Value: &pb.CreateLocalBlockRequest_Cancel{Cancel: true}})
	_, _ = s.Recv()
	eventually(t, "the cancelled block's file to go", func() bool { _, err := os.Stat(path); return os.IsNotExist(err) })

	s, path = open(blockid.New(fi.ID, 2))
	_ = s.CloseSend() // the client went away
	_, _ = s.Recv()
	eventually(t, "the abandoned block's file to go", func() bool { _, err := os.Stat(path); return os.IsNotExist(err) })
	if n := metric(t, c.Workers[0], "blocks_cached"); n != 1 {
		t.Fatalf("%v blocks cached, want only the committed one", n)
	}
}
