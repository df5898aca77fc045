package web

import (
	"net/http"
	"net/http/pprof"
)

// Pprof serves Go's profiles under /debug/pprof/ on mux. The processes
// call it only when alluxio.debug.pprof.enabled is true: a profile shows
// paths and arguments of running code, and a CPU profile costs CPU.
func Pprof(mux *http.ServeMux) {
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
}
