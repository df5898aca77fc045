package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// Master is what the master's pages read. The master process implements
// it over its state; each call is made from an HTTP handler's goroutine,
// several at once, with the request's context.
type Master interface {
	// Info describes the cluster as this master sees it now. Every master
	// answers, a standby with Cluster false. It asks every master for its
	// role and position, so it may wait (briefly) on one that is down.
	Info(ctx context.Context) (*MasterInfo, error)
	// Leader says whether this master leads and, if not, which does and
	// where its web UI is ("" when unknown): the banner of every page. It
	// asks at most the leader, and only from a standby.
	Leader(ctx context.Context) (primary bool, leader, leaderWeb string)
	// List returns up to limit entries of the directory at path whose
	// names sort after after, or the file at path alone (Self). Only the
	// leader lists: a standby returns an error that errs.ErrNotPrimary
	// matches. Self carries the file's blocks and their locations. It
	// acts for the user ctx carries (security.FromContext) and checks
	// what a listing (a status, for a file) by RPC would: a refusal
	// matches errs.ErrPermission.
	List(ctx context.Context, path, after string, limit int) (*Listing, error)
	// ReadFile reads up to n bytes of the file at path from offset off,
	// or its last n bytes when fromEnd; it returns fewer at the end. Like
	// List it acts for ctx's user, who must be allowed to read the file.
	ReadFile(ctx context.Context, path string, off int64, n int, fromEnd bool) ([]byte, error)
	// Workers lists the workers the leader knows, live and lost.
	Workers(ctx context.Context) ([]*WorkerInfo, error)
	// Mounts lists the mount table, secret options masked.
	Mounts(ctx context.Context) ([]MountInfo, error)
	// Config lists every property with its value and source, secrets
	// masked, sorted by name.
	Config() []Property
	// Metrics lists the master's metrics under Alluxio's names, and on
	// the leader the Cluster.* sums over workers.
	Metrics(ctx context.Context) ([]Metric, error)
	// LogFile is the path of the process's log file, "" when it logs to
	// stderr alone.
	LogFile() string
}

// pageSize is how many entries Browse shows a page.
const pageSize = 100

// kib is how much "first/last KiB" shows.
const kib = 1024

// logLines is how many lines of the log the Logs page shows.
const logLines = 200

// MasterHandler serves the master's web UI and its JSON info.
func MasterHandler(m Master) http.Handler {
	h := &masterPages{m: m}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.overview)
	mux.HandleFunc("GET /browse", h.browse)
	mux.HandleFunc("GET /workers", h.workers)
	mux.HandleFunc("GET /mounts", h.mounts)
	mux.HandleFunc("GET /config", h.config)
	mux.HandleFunc("GET /metrics/", h.metrics)
	mux.HandleFunc("GET /logs", h.logs)
	mux.HandleFunc("GET /api/v1/master/info", h.info)
	mux.HandleFunc("GET /api/v1/master/browse", h.browseJSON)
	mux.HandleFunc("GET /metrics/prometheus/", func(w http.ResponseWriter, r *http.Request) {
		ms, err := m.Metrics(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		WritePrometheus(w, ms)
	})
	addStatic(mux)
	return mux
}

type masterPages struct{ m Master }

var masterNav = []navItem{{"/", "Overview"}, {"/browse", "Browse"}, {"/workers", "Workers"}, {"/mounts", "Mount Table"},
	{"/config", "Configuration"}, {"/metrics/", "Metrics"}, {"/logs", "Logs"}}

// page renders one master page; every page carries the standby banner
// when this master is not the leader.
func (h *masterPages) page(w http.ResponseWriter, r *http.Request, tmpl, title string, data any, info *MasterInfo) {
	var sb *standby
	switch {
	case info != nil && info.Role != "PRIMARY":
		sb = &standby{Leader: info.Leader, LeaderWeb: info.LeaderWeb}
	case info == nil:
		if primary, leader, web := h.m.Leader(r.Context()); !primary {
			sb = &standby{Leader: leader, LeaderWeb: web}
		}
	}
	render(w, tmpl, frame{Product: "Alluxio Master", Title: title, Nav: masterNav, Path: r.URL.Path, Standby: sb, User: requestUser(r), Data: data})
}

