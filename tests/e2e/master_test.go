package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

func TestNamespaceSurvivesKill9(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	buildNamespace(t, m, "/ns")
	before := dump(t, m.Client())
	if !strings.Contains(before, "/ns/mnt/sub/data.csv ") || !strings.Contains(before, "/ns/x/c ") {
		t.Fatalf("namespace incomplete before the kill:\n%s", before)
	}
	m.Proc.Kill()
	m.Restart()
	if after := dump(t, m.Client()); after != before {
		t.Fatalf("namespace changed across kill -9:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestCheckpointThenMoreThenKill9(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	buildNamespace(t, m, "/one")
	if out := m.Must("fsadmin", "journal", "checkpoint"); !strings.Contains(out, "checkpoint") {
		t.Fatalf("checkpoint output: %s", out)
	}
	cks, _ := filepath.Glob(filepath.Join(m.Dir, "journal", "checkpoints", "*.ckpt"))
	if len(cks) == 0 {
		t.Fatal("no checkpoint file written")
	}
	buildNamespace(t, m, "/two")
	before := dump(t, m.Client())
	m.Proc.Kill()
	m.Restart()
	if after := dump(t, m.Client()); after != before {
		t.Fatalf("namespace changed across checkpoint + kill -9:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// lastSegment returns the newest journal segment file.
func lastSegment(t *testing.T, m *cluster.Master) string {
	t.Helper()
	segs, _ := filepath.Glob(filepath.Join(m.Dir, "journal", "logs", "*.log"))
	if len(segs) == 0 {
		t.Fatal("no journal segment")
	}
	sort.Strings(segs)
	return segs[len(segs)-1]
}

func TestTornTailIsDropped(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	m.Must("fs", "mkdir", "/kept")
	before := dump(t, m.Client())
	m.Proc.Kill()
	// A crash in the middle of a write: a header that promises more bytes
	// than made it to disk.
	seg := lastSegment(t, m)
	f, err := os.OpenFile(seg, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{200, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9})
	f.Close()
	m.Restart()
	if after := dump(t, m.Client()); after != before {
		t.Fatalf("torn tail changed the namespace:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	m.Must("fs", "mkdir", "/after-torn")
	m.Proc.Kill()
	m.Restart()
	m.Must("fs", "test", "-d", "/after-torn")
	m.Must("fs", "test", "-d", "/kept")
}

func TestDamageInTheMiddleStopsStart(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	for _, d := range []string{"/d1", "/d2", "/d3", "/d4"} {
		m.Must("fs", "mkdir", d)
	}
	m.Proc.Kill()
	seg := lastSegment(t, m)
	data, err := os.ReadFile(seg)
	if err != nil || len(data) < 100 {
		t.Fatalf("segment %s too short (%d bytes): %v", seg, len(data), err)
	}
	// Flip a byte inside the payload of the first record.
	data[10] ^= 0xff
	if err := os.WriteFile(seg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m.Proc.Restart(t)
	if err := m.Proc.Wait(); err == nil {
		t.Fatal("master started on a damaged journal")
	}
	out := m.Proc.Output()
	if !strings.Contains(out, filepath.Base(seg)) || !strings.Contains(out, "offset 0") {
		t.Fatalf("the error does not name the file and offset:\n%s", out)
	}
}

// TestRetriedOperationsAnsweredOnce sends the same operation id twice, also
// across a kill -9, the way a client retries after a lost answer.
func TestRetriedOperationsAnsweredOnce(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cc, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", m.RPCPort), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	fs := pb.NewFileSystemMasterClientServiceClient(cc)
	ctx := rpcmeta.WithUser(context.Background(), "tester")
	create := &pb.CreateFileRequest{Path: "/once", OpId: "op-create-1", BlockSizeBytes: 1 << 20}
	first, err := fs.CreateFile(ctx, create)
	if err != nil {
		t.Fatal(err)
	}
	again, err := fs.CreateFile(ctx, create)
	if err != nil {
		t.Fatalf("retried create failed: %v", err)
	}
	if again.FileInfo.FileId != first.FileInfo.FileId {
		t.Fatalf("retried create made inode %d, first %d", again.FileInfo.FileId, first.FileInfo.FileId)
	}
	// A different id for the same path is a new operation: it must fail.
	_, err = fs.CreateFile(ctx, &pb.CreateFileRequest{Path: "/once", OpId: "op-create-2", BlockSizeBytes: 1 << 20})
	if e, _ := errs.FromStatus(err); !errors.Is(e, client.ErrAlreadyExists) {
		t.Fatalf("second create with a new id: %v, want already exists", err)
	}
	// A file still being written cannot be renamed: complete it first.
	if _, err := fs.CompleteFile(ctx, &pb.CompleteFileRequest{Path: "/once", OpId: "op-complete-1", FileId: first.FileInfo.FileId}); err != nil {
		t.Fatal(err)
	}
	rename := &pb.RenameRequest{Src: "/once", Dst: "/moved", OpId: "op-rename-1"}
	if _, err := fs.Rename(ctx, rename); err != nil {
		t.Fatal(err)
	}
	m.Proc.Kill()
	m.Restart()
	if _, err := fs.Rename(ctx, rename); err != nil {
		t.Fatalf("retried rename after restart: %v", err)
	}
	del := &pb.DeleteRequest{Path: "/moved", OpId: "op-delete-1"}
	if _, err := fs.Remove(ctx, del); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Remove(ctx, del); err != nil {
		t.Fatalf("retried delete: %v", err)
	}
	if out, code := m.Run("fs", "test", "-e", "/moved"); code == 0 {
		t.Fatalf("/moved still exists: %s", out)
	}
	// The file is gone now, but the create and the complete succeeded:
	// their retries must say so, not "not found" (found by the chaos
	// harness: a create retried across a failover, after another client
	// deleted the file).
	again, err = fs.CreateFile(ctx, create)
	if err != nil || again.FileInfo.FileId != first.FileInfo.FileId {
		t.Fatalf("create retried after the file was deleted: %v, %v", again, err)
	}
	if _, err := fs.CompleteFile(ctx, &pb.CompleteFileRequest{Path: "/once", OpId: "op-complete-1", FileId: first.FileInfo.FileId}); err != nil {
		t.Fatalf("complete retried after the file was deleted: %v", err)
	}
}
