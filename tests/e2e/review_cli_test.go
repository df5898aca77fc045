package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// reportMetrics runs fsadmin report metrics and returns each line's
// metric (with its worker, if any) and value; sizes are converted back
// from Alluxio's 1.00MB form to bytes, to the precision printed.
func reportMetrics(t *testing.T, m *master) map[string]float64 {
	t.Helper()
	out := m.must("fsadmin", "report", "metrics")
	line := regexp.MustCompile(`^(\S+(?: \(\S+\))?)  \(Type: (COUNTER|GAUGE), Value: (\S+)\)$`)
	got := map[string]float64{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		p := line.FindStringSubmatch(l)
		if p == nil {
			t.Fatalf("fsadmin report metrics: line %q is not a metric:\n%s", l, out)
		}
		got[p[1]] = parseSize(t, p[3])
	}
	return got
}

func parseSize(t *testing.T, v string) float64 {
	t.Helper()
	units := []struct {
		suffix string
		mul    float64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil {
				t.Fatalf("value %q: %v", v, err)
			}
			return f * u.mul
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("value %q: %v", v, err)
	}
	return f
}

// TestReportMetricsMove: fsadmin report metrics prints the primary's
// counters and the workers' (Alluxio's names), and they move with the
// reads and writes done.
func TestReportMetricsMove(t *testing.T) {
	t.Parallel()
	m := newMaster(t)
	w := startWorker(t, m, "worker", "64MB")
	before := reportMetrics(t, m)
	for _, name := range []string{"Master.FilesCreated", "Master.DirectoriesCreated", "Master.TotalPaths", "Master.JournalSequenceNumber",
		"Cluster.BytesReadAlluxio", "Cluster.BytesReadUfsAll", "Cluster.BytesWrittenUfsAll", "Cluster.Workers", "Cluster.CapacityTotal"} {
		if _, ok := before[name]; !ok {
			t.Errorf("fsadmin report metrics does not report %s", name)
		}
	}
	if before["Cluster.Workers"] != 1 || before["Cluster.CapacityTotal"] != 64<<20 {
		t.Errorf("workers %v, capacity %v; want 1 worker of 64MB", before["Cluster.Workers"], before["Cluster.CapacityTotal"])
	}

	src := filepath.Join(m.dir, "src")
	if err := os.WriteFile(src, randomBytes(2<<20, 5), 0o644); err != nil {
		t.Fatal(err)
	}
	m.must("fs", "mkdir", "/d")
	// THROUGH: to the under storage only; the first cat reads it from
	// there (and caches it), the second from the cache.
	m.must("fs", "copyFromLocal", "-Dalluxio.user.file.writetype.default=THROUGH",
		"-Dalluxio.user.block.size.bytes.default=1MB", src, "/d/f")
	m.must("fs", "touch", "/d/empty")
	for i := 0; i < 2; i++ {
		m.must("fs", "cat", "-Dalluxio.user.short.circuit.enabled=false", "/d/f")
	}
	worker := "Worker.BlocksCached (" + w.address() + ")"
	var after map[string]float64
	testcluster.WaitFor(t, 30*time.Second, 100*time.Millisecond, func() (bool, string) {
		after = reportMetrics(t, m)
		return after[worker] == 2 && after["Cluster.BytesReadAlluxio"] >= 2<<20, "metrics not yet heartbeated"
	})
	for _, c := range []struct {
		name string
		min  float64
	}{
		{"Master.FilesCreated", 2}, {"Master.FilesCompleted", 2}, {"Master.DirectoriesCreated", 1},
		{"Master.TotalPaths", 3}, {"Master.JournalSequenceNumber", 5},
		{"Cluster.BytesWrittenUfsAll", 2 << 20}, {"Cluster.BytesReadUfsAll", 2 << 20},
		{"Cluster.BytesReadAlluxio", 2 << 20}, {"Cluster.BlocksCached", 2},
	} {
		if d := after[c.name] - before[c.name]; d < c.min {
			t.Errorf("%s moved by %v (from %v to %v), want at least %v", c.name, d, before[c.name], after[c.name], c.min)
		}
	}
}