func (h *masterPages) overview(w http.ResponseWriter, r *http.Request) {
	info, err := h.m.Info(r.Context())
	if err != nil {
		renderError(w, r, masterNav, "Alluxio Master", err)
		return
	}
	h.page(w, r, "overview", "Overview", info, info)
}

func (h *masterPages) info(w http.ResponseWriter, r *http.Request) {
	info, err := h.m.Info(r.Context())
	if err != nil {
		writeJSONError(w, err)
		return
	}
	if info.Cluster {
		info.MountPoints, _ = h.m.Mounts(r.Context())
	}
	writeJSON(w, info)
}

type browseData struct {
	Path    string
	Crumbs  []crumb
	Listing *Listing
	File    bool
	// View is "head" or "tail" when the first or last KiB was asked
	// for, with the text shown or why it could not be read.
	View      string
	ViewText  string
	ViewError string
	After     string
	// User is the user.name the links carry on.
	User string

	view    []byte
	viewErr error
}

type crumb struct{ Name, Path string }

func crumbs(path string) []crumb {
	out := []crumb{{"/", "/"}}
	if path == "/" {
		return out
	}
	parts, _ := fspath.Split(path)
	p := ""
	for _, c := range parts {
		p += "/" + c
		out = append(out, crumb{c, p})
	}
	return out
}

// browseOf reads what Browse shows for r: the listing (or the file) at
// ?path= after ?after=, and with ?view=head|tail the file's first or last
// KiB. The Master checks that r's user may see each (r's context carries
// the identity); err is the listing's failure, d.viewErr the view's.
func (h *masterPages) browseOf(r *http.Request) (d browseData, err error) {
	q := r.URL.Query()
	path := q.Get("path")
	if path == "" {
		path = "/"
	}
	clean, err := fspath.Clean(path)
	if err != nil {
		return d, err
	}
	l, err := h.m.List(r.Context(), clean, q.Get("after"), pageSize)
	if err != nil {
		return d, err
	}
	d = browseData{Path: clean, Crumbs: crumbs(clean), Listing: l, File: !l.Self.GetFolder(), After: q.Get("after"), User: requestUser(r)}
	if view := q.Get("view"); d.File && (view == "head" || view == "tail") {
		d.View = view
		d.view, d.viewErr = h.m.ReadFile(r.Context(), clean, 0, kib, view == "tail")
		if d.viewErr != nil {
			d.ViewError = d.viewErr.Error()
		} else {
			d.ViewText = printable(d.view)
		}
	}
	return d, nil
}

func (h *masterPages) browse(w http.ResponseWriter, r *http.Request) {
	d, err := h.browseOf(r)
	switch {
	case errors.Is(err, errs.ErrNotPrimary):
		h.page(w, r, "standby", "Browse", nil, nil)
		return
	case err != nil:
		w.WriteHeader(statusOf(err))
		h.page(w, r, "error", "Browse", errorData(err), nil)
		return
	case errors.Is(d.viewErr, errs.ErrPermission):
		// The file's details show (its directory may be entered), its
		// bytes do not.
		w.WriteHeader(http.StatusForbidden)
	}
	h.page(w, r, "browse", "Browse", d, nil)
}

// BrowseJSON is /api/v1/master/browse: Browse's listing, or a file's
// status with its first or last KiB (Content, base64 in JSON) when asked
// for with ?view=head|tail.
type BrowseJSON struct {
	Path    string         `json:"path"`
	Self    *pb.FileInfo   `json:"self"`
	Entries []*pb.FileInfo `json:"entries,omitempty"`
	Next    string         `json:"next,omitempty"`
	Content []byte         `json:"content,omitempty"`
}

