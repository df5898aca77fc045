package cluster_test

import (
	"context"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

// A suite starts a cluster in one line and drives it through the Cluster
// interface: the CLI, a client, the leader, the under storage, one more
// worker.
func TestNewSingleMaster(t *testing.T) {
	c := cluster.New(t, cluster.WithWorkers(1, "64MB"))
	m, ok := c.(*cluster.Master)
	if !ok || c.Leader() != m {
		t.Fatalf("New without a journal gave %T, leader %v", c, c.Leader())
	}
	c.Must("fs", "mkdir", "/made-by-the-cli")
	if out, code := c.Run("fs", "test", "-d", "/nothing-here"); code == 0 {
		t.Fatalf("fs test -d of a missing path: exit 0: %s", out)
	}
	c.AddWorker("worker1", "64MB")
	fs := c.ClientWith(client.Config{})
	ws, err := fs.Workers(context.Background())
	if err != nil || len(ws) != 2 {
		t.Fatalf("workers: %d, %v; want 2", len(ws), err)
	}
	w, err := fs.Create(context.Background(), "/made-by-the-cli/f", client.CreateFileOptions{WriteType: "CACHE_THROUGH"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out := c.Must("fs", "cat", "/made-by-the-cli/f"); out != "hello" {
		t.Fatalf("cat: %q", out)
	}
	if c.UFS() != m.UFS() {
		t.Fatalf("UFS %s, the master's %s", c.UFS(), m.UFS())
	}
}
