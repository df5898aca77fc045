package web

import (
	"context"
	"net/http"
	"sort"
	"strconv"

	"github.com/alluxio-go/alluxio/internal/fspath"
)

// Worker is what the worker's pages read. The worker process implements
// it; calls come from HTTP handlers' goroutines, several at once.
type Worker interface {
	// Status describes the worker: its tiers, their usage, its blocks.
	Status(ctx context.Context) (*WorkerStatus, error)
	// Blocks lists the blocks in its cache.
	Blocks() []CachedBlock
	// File asks the leader about the file at path, for the user ctx
	// carries (security.FromContext): a caller the master would not show
	// the file gets its refusal (errs.ErrPermission).
	File(ctx context.Context, path string) (*FileRef, error)
	// Metrics lists the worker's metrics under Alluxio's names.
	Metrics() []Metric
	// Config and LogFile are as for Master.
	Config() []Property
	LogFile() string
}

// maxBlockRows bounds the block list of the Blocks page.
const maxBlockRows = 1000

var workerNav = []navItem{{"/", "Overview"}, {"/blocks", "Blocks"}, {"/config", "Configuration"}, {"/metrics/", "Metrics"}, {"/logs", "Logs"}}

// WorkerHandler serves the worker's web UI and its JSON info.
func WorkerHandler(wk Worker) http.Handler {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, r *http.Request, tmpl, title string, data any) {
		render(w, tmpl, frame{Product: "Alluxio Worker", Title: title, Nav: workerNav, Path: r.URL.Path, User: requestUser(r), Data: data})
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		st, err := wk.Status(r.Context())
		if err != nil {
			renderError(w, r, workerNav, "Alluxio Worker", err)
			return
		}
		page(w, r, "worker", "Overview", st)
	})
	mux.HandleFunc("GET /api/v1/worker/info", func(w http.ResponseWriter, r *http.Request) {
		st, err := wk.Status(r.Context())
		if err != nil {
			writeJSONError(w, err)
			return
		}
		writeJSON(w, st)
	})
	mux.HandleFunc("GET /blocks", func(w http.ResponseWriter, r *http.Request) {
		d := workerBlocks(r.Context(), wk, r.URL.Query().Get("path"))
		d.User = requestUser(r)
		if d.err != nil {
			w.WriteHeader(statusOf(d.err))
		}
		page(w, r, "worker_blocks", "Blocks", d)
	})
	mux.HandleFunc("GET /config", func(w http.ResponseWriter, r *http.Request) {
		page(w, r, "config", "Configuration", wk.Config())
	})
	mux.HandleFunc("GET /metrics/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics/" {
			http.NotFound(w, r)
			return
		}
		page(w, r, "metrics", "Metrics", metricRows(wk.Metrics()))
	})
	mux.HandleFunc("GET /metrics/prometheus/", func(w http.ResponseWriter, r *http.Request) {
		WritePrometheus(w, wk.Metrics())
	})
	mux.HandleFunc("GET /logs", func(w http.ResponseWriter, r *http.Request) {
		page(w, r, "logs", "Logs", logsOf(wk.LogFile(), r))
	})
	addStatic(mux)
	return mux
}

type workerBlocksData struct {
	Path  string
	Error string
	// FileBlocks are the blocks of the file asked about, each marked
	// with whether this worker holds it.
	FileBlocks []fileBlock
	Cached     []CachedBlock
	Total      int
	// User is the user.name the form carries on.
	User string

	err error
}

type fileBlock struct {
	ID, Offset, Length int64
	Here               bool
	Tier               string
}

func workerBlocks(ctx context.Context, wk Worker, path string) workerBlocksData {
	all := wk.Blocks()
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	d := workerBlocksData{Path: path, Total: len(all), Cached: all[:min(len(all), maxBlockRows)]}
	if path == "" {
		return d
	}
	clean, err := fspath.Clean(path)
	if err != nil {
		d.Error, d.err = err.Error(), err
		return d
	}
	fi, err := wk.File(ctx, clean)
	if err != nil {
		d.Error, d.err = err.Error(), err
		return d
	}
	here := map[int64]string{}
	for _, b := range all {
		here[b.ID] = b.Tier
	}
	for i, id := range fi.BlockIDs {
		fb := fileBlock{ID: id, Offset: int64(i) * fi.BlockSize}
		fb.Length = min(fi.BlockSize, fi.Length-fb.Offset)
		fb.Tier, fb.Here = here[id]
		d.FileBlocks = append(d.FileBlocks, fb)
	}
	if len(d.FileBlocks) == 0 {
		d.Error = clean + " has no blocks (" + strconv.FormatInt(fi.Length, 10) + " bytes)"
	}
	return d
}
