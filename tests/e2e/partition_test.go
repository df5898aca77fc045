package e2e

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestEmbeddedLeaderCutOff runs three masters in network namespaces of
// their own and cuts the leader off from the other two (its journal
// network), while clients can still reach it: it must step down and not
// acknowledge the write it is given, the majority elects a new leader that
// serves, and after healing the old leader agrees with the others.
func TestEmbeddedLeaderCutOff(t *testing.T) {
	t.Parallel()
	c := cluster.NewHA(t, cluster.WithJournal(cluster.JournalEmbedded), cluster.WithNet(cluster.NetRequired))
	nt := c.Net
	old := c.WaitLeader()
	li := c.Index(old)
	fs := c.Client(60 * time.Second)
	for i := 0; i < 10; i++ {
		if _, err := fs.CreateDirectory(context.Background(), fmt.Sprintf("/before-%d", i), client.CreateDirectoryOptions{WriteType: "MUST_CACHE"}); err != nil {
			t.Fatal(err)
		}
	}
	nt.CutPeer(li)
	// The cut-off leader can still be reached by clients: it must not
	// acknowledge a write it cannot replicate.
	cc, err := grpc.NewClient(old.RPCAddress(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	rctx, cancel := context.WithTimeout(rpcmeta.WithUser(context.Background(), "tester"), 15*time.Second)
	_, err = pb.NewFileSystemMasterClientServiceClient(cc).CreateDirectory(rctx,
		&pb.CreateDirectoryRequest{Path: "/on-the-cut-off-leader", OpId: "cutoff-1", WriteType: "MUST_CACHE"})
	cancel()
	if err == nil {
		t.Fatal("the cut-off leader acknowledged a write")
	}
	t.Logf("the cut-off leader answered: %v", err)
	// The majority side elects a leader that serves.
	c.WaitNewLeader(old)
	if _, err := fs.CreateDirectory(context.Background(), "/during-cut", client.CreateDirectoryOptions{WriteType: "MUST_CACHE"}); err != nil {
		t.Fatalf("the majority side does not serve: %v", err)
	}
	if h := old.Health(); h.Role == "PRIMARY" {
		t.Fatalf("the cut-off master still says it is primary")
	}
	nt.HealPeer(li)
	c.Converge()
	_, err = fs.GetStatus(context.Background(), "/on-the-cut-off-leader", client.StatusOptions{LoadType: "NEVER"})
	if !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the write given to the cut-off leader became visible: %v", err)
	}
	if _, err := fs.GetStatus(context.Background(), "/during-cut", client.StatusOptions{}); err != nil {
		t.Fatalf("a write acknowledged during the cut is gone: %v", err)
	}
}
