package e2e

import (
	"context"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// newZKCluster starts three masters with the UFS journal and ZooKeeper,
// and workers of 64MB each.
func newZKCluster(t testing.TB, workers int, sessionTimeout string) *cluster.HA {
	t.Helper()
	return cluster.NewHA(t, cluster.WithJournal(cluster.JournalZK), cluster.WithWorkers(workers, "64MB"),
		cluster.WithSessionTimeout(sessionTimeout))
}

// newEmbeddedCluster starts three masters with the embedded journal, each
// with the extra defines, and workers of 64MB each.
func newEmbeddedCluster(t testing.TB, workers int, extra ...string) *cluster.HA {
	t.Helper()
	return cluster.NewHA(t, cluster.WithJournal(cluster.JournalEmbedded), cluster.WithWorkers(workers, "64MB"),
		cluster.WithDefines(extra...))
}

// write creates path with content; it reports whether the write was
// acknowledged.
func writeAck(c *client.FileSystem, path string, data []byte, writeType string) error {
	w, err := c.Create(context.Background(), path, client.CreateFileOptions{WriteType: writeType, BlockSize: 1 << 20, Recursive: true})
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Cancel()
		return err
	}
	return w.Close()
}
