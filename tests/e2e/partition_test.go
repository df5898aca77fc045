package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// TestEmbeddedLeaderCutOff runs three masters in network namespaces of
// their own and cuts the leader off from the other two (its journal
// network), while clients can still reach it: it must step down and not
// acknowledge the write it is given, the majority elects a new leader that
// serves, and after healing the old leader agrees with the others.
func TestEmbeddedLeaderCutOff(t *testing.T) {
	t.Parallel()
	nt := testcluster.NewNet(t, 3)
	bin := testcluster.Binary(t)
	ports := testcluster.FreePorts(t, 3)
	rpcPort, webPort, journalPort := ports[0], ports[1], ports[2]
	var rpcs, journals []string
	for i := 0; i < 3; i++ {
		rpcs = append(rpcs, fmt.Sprintf("%s:%d", nt.ClientIP(i), rpcPort))
		journals = append(journals, fmt.Sprintf("%s:%d", nt.PeerIP(i), journalPort))
	}
	c := &haCluster{t: t, shared: t.TempDir(), rpcs: rpcs}
	for i := 0; i < 3; i++ {
		m := &master{t: t, bin: bin, dir: t.TempDir(), rpcPort: rpcPort, webPort: webPort, host: nt.ClientIP(i), extra: []string{
			"-Dalluxio.master.hostname=" + nt.PeerIP(i),
			"-Dalluxio.master.journal.type=EMBEDDED",
			"-Dalluxio.master.embedded.journal.addresses=" + strings.Join(journals, ","),
			fmt.Sprintf("-Dalluxio.master.embedded.journal.port=%d", journalPort),
			"-Dalluxio.master.rpc.addresses=" + strings.Join(rpcs, ","),
			"-Dalluxio.master.mount.table.root.ufs=" + c.shared + "/ufs",
		}}
		name, args := nt.Command(i, bin, append([]string{"master"}, m.defines()...)...)
		m.proc = testcluster.Start(t, fmt.Sprintf("master%d", i), name, args, m.env())
		c.masters = append(c.masters, m)
	}
	old := c.waitLeader()
	li := -1
	for i, m := range c.masters {
		if m == old {
			li = i
		}
	}
	fs := c.client(60 * time.Second)
	for i := 0; i < 10; i++ {
		if _, err := fs.CreateDirectory(context.Background(), fmt.Sprintf("/before-%d", i), client.CreateDirectoryOptions{WriteType: "MUST_CACHE"}); err != nil {
			t.Fatal(err)
		}
	}
	nt.CutPeer(li)
	// The cut-off leader can still be reached by clients: it must not
	// acknowledge a write it cannot replicate.
	cc, err := grpc.NewClient(fmt.Sprintf("%s:%d", nt.ClientIP(li), rpcPort), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	rctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	_, err = pb.NewFileSystemMasterClientServiceClient(cc).CreateDirectory(rctx,
		&pb.CreateDirectoryRequest{Path: "/on-the-cut-off-leader", OpId: "cutoff-1", WriteType: "MUST_CACHE"})
	cancel()
	if err == nil {
		t.Fatal("the cut-off leader acknowledged a write")
	}
	t.Logf("the cut-off leader answered: %v", err)
	// The majority side elects a leader that serves.
	testcluster.WaitFor(t, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		for i, m := range c.masters {
			if i != li {
				if h := m.health(); h.ok && h.Role == "PRIMARY" {
					return true, ""
				}
			}
		}
		return false, "no leader on the majority side"
	})
	if _, err := fs.CreateDirectory(context.Background(), "/during-cut", client.CreateDirectoryOptions{WriteType: "MUST_CACHE"}); err != nil {
		t.Fatalf("the majority side does not serve: %v", err)
	}
	if h := old.health(); h.Role == "PRIMARY" {
		t.Fatalf("the cut-off master still says it is primary")
	}
	nt.HealPeer(li)
	c.converge()
	_, err = fs.GetStatus(context.Background(), "/on-the-cut-off-leader", client.StatusOptions{LoadType: "NEVER"})
	if !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the write given to the cut-off leader became visible: %v", err)
	}
	if _, err := fs.GetStatus(context.Background(), "/during-cut", client.StatusOptions{}); err != nil {
		t.Fatalf("a write acknowledged during the cut is gone: %v", err)
	}
}
