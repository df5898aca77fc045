package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// reportMetrics runs fsadmin report metrics and returns each line's
// metric (with its worker, if any) and value; sizes are converted back
// from Alluxio's 1.00MB form to bytes, to the precision printed.
func reportMetrics(t *testing.T, m *cluster.Master) map[string]float64 {
	t.Helper()
	out := m.Must("fsadmin", "report", "metrics")
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
	m := cluster.NewMaster(t)
	w := cluster.StartWorker(t, m, "worker", "64MB")
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

	src := filepath.Join(m.Dir, "src")
	if err := os.WriteFile(src, randomBytes(2<<20, 5), 0o644); err != nil {
		t.Fatal(err)
	}
	m.Must("fs", "mkdir", "/d")
	// THROUGH: to the under storage only; the first cat reads it from
	// there (and caches it), the second from the cache.
	m.Must("fs", "copyFromLocal", "-Dalluxio.user.file.writetype.default=THROUGH",
		"-Dalluxio.user.block.size.bytes.default=1MB", src, "/d/f")
	m.Must("fs", "touch", "/d/empty")
	for i := 0; i < 2; i++ {
		m.Must("fs", "cat", "-Dalluxio.user.short.circuit.enabled=false", "/d/f")
	}
	worker := "Worker.BlocksCached (" + w.Address() + ")"
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

// journalLines parses readJournal's output: one "sequence<TAB>entry" line
// per entry, sequences consecutive.
func journalLines(t *testing.T, out string) (first, last uint64, text string) {
	t.Helper()
	for i, l := range strings.Split(strings.TrimSpace(out), "\n") {
		seq, entry, ok := strings.Cut(l, "\t")
		n, err := strconv.ParseUint(seq, 10, 64)
		if !ok || err != nil || entry == "" {
			t.Fatalf("readJournal line %q is not sequence<TAB>entry:\n%s", l, out)
		}
		if i == 0 {
			first = n
		} else if n != last+1 {
			t.Fatalf("readJournal: sequence %d after %d:\n%s", n, last, out)
		}
		last = n
	}
	return first, last, out
}

// TestReadJournalUFS prints a running master's UFS journal.
func TestReadJournalUFS(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	m.Must("fs", "mkdir", "/rj")
	m.Must("fs", "touch", "/rj/f")
	first, last, text := journalLines(t, m.Must("readJournal"))
	if first != 1 || last < 4 || !strings.Contains(text, `"/rj"`) || !strings.Contains(text, `"/rj/f"`) {
		t.Fatalf("readJournal (sequences %d to %d) lacks the mkdir and touch:\n%s", first, last, text)
	}
	if f, l, _ := journalLines(t, m.Must("readJournal", "-start", "2", "-end", "3")); f != 2 || l != 2 {
		t.Fatalf("readJournal -start 2 -end 3 printed sequences %d to %d", f, l)
	}
}

// TestReadJournalEmbedded: readJournal on an embedded journal refuses while
// its master runs, naming it, and prints a stopped master's Raft log as
// journal entries numbered as the masters number them (after the newest
// snapshot).
func TestReadJournalEmbedded(t *testing.T) {
	t.Parallel()
	c := newEmbeddedCluster(t, 0)
	fs := c.Client(30 * time.Second)
	mkdirs := func(from, to int) {
		for i := from; i < to; i++ {
			if _, err := fs.CreateDirectory(t.Context(), "/e"+strconv.Itoa(i), client.CreateDirectoryOptions{WriteType: "MUST_CACHE"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	mkdirs(0, 20)
	m := c.WaitLeader()
	out, code := m.Run("readJournal")
	if code == 0 || !strings.Contains(out, "held by master "+embeddedAddr(t, m)+" (embedded journal)") || !strings.Contains(out, "stopped") {
		t.Fatalf("readJournal of a running embedded master: exit %d:\n%s", code, out)
	}
	// A snapshot on the leader, then entries after it.
	m.Must("fsadmin", "journal", "checkpoint")
	mkdirs(20, 25)
	c.Converge()
	d, err := m.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Proc.Stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	out = m.Must("readJournal")
	info, entries, _ := strings.Cut(out, "\n")
	if !strings.Contains(info, "snapshot (raft index") {
		t.Fatalf("readJournal does not say what its snapshot holds: %q", info)
	}
	first, last, text := journalLines(t, entries)
	if !strings.Contains(info, "holds the entries below sequence "+strconv.FormatUint(first, 10)+".") {
		t.Errorf("the first entry printed (%d) does not follow the snapshot: %q", first, info)
	}
	if last != d.Seq || strings.Contains(text, `"/e19"`) || !strings.Contains(text, `"/e20"`) || !strings.Contains(text, `"/e24"`) {
		t.Fatalf("readJournal printed sequences %d to %d (the master had applied %d); want the entries after the snapshot:\n%s", first, last, d.Seq, text)
	}
}

// TestGetConf prints resolved values and where they come from, on a
// master's configuration (the -D flags, its site file, the defaults).
func TestGetConf(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	if err := os.MkdirAll(filepath.Join(m.Dir, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	site := filepath.Join(m.Dir, "conf", "alluxio-site.properties")
	if err := os.WriteFile(site, []byte("# site\nalluxio.user.file.buffer.bytes=4MB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"getConf", "alluxio.master.rpc.port"}, strconv.Itoa(m.RPCPort)},
		{[]string{"getConf", "--source", "alluxio.master.journal.type"}, "UFS (-D)"},
		{[]string{"getConf", "--source", "alluxio.user.file.buffer.bytes"}, "4MB (file " + site + ":2)"},
		{[]string{"getConf", "--source", "alluxio.master.journal.folder"}, m.Dir + "/journal (default)"},
		{[]string{"getConf", "alluxio.zookeeper.session.timeout"}, "5s"},
	} {
		if got := strings.TrimSpace(m.Must(tt.args...)); got != tt.want {
			t.Errorf("alluxio %s = %q, want %q", strings.Join(tt.args, " "), got, tt.want)
		}
	}
	all := m.Must("getConf")
	for _, want := range []string{"alluxio.master.rpc.port=" + strconv.Itoa(m.RPCPort) + "\n", "alluxio.user.file.buffer.bytes=4MB\n"} {
		if !strings.Contains(all, want) {
			t.Errorf("alluxio getConf lacks %q", want)
		}
	}
	if out, code := m.Run("getConf", "alluxio.no.such.key"); code == 0 || !strings.Contains(out, "alluxio.no.such.key") {
		t.Errorf("getConf of an unknown key: exit %d: %s", code, out)
	}
}
