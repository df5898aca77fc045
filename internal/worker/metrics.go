package worker

import (
	"encoding/json"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/web"
)

// metrics are the worker's Prometheus metrics. The cache/UFS byte counters
// are how an operator (and the tests) tell cache hits from under storage
// reads.
type metrics struct {
	reg          *prometheus.Registry
	cacheRead    prometheus.Counter
	ufsRead      prometheus.Counter
	cacheWritten prometheus.Counter
	ufsWritten   prometheus.Counter
	shortCircuit prometheus.Counter
	// capabilityRefused counts requests refused for a missing, forged,
	// expired or misdirected block capability.
	capabilityRefused prometheus.Counter
	// streamsCut counts streams ended because their capability expired;
	// streamsRenewed, renewed capabilities write streams went on with.
	streamsCut     prometheus.Counter
	streamsRenewed prometheus.Counter
	corrupt        prometheus.Counter
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	counter := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: "alluxio", Subsystem: "worker", Name: name, Help: help})
		m.reg.MustRegister(c)
		return c
	}
	m.cacheRead = counter("bytes_read_cache_total", "Bytes served to clients from cached blocks over the network.")
	m.ufsRead = counter("bytes_read_ufs_total", "Bytes read from the under storage.")
	m.cacheWritten = counter("bytes_written_cache_total", "Bytes written into cached blocks.")
	m.ufsWritten = counter("bytes_written_ufs_total", "Bytes written to the under storage.")
	m.shortCircuit = counter("short_circuit_opens_total", "Blocks opened for direct reads by local clients.")
	m.capabilityRefused = counter("capability_refused_total", "Block requests refused for a missing, forged, expired or misdirected capability.")
	m.streamsCut = counter("capability_streams_cut_total", "Block streams ended because the capability they were opened (or last renewed) with expired.")
	m.streamsRenewed = counter("capability_stream_renewals_total", "Renewed capabilities that open write streams went on with.")
	m.corrupt = counter("corrupt_blocks_total", "Cached blocks found damaged and dropped.")
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "alluxio", Subsystem: "worker", Name: "blocks_cached",
		Help: "Blocks in the cache."}, func() float64 {
		if s.store == nil {
			return 0
		}
		return float64(len(s.store.Blocks()))
	}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "alluxio", Subsystem: "worker", Name: "protected_files",
		Help: "Files whose blocks are kept from eviction (pinned, or not yet persisted), as of the last heartbeat."},
		func() float64 { return float64(s.protect.fromMaster()) }))
	m.reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// alluxio is what the worker reports in each heartbeat, under Alluxio's
// names; the master sums them into the Cluster.* metrics.
func (m *metrics) alluxio(s *Server) map[string]float64 {
	out := map[string]float64{
		"Worker.BytesReadAlluxio":    counterValue(m.cacheRead),
		"Worker.BytesReadUfsAll":     counterValue(m.ufsRead),
		"Worker.BytesWrittenAlluxio": counterValue(m.cacheWritten),
		"Worker.BytesWrittenUfsAll":  counterValue(m.ufsWritten),
	}
	if s.store != nil {
		out["Worker.BlocksCached"] = float64(len(s.store.Blocks()))
	}
	return out
}

func counterValue(c prometheus.Counter) float64 {
	var d dto.Metric
	if err := c.Write(&d); err != nil {
		return 0
	}
	return d.GetCounter().GetValue()
}

// webHandler serves the web port; the UI acts for the user auth finds in
// each request (security.Authenticator.IdentifyHTTP).
func (s *Server) webHandler(auth *security.Authenticator) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"status": "ok", "address": s.cfg.Address(), "worker_id": s.id.get()})
	})
	if s.cfg.PprofEnabled {
		web.Pprof(mux)
	}
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.Handle("/", auth.HTTPHandler(s.cfg.Security.WebUser, web.WorkerHandler(webView{s})))
	return mux
}
