package master

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/errs"
)

func get(t *testing.T, m *testMaster, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + m.WebAddr().String() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

var entryLink = regexp.MustCompile(`<a class="entry" href="/browse\?path=([^"]+)">`)
var nextLink = regexp.MustCompile(`<a id="next-page" href="([^"]+)">`)

// Browse shows a large directory a page at a time, in name order, and
// the next-page links reach every entry exactly once.
func TestWebBrowsePagesThroughADirectory(t *testing.T) {
	m := newTestMaster(t, nil)
	const n = 230
	for i := 0; i < n; i++ {
		m.mkdir(t, fmt.Sprintf("/big/d%03d", i), "MUST_CACHE")
	}
	var seen []string
	url := "/browse?path=%2Fbig"
	for pages := 0; url != ""; pages++ {
		if pages > n {
			t.Fatal("the next-page links do not end")
		}
		code, body := get(t, m, strings.ReplaceAll(url, "&amp;", "&"))
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", url, code, body)
		}
		matches := entryLink.FindAllStringSubmatch(body, -1)
		if len(matches) == 0 || len(matches) > 100 {
			t.Fatalf("page %d shows %d entries", pages, len(matches))
		}
		for _, mt := range matches {
			seen = append(seen, mt[1])
		}
		url = ""
		if nx := nextLink.FindStringSubmatch(body); nx != nil {
			url = nx[1]
		}
	}
	if len(seen) != n {
		t.Fatalf("the pages showed %d entries, want %d", len(seen), n)
	}
	for i, p := range seen {
		if want := fmt.Sprintf("%%2Fbig%%2Fd%03d", i); p != want {
			t.Fatalf("entry %d is %s, want %s", i, p, want)
		}
	}
}

// Every page of a primary renders, secrets are masked on the
// Configuration and Mount Table pages, and a file's page shows its
// details and content.
func TestWebPagesOfAPrimary(t *testing.T) {
	p := conf.New()
	p.Set("s3a.secretKey", "hush-hush")
	m := newTestMaster(t, func(c *Config) { c.Properties = p; c.LogDir = t.TempDir(); c.LogName = "master" })
	fi := m.write(t, "/dir/file.txt", []byte("hello from the web test"))
	if err := m.fs.mount(context.Background(), &alluxiopb.MountRequest{AlluxioPath: "/m", UfsPath: m.cfg.RootUFS + "-other", OpId: opID(),
		Properties: map[string]string{"aws.secretKey": "also-hush", "region": "here"}}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/":                              "PRIMARY",
		"/browse?path=%2Fdir":            "file.txt",
		"/browse?path=%2Fdir%2Ffile.txt": fmt.Sprint(fi.FileId << 24),
		"/workers":                       "no workers registered",
		"/mounts":                        "region=here",
		"/config":                        "s3a.secretKey",
		"/metrics/":                      "Master.TotalPaths",
		"/metrics/prometheus/":           "Master_TotalPaths ",
		"/logs":                          "master.log",
		"/api/v1/master/info":            `"role": "PRIMARY"`,
		"/favicon.ico":                   "<svg",
		"/static/style.css":              "body{",
	} {
		code, body := get(t, m, path)
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want %q in:\n%s", path, code, want, body)
		}
		for _, secret := range []string{"hush-hush", "also-hush"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows a secret", path)
			}
		}
	}
	if code, body := get(t, m, "/browse?path=%2Fnope"); code != http.StatusNotFound || !strings.Contains(body, "/nope") {
		t.Errorf("a missing path: %d %s", code, body)
	}
	if code, _ := get(t, m, "/browse?path=no-slash"); code != http.StatusBadRequest {
		t.Errorf("a bad path: %d", code)
	}
}

func TestPprofOnlyWhenEnabled(t *testing.T) {
	off := newTestMaster(t, nil)
	if code, _ := get(t, off, "/debug/pprof/"); code != http.StatusNotFound {
		t.Fatalf("pprof served by default: %d", code)
	}
	on := newTestMaster(t, func(c *Config) { c.PprofEnabled = true })
	if code, body := get(t, on, "/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Fatalf("pprof not served when enabled: %d", code)
	}
}

func TestUfsModeRefusesChangesUnderItsMounts(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	m.mkdir(t, "/a", "MUST_CACHE")
	set := func(path, mode string) error {
		return m.fs.updateUfsMode(ctx, &alluxiopb.UpdateUfsModeRequest{UfsPath: path, Mode: mode, OpId: opID()})
	}
	if err := set(m.cfg.RootUFS, "sideways"); !errors.Is(err, errs.ErrInvalidArg) {
		t.Fatalf("an unknown mode: %v", err)
	}
	if err := set("memtest://not-mounted", "readOnly"); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("a store nothing mounts: %v", err)
	}
	if err := set(m.cfg.RootUFS+"/some/dir", "readOnly"); err != nil {
		t.Fatal(err)
	}
	_, err := m.fs.createDirectory(ctx, &alluxiopb.CreateDirectoryRequest{Path: "/b", OpId: opID(), WriteType: "MUST_CACHE"})
	if !errors.Is(err, errs.ErrPermission) || !strings.Contains(err.Error(), "readOnly") && !strings.Contains(err.Error(), "READ_ONLY") {
		t.Fatalf("mkdir under a read-only store: %v", err)
	}
	if code, body := get(t, m, "/mounts"); code != http.StatusOK || !strings.Contains(body, "readOnly") {
		t.Fatalf("the mount table does not show the mode: %s", body)
	}
	if err := set(m.cfg.RootUFS, "readWrite"); err != nil {
		t.Fatal(err)
	}
	m.mkdir(t, "/b", "MUST_CACHE")
}

// The first primary names the cluster; the name survives a restart.
func TestClusterIDIsJournaledOnce(t *testing.T) {
	m := newTestMaster(t, nil)
	id := m.st.ClusterID()
	if len(id) != 36 {
		t.Fatalf("cluster id %q", id)
	}
	uri := m.cfg.RootUFS
	m.Stop(context.Background())
	again := startTestMasterOn(t, m.dir, uri, nil)
	if got := again.st.ClusterID(); got != id {
		t.Fatalf("after a restart the cluster is %q, was %q", got, id)
	}
	if code, body := get(t, again, "/"); code != http.StatusOK || !strings.Contains(body, id) {
		t.Fatalf("the overview does not show the cluster id: %s", body)
	}
}
