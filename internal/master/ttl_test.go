package master

import (
	"context"
	"slices"
	"testing"
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
)

// registerWorker tells m that a worker caches the blocks of files, as a
// worker's registration does, and returns a heartbeat function that
// returns the blocks the master orders it to drop.
func registerWorker(t *testing.T, m *testMaster, files ...*pb.FileInfo) (heartbeat func() []int64) {
	t.Helper()
	ctx := context.Background()
	ws := &blockWorkerService{s: m.Server}
	addr := &pb.WorkerNetAddress{Host: "127.0.0.1", RpcPort: 1}
	id, err := ws.GetWorkerId(ctx, &pb.GetWorkerIdRequest{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	var blocks []*pb.BlockOnTier
	for _, fi := range files {
		for _, b := range fi.BlockIds {
			blocks = append(blocks, &pb.BlockOnTier{BlockId: b, Tier: "MEM"})
		}
	}
	if _, err := ws.RegisterWorker(ctx, &pb.RegisterWorkerRequest{WorkerId: id.WorkerId, Address: addr, Blocks: blocks}); err != nil {
		t.Fatal(err)
	}
	return func() []int64 {
		r, err := ws.BlockHeartbeat(ctx, &pb.BlockHeartbeatRequest{WorkerId: id.WorkerId})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(r.FreeBlocks)
		return r.FreeBlocks
	}
}

func setTTL(t *testing.T, m *testMaster, path string, ttl time.Duration, action pb.TtlAction) {
	t.Helper()
	ms := ttl.Milliseconds()
	if err := m.fs.setAttribute(context.Background(), &pb.SetAttributeRequest{Path: path, OpId: opID(), Ttl: &ms, TtlAction: &action}); err != nil {
		t.Fatal(err)
	}
}

// TestTTLFreeFreesTheBlocks: a file whose TTL with action FREE passed has
// its cached blocks dropped (the workers holding them are told so) and
// keeps the file, without a TTL (issue 10.4: the action used to only look
// the path up).
func TestTTLFreeFreesTheBlocks(t *testing.T) {
	m := newTestMaster(t, nil)
	f := m.write(t, "/f", make([]byte, 3<<20)) // three blocks of 1 MiB
	keep := m.write(t, "/keep", []byte("k"))
	heartbeat := registerWorker(t, m, f, keep)
	setTTL(t, m, "/f", time.Millisecond, pb.TtlAction_FREE)
	m.now = func() time.Time { return time.Now().Add(time.Hour) }
	m.checkTTL(context.Background())
	got := heartbeat()
	if want := f.BlockIds; !slices.Equal(got, want) || len(want) != 3 {
		t.Fatalf("the worker was told to drop %v, want %v", got, want)
	}
	fi := m.stat(t, "/f")
	if fi.Ttl > 0 || !fi.Persisted {
		t.Fatalf("after the free: ttl %d, persisted %v", fi.Ttl, fi.Persisted)
	}
	if ok, _ := m.store.has("f"); !ok {
		t.Fatal("freeing removed the under storage copy")
	}
}

func TestTTLDelete(t *testing.T) {
	m := newTestMaster(t, nil)
	m.write(t, "/d/f", []byte("x"))
	m.write(t, "/a/g", []byte("y"))
	setTTL(t, m, "/d", time.Millisecond, pb.TtlAction_DELETE)
	setTTL(t, m, "/a/g", time.Millisecond, pb.TtlAction_DELETE_ALLUXIO)
	m.now = func() time.Time { return time.Now().Add(time.Hour) }
	m.checkTTL(context.Background())
	m.missing(t, "/d")
	m.missing(t, "/a/g")
	if ok, _ := m.store.has("d/f"); ok {
		t.Fatal("TTL DELETE left the under storage copy")
	}
	if ok, _ := m.store.has("a/g"); !ok {
		t.Fatal("TTL DELETE_ALLUXIO removed the under storage copy")
	}
}

// TestTTLActsOnTheInodeItListed: a file deleted and written again at the
// same path after the checker listed it is another file, which it leaves.
func TestTTLActsOnTheInodeItListed(t *testing.T) {
	m := newTestMaster(t, nil)
	old := m.write(t, "/f", []byte("old"))
	setTTL(t, m, "/f", time.Millisecond, pb.TtlAction_DELETE)
	now := time.Now().Add(time.Hour).UnixMilli()
	expired := m.st.Expired(now)
	if len(expired) != 1 {
		t.Fatalf("expired: %v", expired)
	}
	if err := m.fs.remove(context.Background(), &pb.DeleteRequest{Path: "/f", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	m.write(t, "/f", []byte("new"))
	if action, err := m.fs.expire(context.Background(), "/f", old.FileId, now); err != nil || action != nil {
		t.Fatalf("expire of a file that is gone: %v, %v", action, err)
	}
	if got := m.store.read(t, "f"); string(got) != "new" {
		t.Fatalf("the store has %q", got)
	}
}
