package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// localCluster is one `alluxio local` with a home of its own, on free
// ports, with its memory tier where alluxio local puts it by default.
type localRun struct {
	t     *testing.T
	bin   string
	home  string
	proc  *testcluster.Process
	rpcs  string
	env   []string
	ready string // the "local cluster ready" log line
}

func startLocal(t *testing.T, name string) *localRun {
	t.Helper()
	ports := testcluster.FreePorts(t, 9)
	addrs := func(ps []int) string {
		var out []string
		for _, p := range ps {
			out = append(out, "localhost:"+strconv.Itoa(p))
		}
		return strings.Join(out, ",")
	}
	l := &localRun{t: t, bin: testcluster.Binary(t), home: t.TempDir(), rpcs: addrs(ports[0:3])}
	l.env = []string{"HOME=" + l.home, "ALLUXIO_CONF_DIR=" + filepath.Join(l.home, "conf")}
	defs := []string{
		"-Dalluxio.master.rpc.addresses=" + l.rpcs,
		"-Dalluxio.master.embedded.journal.addresses=" + addrs(ports[3:6]),
		"-Dalluxio.master.web.port=0",
		"-Dalluxio.worker.rpc.port=" + strconv.Itoa(ports[6]), "-Dalluxio.worker.web.port=" + strconv.Itoa(ports[7]),
		"-Dalluxio.worker.tieredstore.level0.dirs.quota=64MB",
		"-Dalluxio.proxy.web.port=" + strconv.Itoa(ports[8]),
	}
	l.proc = testcluster.Start(t, name, l.bin, append([]string{"local"}, defs...), l.env)
	if !l.proc.WaitForLog(t, "local cluster ready", 90*time.Second) {
		t.Fatalf("alluxio local (%s) did not start; log %s", name, l.proc.LogPath())
	}
	for _, line := range strings.Split(l.proc.Output(), "\n") {
		if strings.Contains(line, "local cluster ready") {
			l.ready = line
		}
	}
	return l
}

// memoryTier is the memory tier the cluster says it uses.
func (l *localRun) memoryTier() string {
	m := regexp.MustCompile(`memory_tier=(\S+)`).FindStringSubmatch(l.ready)
	if m == nil {
		l.t.Fatalf("no memory tier in %q", l.ready)
	}
	return m[1]
}

func (l *localRun) run(args ...string) (string, error) {
	cmd := exec.Command(l.bin, append(args, "-Dalluxio.master.rpc.addresses="+l.rpcs)...)
	cmd.Env = append(os.Environ(), l.env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestTwoLocalClustersKeepTheirBlocks: two `alluxio local` of two homes
// each keep their memory tier, so the second does not drop the first's
// blocks as orphans, and a worker pointed at a tier in use is refused with
// the holder's name.
func TestTwoLocalClustersKeepTheirBlocks(t *testing.T) {
	t.Parallel()
	a := startLocal(t, "localA")
	t.Cleanup(func() { os.RemoveAll(a.memoryTier()) })
	src := filepath.Join(a.home, "data")
	data := string(randomBytes(3<<20, 11))
	if err := os.WriteFile(src, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	// Only in the cache: losing the blocks loses the file.
	if out, err := a.run("fs", "copyFromLocal", "-Dalluxio.user.file.writetype.default=MUST_CACHE", src, "/only-cached"); err != nil {
		t.Fatalf("copyFromLocal: %v\n%s", err, out)
	}
	b := startLocal(t, "localB")
	t.Cleanup(func() { os.RemoveAll(b.memoryTier()) })
	if a.memoryTier() == b.memoryTier() {
		t.Fatalf("both local clusters use memory tier %s", a.memoryTier())
	}
	// B's worker has registered (ready); A's blocks must all be there.
	if out, err := a.run("fs", "cat", "/only-cached"); err != nil || out != data {
		t.Fatalf("cluster A's cached file after cluster B started: %v (%d bytes)", err, len(out))
	}

	// A worker of its own on A's memory tier is refused, naming A's worker.
	ports := testcluster.FreePorts(t, 2)
	w := exec.Command(a.bin, "worker", "-Dalluxio.master.rpc.addresses="+a.rpcs,
		"-Dalluxio.worker.hostname=localhost", "-Dalluxio.worker.rpc.port="+strconv.Itoa(ports[0]),
		"-Dalluxio.worker.web.port="+strconv.Itoa(ports[1]),
		"-Dalluxio.worker.tieredstore.level0.dirs.path="+a.memoryTier(), "-Dalluxio.worker.tieredstore.level0.dirs.quota=64MB")
	w.Env = append(os.Environ(), "HOME="+t.TempDir(), "ALLUXIO_CONF_DIR="+t.TempDir())
	done := make(chan []byte, 1)
	go func() { out, _ := w.CombinedOutput(); done <- out }()
	select {
	case out := <-done:
		if !strings.Contains(string(out), "belongs to another worker") || !strings.Contains(string(out), "held by worker localhost:") {
			t.Fatalf("a second worker on a memory tier in use:\n%s", out)
		}
	case <-time.After(60 * time.Second):
		w.Process.Kill()
		<-done
		t.Fatal("a second worker on a memory tier in use kept running")
	}
	if out, err := a.run("fs", "cat", "/only-cached"); err != nil || out != data {
		t.Fatalf("cluster A's cached file after the refused worker: %v", err)
	}

	// The masters' journals cannot be mounted (and so not removed with
	// rm -R), neither the work dir that holds them.
	journal := filepath.Join(a.home, ".alluxio", "local", "journal")
	// master2's folder is the leader's own journal when master2 leads, and
	// inside its peers' journals otherwise: either refusal is right.
	for ufs, why := range map[string][]string{
		filepath.Join(journal, "master2"): {"is inside the journals of the local masters", "holds the journal (alluxio.master.journal.folder)"},
		journal:                           {"holds the journal"},
		filepath.Join(a.home, ".alluxio", "local"): {"is a prefix of"},
	} {
		out, err := a.run("fs", "mount", "/j", ufs)
		said := false
		for _, w := range why {
			said = said || strings.Contains(out, w)
		}
		if err == nil || !said {
			t.Errorf("mount of %s in alluxio local: %v, want a refusal saying one of %q:\n%s", ufs, err, why, out)
		}
	}

	// Every master printed its web port, and answers on it.
	for i := 0; i < 3; i++ {
		m := regexp.MustCompile(fmt.Sprintf(`master%d listening"[^\n]* web=\S*:(\d+)`, i)).FindStringSubmatch(a.proc.Output())
		if m == nil {
			t.Fatalf("master%d's web port is not in the log", i)
		}
		resp, err := http.Get("http://127.0.0.1:" + m[1] + "/healthz")
		if err != nil {
			t.Fatalf("master%d's printed web port %s: %v", i, m[1], err)
		}
		var h cluster.Health
		err = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if err != nil || h.Role == "" {
			t.Fatalf("master%d's /healthz: %+v, %v", i, h, err)
		}
	}
	for _, l := range []*localRun{b, a} {
		if err := l.proc.Stop(30 * time.Second); err != nil {
			t.Errorf("alluxio local did not stop cleanly: %v", err)
		}
	}
}
