package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// masterInfo is what this test reads of /api/v1/master/info: the fields
// the Overview page shows, under Alluxio's JSON names.
type masterInfo struct {
	ClusterID   string `json:"clusterId"`
	RPCAddress  string `json:"rpcAddress"`
	Role        string `json:"role"`
	Leader      string `json:"leaderAddress"`
	LeaderWeb   string `json:"leaderWebAddress"`
	JournalType string `json:"journalType"`
	Version     string `json:"version"`
	UptimeMs    int64  `json:"uptimeMs"`
	Masters     []struct {
		Address     string `json:"address"`
		WebAddress  string `json:"webAddress"`
		Role        string `json:"role"`
		LastApplied uint64 `json:"lastAppliedSequence"`
		Lag         int64  `json:"lag"`
	} `json:"masters"`
	Files        int  `json:"files"`
	Directories  int  `json:"directories"`
	Cluster      bool `json:"clusterKnown"`
	Capacity     struct{ Total, Used int64 }
	TierCapacity []struct {
		Alias       string `json:"alias"`
		Total, Used int64
	} `json:"tierCapacity"`
	LiveWorkers int `json:"liveWorkers"`
	LostWorkers int `json:"lostWorkers"`
	Workers     []struct {
		ID      int64  `json:"id"`
		Address string `json:"address"`
		State   string `json:"state"`
		Blocks  int64  `json:"blockCount"`
	} `json:"workers"`
	MountPoints []struct {
		AlluxioPath string `json:"alluxioPath"`
		UfsURI      string `json:"ufsUri"`
	} `json:"mountPoints"`
}

// workerInfo is what this test reads of /api/v1/worker/info.
type workerInfo struct {
	Address      string `json:"rpcAddress"`
	ID           int64  `json:"id"`
	Version      string `json:"version"`
	TierCapacity []struct {
		Alias       string `json:"alias"`
		Total, Used int64
	} `json:"tierCapacity"`
	Blocks  int      `json:"blockCount"`
	Masters []string `json:"masters"`
}

// getBody GETs a loopback URL and returns its body and Content-Type; a
// status other than 200 is an error.
func getBody(url string) (string, string, error) {
	cl := http.Client{Timeout: 10 * time.Second}
	resp, err := cl.Get(url)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	return string(b), resp.Header.Get("Content-Type"), err
}

// getJSON GETs url and decodes its JSON into v (the API may carry more
// fields than a test reads).
func getJSON(url string, v any) error {
	body, ct, err := getBody(url)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("GET %s: Content-Type %q", url, ct)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		return fmt.Errorf("GET %s: %v\n%s", url, err, body)
	}
	return nil
}

// promSample is one series of /metrics/prometheus/: a name and, for the
// per-worker series, the worker's address.
type promSample struct{ name, worker string }

// getPrometheus GETs a /metrics/prometheus/ page and parses it with
// Prometheus's own text parser, under the classic name rules (a name
// with a dot, as Alluxio's names have before its sink rewrites them,
// is refused).
func getPrometheus(url string) (map[promSample]float64, error) {
	body, ct, err := getBody(url)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		return nil, fmt.Errorf("GET %s: Content-Type %q", url, ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("GET %s: not Prometheus's text format: %v\n%s", url, err, body)
	}
	out := map[promSample]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			s := promSample{name: name}
			for _, l := range m.GetLabel() {
				if l.GetName() == "worker" {
					s.worker = l.GetValue()
				}
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[s] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[s] = m.GetGauge().GetValue()
			default:
				return nil, fmt.Errorf("%s: %s is a %s, want a counter or a gauge", url, name, f.GetType())
			}
		}
	}
	return out, nil
}

// TestWebJSONAndPrometheusEndpoints reads Alluxio's REST and metric
// endpoints of a running 3-master cluster with a worker, after a file is
// written and read: /api/v1/master/info on the leader and on a standby,
// /api/v1/worker/info, and /metrics/prometheus/ of each, whose values
// must agree with each other, with the CLI and with what was done.
func TestWebJSONAndPrometheusEndpoints(t *testing.T) {
	c := newEmbeddedCluster(t, 1)
	leader := c.WaitLeader()

	// 3 MiB written to the under storage only, in 1 MiB blocks; the first
	// cat reads it from there (and caches its 3 blocks), the second from
	// the worker over the network.
	const size, blocks = 3 << 20, 3
	src := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(src, randomBytes(size, 17), 0o644); err != nil {
		t.Fatal(err)
	}
	leader.Must("fs", "mkdir", "/api/dir")
	leader.Must("fs", "copyFromLocal", "-Dalluxio.user.file.writetype.default=THROUGH",
		"-Dalluxio.user.block.size.bytes.default=1MB", src, "/api/dir/f")
	for i := 0; i < 2; i++ {
		leader.Must("fs", "cat", "-Dalluxio.user.short.circuit.enabled=false", "/api/dir/f")
	}
	count := strings.Fields(strings.Split(strings.TrimSpace(leader.Must("fs", "count", "/")), "\n")[1])

	// The worker heartbeats its blocks and counters to the leader, and
	// the standbys catch up; a loaded machine may also elect another
	// leader meanwhile, which then learns the workers' counters from
	// their next heartbeats. So the whole check is retried until it holds
	// for one leader throughout.
	testcluster.WaitFor(t, 90*time.Second, 300*time.Millisecond, func() (bool, string) {
		leader := c.WaitLeader()
		msg := checkEndpoints(t, c, leader, count, size, blocks)
		if msg == "" && leader.Health().Role != "PRIMARY" {
			msg = "the leader changed during the check"
		}
		return msg == "", msg
	})
}

