package master

import (
	"context"
	"testing"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// asyncFile makes a complete ASYNC_THROUGH file waiting for its persist.
func asyncFile(t *testing.T, m *testMaster, path string, data []byte) *pb.FileInfo {
	t.Helper()
	ctx := context.Background()
	fi, err := m.fs.createFile(ctx, &pb.CreateFileRequest{Path: path, OpId: opID(), Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	fi, err = m.fs.completeFile(ctx, &pb.CompleteFileRequest{Path: path, OpId: opID(), FileId: fi.FileId,
		Length: int64(len(data)), AsyncPersist: true})
	if err != nil {
		t.Fatal(err)
	}
	if fi.PersistenceState != "TO_BE_PERSISTED" {
		t.Fatalf("an ASYNC_THROUGH file is %s", fi.PersistenceState)
	}
	return fi
}

func heartbeatOf(t *testing.T, m *testMaster, r *pb.BlockHeartbeatRequest) {
	t.Helper()
	ws := &blockWorkerService{s: m.Server}
	addr := &pb.WorkerNetAddress{Host: "127.0.0.1", RpcPort: 2}
	id, err := ws.GetWorkerId(context.Background(), &pb.GetWorkerIdRequest{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.RegisterWorker(context.Background(), &pb.RegisterWorkerRequest{WorkerId: id.WorkerId, Address: addr}); err != nil {
		t.Fatal(err)
	}
	r.WorkerId = id.WorkerId
	if _, err := ws.BlockHeartbeat(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

// TestAsyncPersistIsPublished: a worker reports the copy written under the
// temporary name; the master publishes it and journals the file persisted.
func TestAsyncPersistIsPublished(t *testing.T) {
	m := newTestMaster(t, nil)
	fi := asyncFile(t, m, "/a/f", []byte("async"))
	m.store.put(t, underfs.TempPath("a/f", fi.FileId), []byte("async"))
	heartbeatOf(t, m, &pb.BlockHeartbeatRequest{PersistedFiles: []int64{fi.FileId}})
	if fi := m.stat(t, "/a/f"); !fi.Persisted || fi.UfsModMs == 0 {
		t.Fatalf("after the persist: persisted %v, ufs mod %d", fi.Persisted, fi.UfsModMs)
	}
	if got := m.store.read(t, "a/f"); string(got) != "async" {
		t.Fatalf("published %q", got)
	}
}

// TestPersistThatCanNeverSucceedIsMarkedFailed: a worker that cannot write
// the copy because the store cannot hold the name (ENAMETOOLONG) reports
// why; the file is marked failed once, with the reason, and is no longer
// handed out (issue 10.5: it stayed TO_BE_PERSISTED, retried every 2 s).
// A refusal worth retrying leaves it waiting.
func TestPersistThatCanNeverSucceedIsMarkedFailed(t *testing.T) {
	m := newTestMaster(t, nil)
	retry := asyncFile(t, m, "/retry", []byte("r"))
	never := asyncFile(t, m, "/never", []byte("n"))
	heartbeatOf(t, m, &pb.BlockHeartbeatRequest{FailedPersists: []int64{retry.FileId, never.FileId},
		PersistFailures: []*pb.PersistFailure{
			{FileId: retry.FileId, ErrorCode: "UNAVAILABLE", Message: "store unreachable"},
			{FileId: never.FileId, ErrorCode: "INVALID_PATH", Message: "create \"never\": file name too long"},
		}})
	fi := m.stat(t, "/never")
	if fi.PersistenceState != "NOT_PERSISTED" || fi.UfsError != "create \"never\": file name too long" {
		t.Fatalf("after a permanent failure: %s, %q", fi.PersistenceState, fi.UfsError)
	}
	if fi := m.stat(t, "/retry"); fi.PersistenceState != "TO_BE_PERSISTED" || fi.UfsError != "" {
		t.Fatalf("after a passing failure: %s, %q", fi.PersistenceState, fi.UfsError)
	}
	for _, e := range m.st.ToBePersisted() {
		if e.Inode.ID == never.FileId {
			t.Fatal("the file that can never be persisted is handed out again")
		}
	}
	// Scheduling it again clears the error and tries once more.
	if err := m.fs.schedulePersist(context.Background(), opID(), "/never"); err != nil {
		t.Fatal(err)
	}
	if fi := m.stat(t, "/never"); fi.PersistenceState != "TO_BE_PERSISTED" || fi.UfsError != "" {
		t.Fatalf("scheduled again: %s, %q", fi.PersistenceState, fi.UfsError)
	}
}
