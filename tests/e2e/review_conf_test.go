package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestStreamingDataTimeoutApplies: alluxio.user.streaming.data.timeout is
// how long a reader waits for a worker's next chunk. With the only worker
// stopped (SIGSTOP), a read gives up after that time and says so, whether
// it streams the block or opens it for a short-circuit read.
func TestStreamingDataTimeoutApplies(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	w := cluster.StartWorker(t, m, "worker", "64MB")
	data := randomBytes(2<<20, 7)
	writeFile(t, m.Client(), "/f", data, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20})
	if err := w.Proc.Pause(); err != nil {
		t.Fatal(err)
	}
	for _, shortCircuit := range []string{"false", "true"} {
		out, code := cliAs(t, m, func(defs []string) []string {
			return append(defs, "-Dalluxio.user.streaming.data.timeout=1s",
				"-Dalluxio.user.short.circuit.enabled="+shortCircuit, "-Dalluxio.user.rpc.retry.max.duration=2s")
		}, "fs", "cat", "/f")
		if code == 0 || !strings.Contains(out, "no answer from the worker within 1s") {
			t.Errorf("cat from a stopped worker (short circuit %s): exit %d, want the 1s data timeout named: %.300s", shortCircuit, code, out)
		}
	}
	if err := w.Proc.Resume(); err != nil {
		t.Fatal(err)
	}
	if got := m.Must("fs", "cat", "/f", "-Dalluxio.user.streaming.data.timeout=1s"); got != string(data) {
		t.Fatal("cat after the worker resumed returned other bytes")
	}
}

// TestRetryCacheEnabledApplies: with the retry cache on (the default), a
// request repeated with its op id is answered as the first was; with
// alluxio.master.filesystem.operation.retry.cache.enabled=false it is
// carried out again, and fails because the directory now exists.
func TestRetryCacheEnabledApplies(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		enabled   string
		secondErr bool
	}{{"true", false}, {"false", true}} {
		t.Run("enabled="+tt.enabled, func(t *testing.T) {
			t.Parallel()
			m := cluster.NewMaster(t, "-Dalluxio.master.filesystem.operation.retry.cache.enabled="+tt.enabled)
			cc, err := grpc.NewClient(rpcAddr(m), grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			defer cc.Close()
			fsc := pb.NewFileSystemMasterClientServiceClient(cc)
			ctx, cancel := context.WithTimeout(rpcmeta.WithUser(context.Background(), "tester"), 30*time.Second)
			defer cancel()
			req := &pb.CreateDirectoryRequest{Path: "/once", OpId: "retried-op-1", WriteType: "MUST_CACHE"}
			if _, err := fsc.CreateDirectory(ctx, req); err != nil {
				t.Fatalf("first create: %v", err)
			}
			_, err = fsc.CreateDirectory(ctx, req)
			if got := err != nil; got != tt.secondErr {
				t.Fatalf("the same create again with retry cache enabled=%s: %v; want an error: %v", tt.enabled, err, tt.secondErr)
			}
			if err != nil && status.Code(err) != codes.AlreadyExists {
				t.Fatalf("the repeated create failed for another reason: %v", err)
			}
		})
	}
}
