package worker_test

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/inproc"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"
)

// statusAs asks the master for path's status as user, over the wire, to
// see the capability it hands out.
func statusAs(t *testing.T, c *inproc.Cluster, user, path string) *pb.FileInfo {
	t.Helper()
	cc, err := grpc.NewClient(c.Master.RPCAddr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	resp, err := pb.NewFileSystemMasterClientServiceClient(cc).GetStatus(rpcmeta.WithUser(context.Background(), user),
		&pb.GetStatusRequest{Path: path})
	if err != nil {
		t.Fatalf("status of %s as %s: %v", path, user, err)
	}
	return resp.FileInfo
}

// readAs asks worker 0 for block id directly, as user, with capability
// c, and returns what it read or the error.
func readAs(wc pb.BlockWorkerClient, user string, id int64, c *pb.BlockCapability) ([]byte, error) {
	s, err := wc.ReadBlock(rpcmeta.WithUser(context.Background(), user), &pb.ReadBlockRequest{BlockId: id, Length: -1, Capability: c})
	if err != nil {
		return nil, err
	}
	var out []byte
	for {
		r, err := s.Recv()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r.Chunk...)
	}
}

func wantRefused(t *testing.T, what string, err error, words string) {
	t.Helper()
	wantErr(t, what, err, errs.ErrPermission, words)
}

// TestWorkerServesOnlyWithACapability: alice's private file cannot be read
// from the worker by asking for its block id directly, whether without a
// capability, with a forged one, with alice's (as another user), with
// one for another file, with an expired one, or to write (blocks, short-
// circuit files, under storage copies); alice's own
// capability reads it, also after the master restarted (a failover keeps
// the keys, journaled).
func TestWorkerServesOnlyWithACapability(t *testing.T) {
	c := inproc.Start(t, inproc.Options{Properties: map[string]string{"alluxio.security.block.capability.lifetime": "3s"}})
	ctx := context.Background()
	all := os.FileMode(0o777)
	if err := c.Client().SetAttribute(ctx, "/", client.SetAttributeOptions{Mode: &all}); err != nil {
		t.Fatal(err)
	}
	alice := c.ClientWith(func(cfg *client.Config) { cfg.User = "alice" })
	bob := c.ClientWith(func(cfg *client.Config) { cfg.User = "bob" })
	secret := []byte("alice's secret, one block")
	write(t, alice, "/secret", "MUST_CACHE", secret)
	write(t, alice, "/other", "MUST_CACHE", []byte("another file"))
	private := os.FileMode(0o600)
	if err := alice.SetAttribute(ctx, "/secret", client.SetAttributeOptions{Mode: &private}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, alice, "/secret", "CACHE"); string(got) != string(secret) {
		t.Fatalf("alice reads %q", got)
	}
	if r, err := bob.OpenFile(ctx, "/secret", client.OpenOptions{}); err == nil {
		_, err = io.ReadAll(r)
		r.Close()
		if !errors.Is(err, errs.ErrPermission) {
			t.Fatalf("bob read alice's 600 file through the client: %v", err)
		}
	}

	fi := statusAs(t, c, "alice", "/secret")
	if fi.Capability == nil || fi.Capability.User != "alice" {
		t.Fatalf("alice's status carries capability %v", fi.Capability)
	}
	if b := statusAs(t, c, "bob", "/secret"); b.Capability != nil {
		t.Fatalf("bob, who may not read the file, got a capability: %v", b.Capability)
	}
	id := fi.BlockIds[0]
	wc := dataClient(t, c)
	if got, err := readAs(wc, "alice", id, fi.Capability); err != nil || string(got) != string(secret) {
		t.Fatalf("alice with her capability: %q, %v", got, err)
	}

	_, err := readAs(wc, "bob", id, nil)
	wantRefused(t, "no capability", err, "no capability")
	forged := proto.Clone(fi.Capability).(*pb.BlockCapability)
	forged.User = "bob"
	_, err = readAs(wc, "bob", id, forged)
	wantRefused(t, "alice's capability with bob's name in it", err, "signature does not match")
	_, err = readAs(wc, "bob", id, fi.Capability)
	wantRefused(t, "alice's capability used by bob", err, `for user "alice", not "bob"`)
	other := statusAs(t, c, "bob", "/other")
	_, err = readAs(wc, "bob", id, other.Capability)
	wantRefused(t, "bob's capability for another file", err, "is for file")
	ws, err := wc.WriteBlock(rpcmeta.WithUser(ctx, "alice"))
	if err == nil {
		_ = ws.Send(&pb.WriteBlockRequest{Value: &pb.WriteBlockRequest_Header{Header: &pb.WriteBlockHeader{BlockId: id, SizeHint: 1, Capability: fi.Capability}}})
		_, err = ws.CloseAndRecv()
	}
	wantRefused(t, "a write with a read capability", err, "does not allow writing")
	ls, err := wc.OpenLocalBlock(rpcmeta.WithUser(ctx, "bob"))
	if err == nil {
		_ = ls.Send(&pb.OpenLocalBlockRequest{BlockId: id})
		_, err = ls.Recv()
	}
	wantRefused(t, "a short-circuit open without a capability", err, "no capability")
	cs, err := wc.CreateLocalBlock(rpcmeta.WithUser(ctx, "bob"))
	if err == nil {
		_ = cs.Send(&pb.CreateLocalBlockRequest{Value: &pb.CreateLocalBlockRequest_Header{Header: &pb.WriteBlockHeader{BlockId: id, SizeHint: 1}}})
		_, err = cs.Recv()
	}
	wantRefused(t, "a short-circuit write without a capability", err, "no capability")
	for _, hdr := range []*pb.WriteUfsHeader{
		{UfsLocation: fi.UfsLocation, StageFileId: fi.FileId},
		{UfsLocation: fi.UfsLocation, StageFileId: fi.FileId, Capability: fi.Capability},
		{UfsLocation: fi.UfsLocation},
	} {
		us, err := wc.WriteUfsFile(rpcmeta.WithUser(ctx, "alice"))
		if err == nil {
			_ = us.Send(&pb.WriteUfsFileRequest{Value: &pb.WriteUfsFileRequest_Header{Header: hdr}})
			_, err = us.CloseAndRecv()
		}
		wantRefused(t, "an under storage write without a write capability", err, "")
	}

	// A master restart (what a failover looks like to a worker) keeps the
	// keys: the capability signed before it still reads.
	c.RestartMaster()
	c.WaitWorkers(1)
	if got, err := readAs(wc, "alice", id, fi.Capability); err != nil || string(got) != string(secret) {
		t.Fatalf("alice's capability after the master restarted: %q, %v", got, err)
	}

	// Expired: wait until the capability's time has passed (the
	// lifetime is 3s here), polling the clock.
	deadline := time.Now().Add(waitFor)
	for time.Now().UnixMilli() <= fi.Capability.ExpiresMs {
		if time.Now().After(deadline) {
			t.Fatal("the capability did not expire")
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, err = readAs(wc, "alice", id, fi.Capability)
	wantRefused(t, "an expired capability", err, "expired")
	// A new reader gets a new capability.
	if got := read(t, alice, "/secret", "CACHE"); string(got) != string(secret) {
		t.Fatalf("alice reads after expiry: %q", got)
	}
	if n := metric(t, c.Workers[0], "capability_refused_total"); n < 8 {
		t.Errorf("capability_refused_total %v, want at least the 8 refusals above", n)
	}
}
