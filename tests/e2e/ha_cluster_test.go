package e2e

import (
	"context"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// newZKCluster starts three masters with the UFS journal and ZooKeeper,
// and workers of 64MB each.
func newZKCluster(t testing.TB, workers int, sessionTimeout string) *testcluster.HA {
	t.Helper()
	return testcluster.NewHA(t, testcluster.WithJournal(testcluster.JournalZK), testcluster.WithWorkers(workers, "64MB"),
		testcluster.WithSessionTimeout(sessionTimeout))
}

// newEmbeddedCluster starts three masters with the embedded journal, each
// with the extra defines, and workers of 64MB each.
func newEmbeddedCluster(t testing.TB, workers int, extra ...string) *testcluster.HA {
	t.Helper()
	return testcluster.NewHA(t, testcluster.WithJournal(testcluster.JournalEmbedded), testcluster.WithWorkers(workers, "64MB"),
		testcluster.WithDefines(extra...))
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
