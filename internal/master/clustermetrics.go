package master

import (
	"context"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/web"
)

// opCounters are the master's operation counters under Alluxio's names:
// each call of a method counts as one <Op>Ops, and a successful one also
// as its result (Master.CreateFileOps and Master.FilesCreated). They
// count what this master served since it started, as Alluxio's do.
type opCounters struct {
	mu sync.Mutex
	n  map[string]float64
}

// opNames maps a gRPC method to its Alluxio counters: attempts, successes.
var opNames = map[string][2]string{
	"CreateFile":      {"Master.CreateFileOps", "Master.FilesCreated"},
	"CompleteFile":    {"Master.CompleteFileOps", "Master.FilesCompleted"},
	"CreateDirectory": {"Master.CreateDirectoryOps", "Master.DirectoriesCreated"},
	"Remove":          {"Master.DeletePathOps", "Master.PathsDeleted"},
	"Rename":          {"Master.RenamePathOps", "Master.PathsRenamed"},
	"SetAttribute":    {"Master.SetAttributeOps", ""},
	"Mount":           {"Master.MountOps", "Master.PathsMounted"},
	"Unmount":         {"Master.UnmountOps", "Master.PathsUnmounted"},
	"GetStatus":       {"Master.GetFileInfoOps", "Master.FileInfosGot"},
	"ListStatus":      {"Master.ListStatusOps", ""},
	"Free":            {"Master.FreeFileOps", "Master.FilesFreed"},
}

func (c *opCounters) count(method string, ok bool) {
	names, known := opNames[method]
	if !known {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]float64{}
	}
	c.n[names[0]]++
	if ok && names[1] != "" {
		c.n[names[1]]++
	}
}

// snapshot lists every counter, zero for methods not called yet.
func (c *opCounters) snapshot() map[string]float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]float64{}
	for _, names := range opNames {
		for _, n := range names {
			if n != "" {
				out[n] = c.n[n]
			}
		}
	}
	return out
}

// workerToCluster maps the counters workers report to the cluster totals
// Alluxio shows.
var workerToCluster = map[string]string{
	"Worker.BytesReadAlluxio":    "Cluster.BytesReadAlluxio",
	"Worker.BytesReadUfsAll":     "Cluster.BytesReadUfsAll",
	"Worker.BytesWrittenAlluxio": "Cluster.BytesWrittenAlluxio",
	"Worker.BytesWrittenUfsAll":  "Cluster.BytesWrittenUfsAll",
	"Worker.BlocksCached":        "Cluster.BlocksCached",
}

// GetMetrics answers fsadmin report metrics from the primary: its own
// counters and gauges, the sums over live workers, and each worker's.
func (m *metaService) GetMetrics(ctx context.Context, _ *pb.GetMetricsRequest) (*pb.GetMetricsResponse, error) {
	if err := m.s.jr.CheckPrimary(ctx); err != nil {
		return nil, err
	}
	var out []*pb.Metric
	for _, mt := range m.s.alluxioMetrics() {
		out = append(out, &pb.Metric{Name: mt.Name, Type: mt.Type, Value: mt.Value, Worker: mt.Labels["worker"]})
	}
	return &pb.GetMetricsResponse{Metrics: out}, nil
}

// alluxioMetrics are this master's metrics under Alluxio's names, sorted
// by name then worker: its own counters and gauges, and on the primary
// the sums over live workers (Cluster.*) and each worker's (Worker.*,
// labelled with the worker's address).
func (s *Server) alluxioMetrics() []web.Metric {
	var out []web.Metric
	add := func(name, typ string, v float64, worker string) {
		mt := web.Metric{Name: name, Type: typ, Value: v}
		if worker != "" {
			mt.Labels = map[string]string{"worker": worker}
		}
		out = append(out, mt)
	}
	for name, v := range s.metrics.ops.snapshot() {
		add(name, "COUNTER", v, "")
	}
	files, dirs := s.st.Counts()
	add("Master.TotalPaths", "GAUGE", float64(files+dirs), "")
	add("Master.JournalSequenceNumber", "GAUGE", float64(s.st.LastSequence()), "")
	if s.primary.Load() {
		s.clusterMetrics(add)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Labels["worker"] < out[j].Labels["worker"]
	})
	return out
}

// clusterMetrics adds the primary's view of the workers.
func (s *Server) clusterMetrics(add func(name, typ string, v float64, worker string)) {
	cluster := map[string]float64{}
	for _, c := range workerToCluster {
		cluster[c] = 0
	}
	var workers, lost, capacity, used float64
	b := s.blocks
	b.mu.Lock()
	for _, w := range b.workers {
		if w.lost {
			lost++
			continue
		}
		workers++
		addr := net.JoinHostPort(w.addr.GetHost(), strconv.Itoa(int(w.addr.GetRpcPort())))
		for name, v := range w.metrics {
			if c, ok := workerToCluster[name]; ok {
				cluster[c] += v
			}
			if strings.HasPrefix(name, "Worker.") {
				add(name, workerMetricType(name), v, addr)
			}
		}
		for _, t := range w.tiers {
			capacity += float64(t.CapacityBytes)
			used += float64(t.UsedBytes)
		}
	}
	b.mu.Unlock()
	for name, v := range cluster {
		add(name, workerMetricType(name), v, "")
	}
	add("Cluster.Workers", "GAUGE", workers, "")
	add("Cluster.LostWorkers", "GAUGE", lost, "")
	add("Cluster.CapacityTotal", "GAUGE", capacity, "")
	add("Cluster.CapacityUsed", "GAUGE", used, "")
	add("Cluster.CapacityFree", "GAUGE", capacity-used, "")
}

// workerMetricType: the block counts are gauges, the byte counts counters.
func workerMetricType(name string) string {
	if strings.HasSuffix(name, "BlocksCached") || strings.Contains(name, "Capacity") {
		return "GAUGE"
	}
	return "COUNTER"
}
