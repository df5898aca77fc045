package worker_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/inproc"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"
)

// capabilityLifetime is the clusters' capability lifetime here: long
// enough that a capability renewed at half its life (as the client does)
// reaches the worker before it expires on a loaded machine, short enough
// to wait out a few times.
const capabilityLifetime = 2 * time.Second

// capAs asks the master for path's status as user with a capability of
// access (4 read, 2 write), over the wire.
func capAs(t *testing.T, c *inproc.Cluster, user, path string, access uint32) *pb.FileInfo {
	t.Helper()
	cc, err := grpc.NewClient(c.Master.RPCAddr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	resp, err := pb.NewFileSystemMasterClientServiceClient(cc).GetStatus(rpcmeta.WithUser(context.Background(), user),
		&pb.GetStatusRequest{Path: path, Capability: access})
	if err != nil {
		t.Fatalf("status of %s as %s with capability %d: %v", path, user, access, err)
	}
	if resp.FileInfo.Capability == nil {
		t.Fatalf("no capability %d for %s on %s", access, user, path)
	}
	return resp.FileInfo
}

// narrowClient is a raw client of worker 0's data service whose streams
// take 64 KiB at a time (the least HTTP/2 allows), so a worker streaming
// to a reader that does not read is held after that much, as it is by a
// slow reader, instead of sending the whole block ahead.
func narrowClient(t *testing.T, c *inproc.Cluster) pb.BlockWorkerClient {
	t.Helper()
	cc, err := grpc.NewClient(c.Workers[0].RPCAddr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return pb.NewBlockWorkerClient(cc)
}

// waitPast polls the clock until the time ms (a capability's expiry)
// has passed.
func waitPast(t *testing.T, ms int64) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().UnixMilli() <= ms {
		if time.Now().After(deadline) {
			t.Fatalf("the clock did not pass %d ms", ms)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantCut checks that err is the worker ending a stream of block id for
// its capability's expiry, naming the block and when it expired.
func wantCut(t *testing.T, what string, err error, id int64, c *pb.BlockCapability) {
	t.Helper()
	at := time.UnixMilli(c.ExpiresMs).UTC().Format("2006-01-02T15:04:05.000Z")
	wantErr(t, what, err, errs.ErrPermission, fmt.Sprintf("block %d: capability expired", id))
	if !strings.Contains(err.Error(), at) {
		t.Fatalf("%s: %v does not say the capability expired at %s", what, err, at)
	}
}

// TestReadStreamsEndWhenTheirCapabilityExpires: a reader that opened a
// block stream with a valid capability and reads slowly past its expiry
// is cut off by the worker before the end of the block, with an error
// naming the block and the expiry, whether the worker streams the block
// from its cache, from the under storage, or as it caches it.
func TestReadStreamsEndWhenTheirCapabilityExpires(t *testing.T) {
	c := inproc.Start(t, inproc.Options{Properties: map[string]string{"alluxio.security.block.capability.lifetime": capabilityLifetime.String()}})
	ctx := context.Background()
	all := os.FileMode(0o777)
	must(t, c.Client().SetAttribute(ctx, "/", client.SetAttributeOptions{Mode: &all}), "chmod /")
	alice := c.ClientWith(func(cfg *client.Config) { cfg.User = "alice" })
	const size = 1 << 20 // one block
	data := pattern(size)
	write(t, alice, "/cached", "MUST_CACHE", data)
	write(t, alice, "/ufs-direct", "THROUGH", data)
	write(t, alice, "/ufs-caching", "THROUGH", data)
	before := metric(t, c.Workers[0], "capability_streams_cut_total")

	t.Run("streams", func(t *testing.T) {
		for _, tc := range []struct {
			path     string
			readType pb.ReadType
		}{
			{"/cached", pb.ReadType_CACHE},        // sendCached
			{"/ufs-direct", pb.ReadType_NO_CACHE}, // readUfs
			{"/ufs-caching", pb.ReadType_CACHE},   // a caching job's tail
		} {
			t.Run(tc.path, func(t *testing.T) {
				t.Parallel()
				fi := capAs(t, c, "alice", tc.path, 4)
				id := fi.BlockIds[0]
				var src *pb.UfsBlockSource
				if tc.path != "/cached" {
					src = &pb.UfsBlockSource{UfsLocation: fi.UfsLocation, BlockLength: fi.Length}
				}
				wc := narrowClient(t, c)
				s, err := wc.ReadBlock(rpcmeta.WithUser(ctx, "alice"), &pb.ReadBlockRequest{BlockId: id, Length: -1, ChunkSize: 16 << 10,
					ReadType: tc.readType, Source: src, Capability: fi.Capability})
				if err != nil {
					t.Fatal(err)
				}
				first, err := s.Recv()
				if err != nil {
					t.Fatalf("first chunk: %v", err)
				}
				got := append([]byte(nil), first.Chunk...)
				waitPast(t, fi.Capability.ExpiresMs)
				for {
					r, err := s.Recv()
					if err == io.EOF {
						t.Fatalf("read all %d bytes of block %d past the capability's expiry", len(got), id)
					}
					if err != nil {
						wantCut(t, "a slow read past the capability's expiry", err, id, fi.Capability)
						break
					}
					got = append(got, r.Chunk...)
				}
				if len(got) >= size || !bytes.Equal(got, data[:len(got)]) {
					t.Fatalf("got %d bytes before the cut (want a prefix of the %d-byte block)", len(got), size)
				}
			})
		}
	})
	if n := metric(t, c.Workers[0], "capability_streams_cut_total") - before; n != 3 {
		t.Errorf("capability_streams_cut_total went up by %v, want 3", n)
	}
}

// rawWrite is one write stream to a worker, of either kind (WriteBlock,
// WriteUfsFile), as a client that does what it likes would send it.
type rawWrite struct {
	send  func(chunk []byte) error
	renew func(c *pb.BlockCapability) error
	// commit commits and returns the worker's answer.
	commit func() error
}

func openBlockWrite(t *testing.T, wc pb.BlockWorkerClient, user string, id int64, c *pb.BlockCapability) rawWrite {
	t.Helper()
	s, err := wc.WriteBlock(rpcmeta.WithUser(context.Background(), user))
	if err != nil {
		t.Fatal(err)
	}
	send := func(r *pb.WriteBlockRequest) error {
		if err := s.Send(r); err != io.EOF {
			return err
		}
		_, err := s.CloseAndRecv() // the worker's reason
		return err
	}
	must(t, send(&pb.WriteBlockRequest{Value: &pb.WriteBlockRequest_Header{Header: &pb.WriteBlockHeader{BlockId: id, SizeHint: 1 << 20, Capability: c}}}), "header")
	return rawWrite{
		send: func(b []byte) error { return send(&pb.WriteBlockRequest{Value: &pb.WriteBlockRequest_Chunk{Chunk: b}}) },
		renew: func(c *pb.BlockCapability) error {
			return send(&pb.WriteBlockRequest{Value: &pb.WriteBlockRequest_Capability{Capability: c}})
		},
		commit: func() error {
			if err := send(&pb.WriteBlockRequest{Value: &pb.WriteBlockRequest_Commit{Commit: true}}); err != nil {
				return err
			}
			_, err := s.CloseAndRecv()
			return err
		},
	}
}

func openUfsWrite(t *testing.T, wc pb.BlockWorkerClient, user string, fi *pb.FileInfo, c *pb.BlockCapability) rawWrite {
	t.Helper()
	s, err := wc.WriteUfsFile(rpcmeta.WithUser(context.Background(), user))
	if err != nil {
		t.Fatal(err)
	}
	send := func(r *pb.WriteUfsFileRequest) error {
		if err := s.Send(r); err != io.EOF {
			return err
		}
		_, err := s.CloseAndRecv()
		return err
	}
	must(t, send(&pb.WriteUfsFileRequest{Value: &pb.WriteUfsFileRequest_Header{Header: &pb.WriteUfsHeader{
		UfsLocation: fi.UfsLocation, Mode: 0o644, Overwrite: true, StageFileId: fi.FileId, Capability: c}}}), "header")
	return rawWrite{
		send: func(b []byte) error {
			return send(&pb.WriteUfsFileRequest{Value: &pb.WriteUfsFileRequest_Chunk{Chunk: b}})
		},
		renew: func(c *pb.BlockCapability) error {
			return send(&pb.WriteUfsFileRequest{Value: &pb.WriteUfsFileRequest_Capability{Capability: c}})
		},
		commit: func() error {
			if err := send(&pb.WriteUfsFileRequest{Value: &pb.WriteUfsFileRequest_Commit{Commit: true}}); err != nil {
				return err
			}
			_, err := s.CloseAndRecv()
			return err
		},
	}
}

// TestWriteStreamsEndWhenTheirCapabilityExpires: a block or under storage
// write stream opened with a valid write capability and written slowly
// past its expiry is ended by the worker at the next chunk (nothing of it
// kept); one that was sent a renewed capability in time goes on and
// commits; a forged renewal, or one for another user, ends the stream and
// leaves what was committed before as it was.
func TestWriteStreamsEndWhenTheirCapabilityExpires(t *testing.T) {
	c := inproc.Start(t, inproc.Options{Properties: map[string]string{"alluxio.security.block.capability.lifetime": capabilityLifetime.String()}})
	ctx := context.Background()
	all := os.FileMode(0o777)
	must(t, c.Client().SetAttribute(ctx, "/", client.SetAttributeOptions{Mode: &all}), "chmod /")
	alice := c.ClientWith(func(cfg *client.Config) { cfg.User = "alice" })
	chunk := pattern(16 << 10)
	renewalsBefore := metric(t, c.Workers[0], "capability_stream_renewals_total")
	cutBefore := metric(t, c.Workers[0], "capability_streams_cut_total")

	// A block committed before any of it, which nothing below may touch.
	write(t, alice, "/kept", "MUST_CACHE", chunk)
	kept := capAs(t, c, "alice", "/kept", 4)

	type scenario struct {
		name string
		// run writes a chunk on w, does its part, and returns the
		// stream's end (commit's answer, or the error that ended it).
		run func(t *testing.T, path string, w rawWrite, wcap *pb.BlockCapability) error
		cut bool // whether the worker ends the stream (else it commits)
	}
	scenarios := []scenario{
		{"expired", func(t *testing.T, path string, w rawWrite, wcap *pb.BlockCapability) error {
			waitPast(t, wcap.ExpiresMs)
			if err := w.send(chunk); err != nil {
				return err
			}
			return w.commit()
		}, true},
		{"renewed", func(t *testing.T, path string, w rawWrite, wcap *pb.BlockCapability) error {
			// At half its life, as the client renews.
			waitPast(t, wcap.ExpiresMs-capabilityLifetime.Milliseconds()/2)
			renewed := capAs(t, c, "alice", path, 2).Capability
			if err := w.renew(renewed); err != nil {
				return err
			}
			waitPast(t, wcap.ExpiresMs)
			if err := w.send(chunk); err != nil {
				return err
			}
			return w.commit()
		}, false},
		{"forged", func(t *testing.T, path string, w rawWrite, wcap *pb.BlockCapability) error {
			forged := proto.Clone(wcap).(*pb.BlockCapability)
			forged.ExpiresMs += time.Hour.Milliseconds()
			if err := w.renew(forged); err != nil {
				return err
			}
			if err := w.send(chunk); err != nil {
				return err
			}
			return w.commit()
		}, true},
		{"bob's", func(t *testing.T, path string, w rawWrite, wcap *pb.BlockCapability) error {
			// Bob may read the file (644): his read capability for it,
			// sent on alice's write stream.
			if err := w.renew(capAs(t, c, "bob", path, 4).Capability); err != nil {
				return err
			}
			if err := w.send(chunk); err != nil {
				return err
			}
			return w.commit()
		}, true},
	}
	wantEnd := map[string]string{
		"forged": "renewed capability refused: block %d: capability signature does not match",
		"bob's":  `renewed capability refused: block %d: capability is for user "bob", not "alice"`,
	}

	t.Run("streams", func(t *testing.T) {
		for _, kind := range []string{"block", "ufs"} {
			for _, sc := range scenarios {
				t.Run(kind+"/"+sc.name, func(t *testing.T) {
					t.Parallel()
					// A file of its own: alice's, incomplete, 644.
					path := "/" + kind + "-" + strings.ReplaceAll(sc.name, "'", "")
					if _, err := alice.CreateFile(ctx, path, client.CreateFileOptions{WriteType: "MUST_CACHE"}); err != nil {
						t.Fatal(err)
					}
					fi := capAs(t, c, "alice", path, 2)
					id := blockid.New(fi.FileId, 0)
					wc := narrowClient(t, c)
					var w rawWrite
					if kind == "block" {
						w = openBlockWrite(t, wc, "alice", id, fi.Capability)
					} else {
						w = openUfsWrite(t, wc, "alice", fi, fi.Capability)
					}
					must(t, w.send(chunk), "first chunk")
					err := sc.run(t, path, w, fi.Capability)
					switch {
					case !sc.cut && err != nil:
						t.Fatalf("a stream renewed in time: %v", err)
					case !sc.cut:
					case sc.name == "expired":
						wantCut(t, "a slow write past the capability's expiry", err, id, fi.Capability)
					default:
						wantErr(t, "a "+sc.name+" renewal", err, errs.ErrPermission, fmt.Sprintf(wantEnd[sc.name], id))
					}
					if kind != "block" {
						return
					}
					// What the stream wrote is kept only when it committed.
					got, err := readAs(dataClient(t, c), "alice", id, capAs(t, c, "alice", path, 4).Capability)
					if sc.cut {
						wantErr(t, "the block of a stream that was ended", err, errs.ErrNotFound, "not cached")
					} else if err != nil || !bytes.Equal(got, append(append([]byte(nil), chunk...), chunk...)) {
						t.Fatalf("the block written with a renewal: %d bytes, %v", len(got), err)
					}
				})
			}
		}
	})
	if got, err := readAs(dataClient(t, c), "alice", kept.BlockIds[0], capAs(t, c, "alice", "/kept", 4).Capability); err != nil || !bytes.Equal(got, chunk) {
		t.Fatalf("the block committed before: %d bytes, %v", len(got), err)
	}
	if n := metric(t, c.Workers[0], "capability_stream_renewals_total") - renewalsBefore; n != 2 {
		t.Errorf("capability_stream_renewals_total went up by %v, want 2 (the renewals in time)", n)
	}
	if n := metric(t, c.Workers[0], "capability_streams_cut_total") - cutBefore; n != 2 {
		t.Errorf("capability_streams_cut_total went up by %v, want 2 (the expired streams)", n)
	}
}
