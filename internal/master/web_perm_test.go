package master

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/security"
)

// TestWebActsForItsUser: Browse, the first/last KiB and the browse JSON
// check permissions as the RPCs do, for the user the request names
// (user.name) or the static web user, refuse with 403 and Alluxio's
// denial, carry the user on their links, and are audited.
func TestWebActsForItsUser(t *testing.T) {
	logDir := t.TempDir()
	m := newPermMaster(t, func(c *Config) { c.AuditLog, c.AuditQueue, c.LogDir = true, 100, logDir })
	m.dirOf(t, "/alice", 0o700)
	m.write(t, "/alice/f", []byte("alice's"))
	m.dirOf(t, "/pub", 0o755)
	m.write(t, "/pub/secret", []byte("not for bob"))
	for _, p := range []string{"/alice/f", "/pub/secret"} {
		if err := m.fs.setAttribute(as("root"), &alluxiopb.SetAttributeRequest{Path: p, OpId: opID(), Owner: str("alice"),
			Group: str("staff"), Mode: u32(0o600)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		url, status, want string
	}{
		{"/browse?path=%2Falice&user.name=alice", "200", `href="/browse?path=%2Falice%2Ff&amp;user.name=alice"`},
		{"/browse?path=%2Falice&user.name=root", "200", `>f</a>`},
		{"/browse?path=%2Falice&user.name=admin", "200", `>f</a>`}, // in supergroup
		{"/browse?path=%2Falice&user.name=bob", "403",
			"Permission denied: user=bob, access=r-x, path=/alice: failed at alice, inode owner=alice, inode group=staff, inode mode=rwx------"},
		{"/browse?path=%2Falice", "403", "Permission denied: user=dr.who, access=r-x, path=/alice"},
		{"/browse?path=%2Falice%2Ff", "403", "Permission denied: user=dr.who, access=--x, path=/alice/f"},
		{"/api/v1/master/browse?path=%2Falice&user.name=bob", "403", `{"error":"Permission denied: user=bob, access=r-x, path=/alice`},
		{"/api/v1/master/browse?path=%2Falice&user.name=alice", "200", `"path": "/alice/f"`},
		// The file's details show where its directory may be entered; its
		// bytes only to whom may read it.
		{"/browse?path=%2Fpub%2Fsecret&view=head&user.name=bob", "403",
			`<p class="error" id="view-error">Permission denied: user=bob, access=r--, path=/pub/secret`},
		{"/browse?path=%2Fpub%2Fsecret&view=tail", "403", "Permission denied: user=dr.who, access=r--, path=/pub/secret"},
		{"/api/v1/master/browse?path=%2Fpub%2Fsecret&view=head&user.name=carol", "403", "Permission denied: user=carol, access=r--"},
		// The nav carries the user too.
		{"/browse?path=%2F&user.name=alice", "200", `<a href="/mounts?user.name=alice">`},
	} {
		code, body := get(t, m, tc.url)
		if strconv.Itoa(code) != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, want %s with %q in:\n%s", tc.url, code, tc.status, tc.want, body)
		}
	}
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(logDir, "master_audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`succeeded=false\tallowed=false\tugi=bob,bob \(AUTH=SIMPLE\)\tip=/127\.0\.0\.1:\d+\tcmd=listStatus\tsrc=/alice\t`,
		`succeeded=false\tallowed=false\tugi=dr\.who, \(AUTH=SIMPLE\)\tip=/127\.0\.0\.1:\d+\tcmd=getFileInfo\tsrc=/pub/secret\t`,
		`succeeded=true\tallowed=true\tugi=alice,staff \(AUTH=SIMPLE\)\tip=/127\.0\.0\.1:\d+\tcmd=listStatus\tsrc=/alice\t`,
	} {
		if !regexp.MustCompile(want).Match(data) {
			t.Errorf("the audit log has no line like %s:\n%s", want, data)
		}
	}
}

// TestWebChecksNothingWithoutChecks: with NOSASL, or with permission
// checks off, the web UI checks nothing either, as the RPCs.
func TestWebChecksNothingWithoutChecks(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"NOSASL":     func(c *Config) { c.Security.AuthType = security.NoSASL },
		"checks off": func(c *Config) { c.PermissionEnabled = false },
	} {
		t.Run(name, func(t *testing.T) {
			m := newPermMaster(t, mod)
			m.mkdirAs(t, "root", "/alice", 0o700)
			m.write(t, "/alice/f", nil)
			for _, url := range []string{"/browse?path=%2Falice&user.name=bob", "/browse?path=%2Falice", "/api/v1/master/browse?path=%2Falice"} {
				if code, body := get(t, m, url); code != http.StatusOK || !strings.Contains(body, "f</a>") && !strings.Contains(body, `"/alice/f"`) {
					t.Errorf("%s: %d, want the listing:\n%s", url, code, body)
				}
			}
		})
	}
}
