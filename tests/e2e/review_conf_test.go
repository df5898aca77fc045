package e2e

import (
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/client"
)

// TestStreamingDataTimeoutApplies: alluxio.user.streaming.data.timeout is
// how long a reader waits for a worker's next chunk. With the only worker
// stopped (SIGSTOP), a read gives up after that time and says so, whether
// it streams the block or opens it for a short-circuit read.
func TestStreamingDataTimeoutApplies(t *testing.T) {
	t.Parallel()
	m := newMaster(t)
	w := startWorker(t, m, "worker", "64MB")
	data := randomBytes(2<<20, 7)
	writeFile(t, m.client(), "/f", data, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20})
	if err := w.proc.Pause(); err != nil {
		t.Fatal(err)
	}
	for _, shortCircuit := range []string{"false", "true"} {
		out, code := cliAs(t, m, func(defs []string) []string {
			return append(defs, "-Dalluxio.user.streaming.data.timeout=1s",
				"-Dalluxio.user.short.circuit.enabled="+shortCircuit, "-Dalluxio.user.rpc.retry.max.duration=2s")
		}, "fs", "cat", "/f")
		if code == 0 || !strings.Contains(out, "no answer from the worker within 1s") {
			t.Errorf("cat from a stopped worker (short circuit %s): exit %d, want the 1s data timeout named: %.300s", shortCircuit, code, out)
		}
	}
	if err := w.proc.Resume(); err != nil {
		t.Fatal(err)
	}
	if got := m.must("fs", "cat", "/f", "-Dalluxio.user.streaming.data.timeout=1s"); got != string(data) {
		t.Fatal("cat after the worker resumed returned other bytes")
	}
}
