package cluster

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// Worker is one alluxio worker process with a single memory tier.
type Worker struct {
	// M is the master whose configuration (and so masters) it uses.
	M       *Master
	Dir     string
	RPCPort int
	WebPort int
	Quota   string
	Name    string
	Proc    *testcluster.Process
}

// Args is the worker's command line.
func (w *Worker) Args() []string {
	return append([]string{"worker"}, append(w.M.Defines(),
		"-Dalluxio.worker.hostname=127.0.0.1",
		"-Dalluxio.worker.rpc.port="+strconv.Itoa(w.RPCPort),
		"-Dalluxio.worker.web.port="+strconv.Itoa(w.WebPort),
		"-Dalluxio.worker.tieredstore.levels=1",
		"-Dalluxio.worker.tieredstore.level0.alias=MEM",
		"-Dalluxio.worker.tieredstore.level0.dirs.path="+w.Dir,
		"-Dalluxio.worker.tieredstore.level0.dirs.quota="+w.Quota,
		"-Dalluxio.worker.block.heartbeat.interval=200ms",
	)...)
}

// StartWorker starts a worker with a cache of quota bytes (Alluxio size
// syntax) and waits until the master lists it.
func StartWorker(t testing.TB, m *Master, name, quota string) *Worker {
	t.Helper()
	return StartWorkerIn(t, m, name, quota, filepath.Join(t.TempDir(), "mem"))
}

// StartWorkerIn is StartWorker with the memory tier in dir.
func StartWorkerIn(t testing.TB, m *Master, name, quota, dir string) *Worker {
	t.Helper()
	ports := testcluster.FreePorts(t, 2)
	w := &Worker{M: m, Dir: dir, RPCPort: ports[0], WebPort: ports[1], Quota: quota, Name: name}
	w.Proc = testcluster.Start(t, name, m.Bin, w.Args(), m.Env())
	w.WaitRegistered()
	return w
}

// WaitRegistered waits until the worker logs its registration (again,
// after a restart).
func (w *Worker) WaitRegistered() {
	w.M.T.Helper()
	if !w.Proc.WaitForLog(w.M.T, "registered with the primary master", 60*time.Second) {
		w.M.T.Fatalf("worker %s did not register; log %s", w.Name, w.Proc.LogPath())
	}
}

// Address is host:port of the worker's RPC service.
func (w *Worker) Address() string { return fmt.Sprintf("127.0.0.1:%d", w.RPCPort) }

// Metric reads one counter from the worker's /metrics page.
func (w *Worker) Metric(t testing.TB, name string) float64 {
	t.Helper()
	return w.M.metric(t, w.WebPort, w.Name, name)
}
