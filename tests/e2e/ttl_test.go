package e2e

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestTTLFreeDropsTheCachedCopy (issue 10.4): when a file's TTL with
// action FREE passes, the workers drop its cached blocks (the action used
// to look the path up and do nothing else); the file stays, readable from
// the under storage, without a TTL.
func TestTTLFreeDropsTheCachedCopy(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t, "-Dalluxio.master.ttl.checker.interval=200ms")
	cluster.StartWorker(t, m, "worker", "64MB")
	c := m.Client()
	data := randomBytes(3<<20, 7)
	writeFile(t, c, "/f", data, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20,
		TTL: time.Second, TTLAction: "FREE"})
	testcluster.WaitFor(t, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		fi, err := c.GetStatus(context.Background(), "/f", client.StatusOptions{})
		if err != nil {
			return false, err.Error()
		}
		return fi.InAlluxioPercent == 0 && fi.TTL < 0, fmt.Sprintf("%d%% cached, ttl %v", fi.InAlluxioPercent, fi.TTL)
	})
	if got := readFile(t, c, "/f", "NO_CACHE"); !bytes.Equal(got, data) {
		t.Fatal("the freed file reads back wrong")
	}
}
