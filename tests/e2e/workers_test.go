package e2e

import (
	"bufio"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// worker is one worker process of a test cluster.
type worker struct {
	m       *master
	dir     string
	rpcPort int
	webPort int
	quota   string
	proc    *testcluster.Process
	name    string
}

func (w *worker) args() []string {
	return append([]string{"worker"}, append(w.m.defines(),
		"-Dalluxio.worker.hostname=127.0.0.1",
		"-Dalluxio.worker.rpc.port="+strconv.Itoa(w.rpcPort),
		"-Dalluxio.worker.web.port="+strconv.Itoa(w.webPort),
		"-Dalluxio.worker.tieredstore.levels=1",
		"-Dalluxio.worker.tieredstore.level0.alias=MEM",
		"-Dalluxio.worker.tieredstore.level0.dirs.path="+w.dir,
		"-Dalluxio.worker.tieredstore.level0.dirs.quota="+w.quota,
		"-Dalluxio.worker.block.heartbeat.interval=200ms",
	)...)
}

// startWorker starts a worker with a cache of quota bytes (Alluxio size
// syntax) and waits until the master lists it.
func startWorker(t testing.TB, m *master, name, quota string) *worker {
	t.Helper()
	return startWorkerIn(t, m, name, quota, filepath.Join(t.TempDir(), "mem"))
}

// startWorkerIn is startWorker with the memory tier in dir.
func startWorkerIn(t testing.TB, m *master, name, quota, dir string) *worker {
	t.Helper()
	ports := testcluster.FreePorts(t, 2)
	w := &worker{m: m, dir: dir, rpcPort: ports[0], webPort: ports[1], quota: quota, name: name}
	w.proc = testcluster.Start(t, name, m.bin, w.args(), m.env())
	w.waitRegistered()
	return w
}

func (w *worker) waitRegistered() {
	w.m.t.Helper()
	if !w.proc.WaitForLog(w.m.t, "registered with the primary master", 60*time.Second) {
		w.m.t.Fatalf("worker %s did not register; log %s", w.name, w.proc.LogPath())
	}
}

func (w *worker) address() string { return fmt.Sprintf("127.0.0.1:%d", w.rpcPort) }

// metric reads one counter from the worker's /metrics page.
func (w *worker) metric(t testing.TB, name string) float64 {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", w.webPort))
	if err != nil {
		t.Fatalf("metrics of %s: %v", w.name, err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name+" ") {
			v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, name)), 64)
			if err != nil {
				t.Fatalf("metric line %q: %v", line, err)
			}
			return v
		}
	}
	t.Fatalf("metric %s not found on %s", name, w.name)
	return 0
}
