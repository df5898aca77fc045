package master

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/web"
)

// metrics are the master's Prometheus metrics, in a registry of its own so
// several masters can live in one test process.
type metrics struct {
	reg   *prometheus.Registry
	calls *prometheus.CounterVec
	lat   *prometheus.HistogramVec
	// ops are the same calls under Alluxio's metric names.
	ops opCounters
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.calls = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "alluxio", Subsystem: "master",
		Name: "rpc_total", Help: "RPCs served, by method and outcome."}, []string{"method", "code"})
	m.lat = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "alluxio", Subsystem: "master",
		Name: "rpc_seconds", Help: "RPC latency by method.", Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10)},
		[]string{"method"})
	gauge := func(name, help string, f func() float64) {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "alluxio", Subsystem: "master", Name: name, Help: help}, f))
	}
	gauge("inodes", "Files and directories in the namespace.", func() float64 { return float64(s.st.InodeCount()) })
	gauge("journal_last_applied_sequence", "Sequence of the last journal entry applied.", func() float64 { return float64(s.st.LastSequence()) })
	gauge("ufs_operations_pending", "Under storage changes committed and not carried out yet.", func() float64 {
		n := 0
		for _, c := range s.st.PendingByMount() {
			n += c
		}
		return float64(n)
	})
	counter := func(name, help string, f func() float64) {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "alluxio", Subsystem: "master", Name: name, Help: help}, f))
	}
	counter("ufs_operations_done_total", "Under storage changes this master carried out.", func() float64 { return float64(s.fs.intents.done.Load()) })
	counter("ufs_operations_retried_total", "Attempts of under storage changes the store refused for now.", func() float64 { return float64(s.fs.intents.retried.Load()) })
	counter("ufs_operations_failed_total", "Under storage changes journaled failed for good.", func() float64 { return float64(s.fs.intents.failed.Load()) })
	counter("ufs_unpublished_dropped_total", "Unpublished under storage copies this master's sweeps and refused completions proposed to remove.",
		func() float64 { return float64(s.fs.sweeps.proposed.Load()) })
	counter("ufs_cleanup_removed_total", "Unfinished writes of dead writers the under storages' own cleanup removed on this master.",
		func() float64 { return float64(s.fs.sweeps.cleaned.Load()) })
	if fl, ok := s.jr.(journal.Flusher); ok {
		counter("journal_flushes_total", "Writes that made journal entries durable (an fsync of the UFS journal, a log append of the embedded journal): entries per flush is the group commit at work.",
			func() float64 { return float64(fl.Flushes()) })
	}
	gauge("is_primary", "1 while this master is the primary.", func() float64 {
		if s.primary.Load() {
			return 1
		}
		return 0
	})
	m.reg.MustRegister(m.calls, m.lat, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(method string, start time.Time, err error) {
	method = method[strings.LastIndexByte(method, '/')+1:]
	code := "OK"
	if err != nil {
		code = errs.Code(err)
	}
	m.calls.WithLabelValues(method, code).Inc()
	m.ops.count(method, err == nil)
	m.lat.WithLabelValues(method).Observe(time.Since(start).Seconds())
}

// webHandler serves the web port; the UI's pages act for the user auth
// finds in each request (security.Authenticator.IdentifyHTTP), with the
// permission checks of the RPC paths.
func (s *Server) webHandler(auth *security.Authenticator) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		info := s.jr.Info()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"status": "ok", "role": info.Role, "address": s.cfg.RPCAddress(), "epoch": info.Epoch,
			"last_applied_sequence": info.LastApplied, "leader": s.leaderHint(),
		})
	})
	// /debug/state lets operators (and tests) compare masters: equal
	// sequences must come with equal digests.
	mux.HandleFunc("/debug/state", func(w http.ResponseWriter, r *http.Request) {
		seq, inodes, sum := s.st.Digest()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"last_applied_sequence": seq, "inodes": inodes, "digest": sum})
	})
	if s.cfg.PprofEnabled {
		web.Pprof(mux)
	}
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.Handle("/", auth.HTTPHandler(s.cfg.Security.WebUser, web.MasterHandler(s.view)))
	return mux
}
