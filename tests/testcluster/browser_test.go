package testcluster

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The browser notices a script error, a console error and a failed load,
// which is what lets the web UI test claim a page had none.
func TestBrowserRecordsPageErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/clean":
			w.Write([]byte(`<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p id="p">fine</p></body></html>`))
		case "/broken":
			w.Write([]byte(`<!doctype html><html><head><link rel="icon" href="data:,"></head><body><img src="/missing.png">` +
				`<script>console.error("logged error"); undefinedFunction();</script></body></html>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	b := NewBrowser(t)
	b.Load(srv.URL + "/clean")
	if p := b.Problems(); len(p) != 0 || b.Text("#p") != "fine" {
		t.Fatalf("a clean page: %q", p)
	}
	b.Load(srv.URL + "/broken")
	var p []string
	WaitFor(t, 10*time.Second, 50*time.Millisecond, func() (bool, string) {
		p = append(p, b.Problems()...)
		all := strings.Join(p, "\n")
		ok := strings.Contains(all, "logged error") && strings.Contains(all, "undefinedFunction") && strings.Contains(all, "missing.png")
		return ok, all
	})
}
