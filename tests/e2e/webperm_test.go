package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestWebUIPermissions: the web UIs of a master and a worker started as
// processes act for the user a request names (user.name, SIMPLE) or the
// static web user, with the permission checks of the RPCs: alice's 0700
// directory is listed, shown and read by alice and the superuser, and
// refused with 403 and Alluxio's denial to bob and to the anonymous web
// user, in Browse, the first/last KiB, the browse JSON and the worker's
// blocks of a file; the refusals are in the audit log.
func TestWebUIPermissions(t *testing.T) {
	t.Parallel()
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	// The worker runs as the OS user (the superuser) and asks the master
	// about a file as the web page's user, which the harness lets it.
	m := cluster.NewMaster(t, permGroups, "-Dalluxio.master.audit.logging.enabled=true")
	w := cluster.StartWorker(t, m, "worker", "64MB")
	m.Must("fs", "mkdir", "/alice")
	m.Must("fs", "chown", "alice:staff", "/alice")
	m.Must("fs", "chmod", "700", "/alice")
	src := filepath.Join(t.TempDir(), "src")
	data := strings.Repeat("alice's secret ", 200) // 3000 bytes: head and tail differ
	if err := os.WriteFile(src, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := runAs(m, "alice", "fs", "copyFromLocal", src, "/alice/f"); code != 0 {
		t.Fatalf("copyFromLocal as alice: %s", out)
	}

	get := func(port int, path string) (int, string) {
		t.Helper()
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	as := func(u string) string {
		if u == "" {
			return ""
		}
		return "&user.name=" + url.QueryEscape(u)
	}
	head, tail := data[:1024], data[len(data)-1024:]
	denial := func(u, access, path string) string {
		return "Permission denied: user=" + u + ", access=" + access + ", path=" + path +
			": failed at alice, inode owner=alice, inode group=staff, inode mode=rwx------"
	}
	for _, u := range []string{"alice", me.Username} {
		for _, tc := range []struct {
			port       int
			path, want string
		}{
			{m.WebPort, "/browse?path=%2Falice", `>f</a>`},
			{m.WebPort, "/browse?path=%2Falice%2Ff&view=head", `<pre id="file-content">` + strings.ReplaceAll(head, "'", "&#39;")},
			{m.WebPort, "/browse?path=%2Falice%2Ff&view=tail", strings.ReplaceAll(tail, "'", "&#39;") + `</pre>`},
			{w.WebPort, "/blocks?path=%2Falice%2Ff", `<table id="file-blocks">`},
		} {
			if code, body := get(tc.port, tc.path+as(u)); code != http.StatusOK || !strings.Contains(body, tc.want) {
				t.Errorf("%s as %s: %d, want 200 with %q in:\n%s", tc.path, u, code, tc.want, body)
			}
		}
		code, body := get(m.WebPort, "/api/v1/master/browse?path=%2Falice%2Ff&view=tail"+as(u))
		var js struct {
			Path    string `json:"path"`
			Content []byte `json:"content"`
		}
		if err := json.Unmarshal([]byte(body), &js); err != nil || code != http.StatusOK || string(js.Content) != tail {
			t.Errorf("browse JSON of the tail as %s: %d %v, want the last KiB in:\n%s", u, code, err, body)
		}
		code, body = get(m.WebPort, "/api/v1/master/browse?path=%2Falice"+as(u))
		if code != http.StatusOK || !strings.Contains(body, `"path": "/alice/f"`) {
			t.Errorf("browse JSON of /alice as %s: %d, want the listing in:\n%s", u, code, body)
		}
	}
	for _, u := range []string{"bob", ""} {
		name := u
		if name == "" {
			name = "dr.who" // alluxio.security.web.login.username's default
		}
		for _, tc := range []struct {
			port       int
			path, want string
		}{
			{m.WebPort, "/browse?path=%2Falice", denial(name, "r-x", "/alice")},
			{m.WebPort, "/browse?path=%2Falice%2Ff&view=head", denial(name, "--x", "/alice/f")},
			{m.WebPort, "/browse?path=%2Falice%2Ff&view=tail", denial(name, "--x", "/alice/f")},
			{m.WebPort, "/api/v1/master/browse?path=%2Falice", denial(name, "r-x", "/alice")},
			{m.WebPort, "/api/v1/master/browse?path=%2Falice%2Ff&view=head", denial(name, "--x", "/alice/f")},
			{w.WebPort, "/blocks?path=%2Falice%2Ff", denial(name, "--x", "/alice/f")},
		} {
			code, body := get(tc.port, tc.path+as(u))
			if code != http.StatusForbidden || !strings.Contains(body, tc.want) || strings.Contains(body, "secret") {
				t.Errorf("%s as %s: %d, want 403 with %q (and no content) in:\n%s", tc.path, name, code, tc.want, body)
			}
		}
	}
	path := filepath.Join(m.Dir, "logs", "master_audit.log")
	for _, want := range []string{
		"succeeded=false\tallowed=false\tugi=bob,bob (AUTH=SIMPLE)\tip=/127.0.0.1:",
		"succeeded=false\tallowed=false\tugi=dr.who, (AUTH=SIMPLE)\tip=/127.0.0.1:",
		"succeeded=true\tallowed=true\tugi=alice,staff (AUTH=SIMPLE)\tip=/127.0.0.1:",
	} {
		testcluster.WaitFor(t, 30*time.Second, 20*time.Millisecond, func() (bool, string) {
			b, _ := os.ReadFile(path)
			for _, l := range strings.Split(string(b), "\n") {
				if strings.Contains(l, want) && strings.Contains(l, "\tcmd=listStatus\tsrc=/alice\t") {
					return true, ""
				}
			}
			return false, fmt.Sprintf("no listStatus of /alice with %q in %s:\n%s", want, path, b)
		})
	}
}