// checkEndpoints is one pass of TestWebJSONAndPrometheusEndpoints over
// the endpoints, with leader as the leader; it says what does not hold
// yet, "" when everything does.
func checkEndpoints(t *testing.T, c *cluster.HA, leader *cluster.Master, count []string, size, blocks float64) string {
	w := c.Workers[0]
	mweb := func(m *cluster.Master) string { return fmt.Sprintf("http://127.0.0.1:%d", m.WebPort) }
	wweb := fmt.Sprintf("http://127.0.0.1:%d", w.WebPort)
	leaderAddr := fmt.Sprintf("127.0.0.1:%d", leader.RPCPort)
	leaderWeb := fmt.Sprintf("127.0.0.1:%d", leader.WebPort)

	prom, err := getPrometheus(mweb(leader) + "/metrics/prometheus/")
	if err != nil {
		return err.Error()
	}
	if v := prom[promSample{"Worker_BlocksCached", w.Address()}]; v != blocks {
		return fmt.Sprintf("the leader's Worker_BlocksCached{worker=%q} is %v, want %v", w.Address(), v, blocks)
	}
	for _, c := range []struct {
		name string
		min  float64
	}{
		{"Master_TotalPaths", 4}, // /, /api, /api/dir, /api/dir/f
		{"Master_JournalSequenceNumber", 4},
		{"Cluster_BytesReadAlluxio", size}, {"Cluster_BytesReadUfsAll", size}, {"Cluster_BytesWrittenUfsAll", size},
		{"Cluster_BlocksCached", blocks}, {"Cluster_Workers", 1}, {"Cluster_CapacityTotal", 64 << 20},
	} {
		if v, ok := prom[promSample{c.name, ""}]; !ok || v < c.min {
			return fmt.Sprintf("the leader's /metrics/prometheus/: %s is %v (present %v), want at least %v", c.name, v, ok, c.min)
		}
	}
	// Each master counts the calls it served since it started, as
	// Alluxio's do: over all of them, the mkdir and the file's create.
	created := map[string]float64{}
	for _, m := range c.Masters {
		mp, err := getPrometheus(mweb(m) + "/metrics/prometheus/")
		if err != nil {
			return err.Error()
		}
		for _, n := range []string{"Master_FilesCreated", "Master_FilesCompleted", "Master_DirectoriesCreated"} {
			created[n] += mp[promSample{n, ""}]
		}
		if m != leader && mp[promSample{"Cluster_Workers", ""}] != 0 {
			return "a standby reports Cluster_Workers"
		}
	}
	for n, v := range created {
		if v < 1 {
			return fmt.Sprintf("%s over the masters is %v, want at least 1", n, v)
		}
	}

	// The standbys catch up: each one's lag is the leader's sequence less
	// its own, and reaches 0 once the writes are applied everywhere.
	var info masterInfo
	if err := getJSON(mweb(leader)+"/api/v1/master/info", &info); err != nil {
		return err.Error()
	}
	var leaderSeq uint64
	roles := map[string]int{}
	for _, m := range info.Masters {
		roles[m.Role]++
		if m.Role == "PRIMARY" {
			leaderSeq = m.LastApplied
		}
		if m.WebAddress == "" {
			t.Fatalf("master %s has no web address: %+v", m.Address, info.Masters)
		}
	}
	if len(info.Masters) != 3 || roles["PRIMARY"] != 1 || roles["STANDBY"] != 2 {
		return fmt.Sprintf("masters: %+v", info.Masters)
	}
	for _, m := range info.Masters {
		if m.LastApplied <= leaderSeq && m.Lag != int64(leaderSeq)-int64(m.LastApplied) {
			t.Fatalf("master %s: lag %d, but it applied %d of the leader's %d", m.Address, m.Lag, m.LastApplied, leaderSeq)
		}
		if m.Lag != 0 {
			return fmt.Sprintf("master %s lags %d entries", m.Address, m.Lag)
		}
	}
	if info.Role != "PRIMARY" || info.RPCAddress != leaderAddr || info.Leader != leaderAddr || info.LeaderWeb != leaderWeb ||
		len(info.ClusterID) != 36 || info.JournalType != "EMBEDDED" || info.Version == "" || info.UptimeMs <= 0 || !info.Cluster {
		return fmt.Sprintf("the leader's info: %+v", info)
	}
	if fmt.Sprint(info.Files) != count[0] || fmt.Sprint(info.Directories) != count[1] {
		t.Fatalf("the info counts %d files and %d directories; fs count / says %v", info.Files, info.Directories, count)
	}
	if v := prom[promSample{"Master_TotalPaths", ""}]; v != float64(info.Files+info.Directories) {
		t.Fatalf("Master_TotalPaths is %v; the info counts %d files and %d directories", v, info.Files, info.Directories)
	}
	if info.LiveWorkers != 1 || info.LostWorkers != 0 || len(info.Workers) != 1 || info.Workers[0].Address != w.Address() ||
		info.Workers[0].State != "LIVE" || float64(info.Workers[0].Blocks) != blocks {
		return fmt.Sprintf("workers in the info: live %d, lost %d, %+v", info.LiveWorkers, info.LostWorkers, info.Workers)
	}
	if len(info.TierCapacity) != 1 || info.TierCapacity[0].Alias != "MEM" || info.TierCapacity[0].Total != 64<<20 ||
		float64(info.TierCapacity[0].Used) < size || info.Capacity.Total != 64<<20 || info.Capacity.Used != info.TierCapacity[0].Used {
		return fmt.Sprintf("capacity in the info: %+v, tiers %+v", info.Capacity, info.TierCapacity)
	}
	if len(info.MountPoints) == 0 || info.MountPoints[0].AlluxioPath != "/" || info.MountPoints[0].UfsURI == "" {
		t.Fatalf("mount points in the info: %+v", info.MountPoints)
	}

	// A standby knows its own role, position and the leader; the cluster's
	// workers and capacity are the leader's to tell.
	standby := c.Others(leader)[0]
	var sinfo masterInfo
	if err := getJSON(mweb(standby)+"/api/v1/master/info", &sinfo); err != nil {
		return err.Error()
	}
	if sinfo.Role != "STANDBY" || sinfo.Leader != leaderAddr || sinfo.LeaderWeb != leaderWeb || sinfo.ClusterID != info.ClusterID ||
		sinfo.Cluster || sinfo.LiveWorkers != 0 || len(sinfo.Workers) != 0 || len(sinfo.Masters) != 3 ||
		sinfo.Files != info.Files || sinfo.Directories != info.Directories {
		return fmt.Sprintf("the standby's info: %+v; the leader's: %+v", sinfo, info)
	}

	// The worker's own view.
	var winfo workerInfo
	if err := getJSON(wweb+"/api/v1/worker/info", &winfo); err != nil {
		return err.Error()
	}
	if winfo.Address != w.Address() || winfo.ID != info.Workers[0].ID || float64(winfo.Blocks) != blocks || winfo.Version != info.Version ||
		len(winfo.Masters) != 3 || len(winfo.TierCapacity) != 1 || winfo.TierCapacity[0].Alias != "MEM" ||
		winfo.TierCapacity[0].Total != 64<<20 || float64(winfo.TierCapacity[0].Used) < size {
		return fmt.Sprintf("the worker's info: %+v (the leader knows it as id %d)", winfo, info.Workers[0].ID)
	}
	wprom, err := getPrometheus(wweb + "/metrics/prometheus/")
	if err != nil {
		return err.Error()
	}
	for name, want := range map[string]float64{"Worker_BlocksCached": blocks, "Worker_BytesReadUfsAll": size,
		"Worker_BytesReadAlluxio": size, "Worker_BytesWrittenUfsAll": size} {
		if v := wprom[promSample{name, ""}]; v < want || name == "Worker_BlocksCached" && v != want {
			t.Fatalf("the worker's /metrics/prometheus/: %s is %v, want %v", name, v, want)
		}
	}

	// fsadmin report metrics prints the leader's metrics under the same
	// names (dots where Prometheus has underscores). Nothing is read or
	// written now, so they stand still; sizes are printed rounded.
	report := reportMetrics(t, leader)
	prom, err = getPrometheus(mweb(leader) + "/metrics/prometheus/")
	if err != nil {
		return err.Error()
	}
	for _, name := range []string{"Master.FilesCreated", "Master.TotalPaths", "Master.JournalSequenceNumber", "Cluster.BytesReadAlluxio",
		"Cluster.BytesReadUfsAll", "Cluster.BlocksCached", "Worker.BlocksCached (" + w.Address() + ")"} {
		key := promSample{name: strings.ReplaceAll(name, ".", "_")}
		if base, addr, ok := strings.Cut(name, " ("); ok {
			key = promSample{strings.ReplaceAll(base, ".", "_"), strings.TrimSuffix(addr, ")")}
		}
		got, ok := report[name]
		want := prom[key]
		if !ok || math.Abs(got-want) > want/100 {
			return fmt.Sprintf("fsadmin report metrics: %s is %v (present %v); /metrics/prometheus/ says %v", name, got, ok, want)
		}
	}
	return ""
}
