package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/security"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// frame is what every page gets: the layout's parts and the page's data.
type frame struct {
	Product string
	Title   string
	Nav     []navItem
	Path    string
	Standby *standby
	// User is the user.name the request named, "" for none: links carry
	// it on, so that a SIMPLE user browses as himself from page to page.
	User string
	Data any
}

type navItem struct{ Href, Name string }

type standby struct{ Leader, LeaderWeb string }

var funcs = template.FuncMap{
	"bytes": func(n int64) string { return conf.FormatBytes(n) },
	"time": func(t time.Time) string {
		if t.IsZero() || t.UnixMilli() <= 0 {
			return "-"
		}
		return t.Format("2006-01-02 15:04:05 MST")
	},
	"ms": func(ms int64) string {
		if ms <= 0 {
			return "-"
		}
		return time.UnixMilli(ms).Format("2006-01-02 15:04:05 MST")
	},
	"duration": func(ms int64) string { return (time.Duration(ms) * time.Millisecond).Round(time.Second).String() },
	"ago": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return strconv.FormatInt(int64(time.Since(t)/time.Second), 10) + "s ago"
	},
	"mode": func(mode uint32, dir bool) string {
		m := os.FileMode(mode & 0o777)
		if dir {
			m |= os.ModeDir
		}
		return m.String()
	},
	"ttl": func(ttl int64, action pb.TtlAction) string {
		if ttl <= 0 {
			return "none"
		}
		return (time.Duration(ttl) * time.Millisecond).String() + " then " + action.String()
	},
	"blocks": blockRows,
	"num":    func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) },
	"sortedKeys": func(m map[string]string) []string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys
	},
	"browseLink": func(p, user string) string { return userLink("/browse?path="+url.QueryEscape(p), user) },
	"userLink":   userLink,
}

// userLink is href naming user (security.WebUserParam), or href itself
// when user is "".
func userLink(href, user string) string {
	if user == "" {
		return href
	}
	sep := "?"
	if strings.Contains(href, "?") {
		sep = "&"
	}
	return href + sep + security.WebUserParam + "=" + url.QueryEscape(user)
}

// requestUser is the user.name r names, for links.
func requestUser(r *http.Request) string { return r.URL.Query().Get(security.WebUserParam) }

// pages are parsed once: the layout with each page's content.
var pages = func() map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	out := map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
	}
	return out
}()

// render writes a page; a template error becomes a 500 with the reason,
// since nothing was sent yet (the page is rendered into a buffer).
func render(w http.ResponseWriter, name string, f frame) {
	t, ok := pages[name]
	if !ok {
		http.Error(w, "no page "+name, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", f); err != nil {
		http.Error(w, "render "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func renderError(w http.ResponseWriter, r *http.Request, nav []navItem, product string, err error) {
	w.WriteHeader(statusOf(err))
	render(w, "error", frame{Product: product, Title: "Error", Nav: nav, User: requestUser(r), Data: errorData(err)})
}

type errData struct{ Message string }

func errorData(err error) errData { return errData{Message: err.Error()} }

func addStatic(mux *http.ServeMux) {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	mux.Handle("GET /static/", http.StripPrefix("/static/", files))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		b, _ := fs.ReadFile(sub, "favicon.svg")
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Write(b)
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeJSONError(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(statusOf(err))
	json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

func hostPort(host string, port int32) string { return net.JoinHostPort(host, strconv.Itoa(int(port))) }

// printable shows bytes as text: valid UTF-8 as it is (the template
// escapes it), anything else as a hex dump, so a binary file cannot
// garble the page.
func printable(b []byte) string {
	if utf8.Valid(b) && !bytes.ContainsRune(b, 0) {
		return string(b)
	}
	var sb strings.Builder
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		fmt.Fprintf(&sb, "%08x  % x\n", off, line)
	}
	return sb.String()
}

// metricRow is a metric on the Metrics page.
type metricRow struct {
	Name, Type, Value, Labels string
}

func metricRows(ms []Metric) []metricRow {
	out := make([]metricRow, 0, len(ms))
	for _, m := range ms {
		v := strconv.FormatFloat(m.Value, 'f', -1, 64)
		if strings.Contains(m.Name, "Bytes") || strings.Contains(m.Name, "Capacity") {
			v += " (" + conf.FormatBytes(int64(m.Value)) + ")"
		}
		out = append(out, metricRow{Name: m.Name, Type: m.Type, Value: v, Labels: labelString(m.Labels)})
	}
	return out
}

func labelString(l map[string]string) string {
	keys := slices.Sorted(maps.Keys(l))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + l[k]
	}
	return strings.Join(parts, ", ")
}