func (h *masterPages) browseJSON(w http.ResponseWriter, r *http.Request) {
	d, err := h.browseOf(r)
	if err == nil {
		err = d.viewErr
	}
	if err != nil {
		writeJSONError(w, err)
		return
	}
	writeJSON(w, BrowseJSON{Path: d.Path, Self: d.Listing.Self, Entries: d.Listing.Entries, Next: d.Listing.Next, Content: d.view})
}

func (h *masterPages) workers(w http.ResponseWriter, r *http.Request) {
	ws, err := h.m.Workers(r.Context())
	if errors.Is(err, errs.ErrNotPrimary) {
		h.page(w, r, "standby", "Workers", nil, nil)
		return
	}
	if err != nil {
		h.page(w, r, "error", "Workers", errorData(err), nil)
		return
	}
	h.page(w, r, "workers", "Workers", ws, nil)
}

func (h *masterPages) mounts(w http.ResponseWriter, r *http.Request) {
	ms, err := h.m.Mounts(r.Context())
	if errors.Is(err, errs.ErrNotPrimary) {
		h.page(w, r, "standby", "Mount Table", nil, nil)
		return
	}
	if err != nil {
		h.page(w, r, "error", "Mount Table", errorData(err), nil)
		return
	}
	h.page(w, r, "mounts", "Mount Table", mountsData{Mounts: ms, User: requestUser(r)}, nil)
}

type mountsData struct {
	Mounts []MountInfo
	User   string
}

func (h *masterPages) config(w http.ResponseWriter, r *http.Request) {
	h.page(w, r, "config", "Configuration", h.m.Config(), nil)
}

func (h *masterPages) metrics(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/metrics/" {
		http.NotFound(w, r)
		return
	}
	ms, err := h.m.Metrics(r.Context())
	if err != nil {
		h.page(w, r, "error", "Metrics", errorData(err), nil)
		return
	}
	h.page(w, r, "metrics", "Metrics", metricRows(ms), nil)
}

func (h *masterPages) logs(w http.ResponseWriter, r *http.Request) {
	h.page(w, r, "logs", "Logs", logsOf(h.m.LogFile(), r), nil)
}

type logsData struct {
	File  string
	Lines []string
	Error string
	N     int
}

// logsOf reads the last lines of the log; ?n= asks for more or fewer.
func logsOf(file string, r *http.Request) logsData {
	n := logLines
	if v, err := strconv.Atoi(r.URL.Query().Get("n")); err == nil && v > 0 && v <= 10000 {
		n = v
	}
	d := logsData{File: file, N: n}
	if file == "" {
		d.Error = "this process logs to standard error only (alluxio.logs.dir is empty)"
		return d
	}
	lines, err := TailLines(file, n)
	if err != nil {
		d.Error = err.Error()
	}
	d.Lines = lines
	return d
}

// statusOf is the HTTP status for a failed read.
func statusOf(err error) int {
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, errs.ErrInvalidArg), errors.Is(err, errs.ErrInvalidPath):
		return http.StatusBadRequest
	case errors.Is(err, errs.ErrUnauthenticated):
		return http.StatusUnauthorized
	case errors.Is(err, errs.ErrPermission):
		return http.StatusForbidden
	case errors.Is(err, errs.ErrNotPrimary), errors.Is(err, errs.ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// blockRows is a file's blocks for the Browse page.
type blockRow struct {
	ID        int64
	Offset    int64
	Length    int64
	Locations []string
}

func blockRows(fi *pb.FileInfo) []blockRow {
	var out []blockRow
	for _, b := range fi.GetFileBlockInfos() {
		row := blockRow{ID: b.GetBlockInfo().GetBlockId(), Offset: b.GetOffset(), Length: b.GetBlockInfo().GetLength()}
		for _, l := range b.GetBlockInfo().GetLocations() {
			a := l.GetWorkerAddress()
			row.Locations = append(row.Locations, hostPort(a.GetHost(), a.GetRpcPort())+" ("+l.GetTierAlias()+")")
		}
		out = append(out, row)
	}
	return out
}
