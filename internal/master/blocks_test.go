package master

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
)

// TestDeletedBlocksStayForTheRetention: the blocks of a deleted file are
// dropped from their worker only once they have been dead for
// alluxio.master.deleted.block.retention, so a reader that opened the file
// before can read it to its end; with no retention, at the next check.
func TestDeletedBlocksStayForTheRetention(t *testing.T) {
	for _, retention := range []time.Duration{time.Minute, 0} {
		m := newTestMaster(t, func(c *Config) { c.DeletedRetention = retention })
		var mu sync.Mutex
		clock := time.Now()
		m.blocks.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
		ctx := context.Background()
		fi := m.write(t, "/f", []byte("cached"))
		block := fi.BlockIds[0]
		ws := &blockWorkerService{s: m.Server}
		addr := &pb.WorkerNetAddress{Host: "127.0.0.1", RpcPort: 2}
		id, err := ws.GetWorkerId(ctx, &pb.GetWorkerIdRequest{Address: addr})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ws.RegisterWorker(ctx, &pb.RegisterWorkerRequest{WorkerId: id.WorkerId, Address: addr}); err != nil {
			t.Fatal(err)
		}
		beat := func(added ...*pb.BlockOnTier) []int64 {
			t.Helper()
			r, err := ws.BlockHeartbeat(ctx, &pb.BlockHeartbeatRequest{WorkerId: id.WorkerId, AddedBlocks: added})
			if err != nil || r.Command == pb.CommandType_REGISTER {
				t.Fatalf("heartbeat: %v %v", r, err)
			}
			return r.FreeBlocks
		}
		beat(&pb.BlockOnTier{BlockId: block, Length: 6, Tier: "MEM"})
		if err := m.fs.remove(ctx, &pb.DeleteRequest{Path: "/f", OpId: opID()}); err != nil {
			t.Fatal(err)
		}
		m.blocks.checkWorkers()
		freed := beat()
		if retention == 0 {
			if !slices.Contains(freed, block) {
				t.Fatalf("without retention the deleted file's block is not freed at the first check: %v", freed)
			}
			continue
		}
		for _, step := range []time.Duration{30 * time.Second, 29 * time.Second} {
			if len(freed) != 0 {
				t.Fatalf("freed %v before the retention of %v ended", freed, retention)
			}
			advance(step)
			beat()
			m.blocks.checkWorkers()
			freed = beat()
		}
		if len(freed) != 0 {
			t.Fatalf("freed %v before the retention of %v ended", freed, retention)
		}
		advance(2 * time.Second)
		beat()
		m.blocks.checkWorkers()
		if freed := beat(); !slices.Contains(freed, block) {
			t.Fatalf("the deleted file's block is not freed once the retention ended: %v", freed)
		}
	}
}
