package e2e

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/security/securitytest"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// asUser runs the CLI against m with m's configuration and then defs (which
// win), returning its output and exit code.
func asUser(t *testing.T, m *cluster.Master, defs []string, args ...string) (string, int) {
	t.Helper()
	return testcluster.RunCLI(t, m.Bin, append(append(args, m.Defines()...), defs...), m.Env())
}

// TestTLSCluster runs a master and a worker with mutual TLS on every port
// and uses them through the CLI and the Go client: the user is the
// certificate's and cannot be claimed; data flows to and from the worker
// over TLS; a client without a certificate, with one of another authority,
// with an expired one, or without TLS at all is refused, the first three
// with errors that say why and without retrying for the whole budget; the
// web ports speak HTTPS to certified clients only.
func TestTLSCluster(t *testing.T) {
	ca := securitytest.NewCA(t, "cluster")
	other := securitytest.NewCA(t, "other")
	server := ca.Issue("alluxio", securitytest.Options{})
	// The worker (the masters' certificate's user, alluxio) asks the
	// master about a file as the web page's user: the master must let it.
	m := cluster.NewMaster(t, append(ca.Defines(server), "-Dalluxio.master.security.impersonation.alluxio.users=*")...)
	w := cluster.StartWorker(t, m, "worker", "64MB")

	// The superuser is the masters' certificate's user: it opens "/" to
	// alice.
	if out, code := asUser(t, m, ca.Defines(server), "fs", "chmod", "777", "/"); code != 0 {
		t.Fatalf("chmod / as the masters' user: exit %d: %s", code, out)
	}
	alice := ca.Defines(ca.Issue("alice", securitytest.Options{}))
	// alice claims to be root: the certificate wins.
	alice = append(alice, "-Dalluxio.security.login.username=root")
	src := filepath.Join(t.TempDir(), "src")
	data := strings.Repeat("tls data ", 100000)
	if err := os.WriteFile(src, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"fs", "mkdir", "/alice"}, {"fs", "copyFromLocal", src, "/alice/f"}} {
		if out, code := asUser(t, m, alice, args...); code != 0 {
			t.Fatalf("alluxio %s as alice: exit %d: %s", strings.Join(args, " "), code, out)
		}
	}
	out, code := asUser(t, m, alice, "fs", "ls", "/alice")
	if code != 0 || !strings.Contains(out, "alice") || strings.Contains(out, "root") {
		t.Fatalf("ls /alice (exit %d), want files owned by alice (the certificate's user), not root:\n%s", code, out)
	}
	out, code = asUser(t, m, alice, "fs", "cat", "/alice/f")
	if code != 0 || out != data {
		t.Fatalf("cat over TLS (exit %d): %d bytes back, want %d", code, len(out), len(data))
	}

	for _, tc := range []struct {
		name string
		defs []string
		want string
	}{
		{"wrong CA", append(ca.Defines(other.Issue("alice", securitytest.Options{})), "-Dalluxio.network.tls.ca.file="+ca.CAFile),
			"not issued by an authority the server trusts"},
		{"expired", ca.Defines(ca.Issue("alice", securitytest.Options{Expired: true})), "expired certificate"},
		{"server of another CA", other.Defines(other.Issue("alice", securitytest.Options{})), "certificate signed by unknown authority"},
	} {
		start := time.Now()
		out, code := asUser(t, m, tc.defs, "fs", "ls", "/")
		if code == 0 || !strings.Contains(out, "TLS handshake refused") || !strings.Contains(out, tc.want) {
			t.Errorf("%s: exit %d, output %q; want a refusal mentioning %q", tc.name, code, out, tc.want)
		}
		// The harness's retry budget is 10s: a refusal is not retried.
		if d := time.Since(start); d > 8*time.Second {
			t.Errorf("%s: the refusal took %v, as if retried", tc.name, d)
		}
	}

	good := loadClientTLS(t, ca, ca.Issue("bob", securitytest.Options{}))
	noCert := good.Clone()
	noCert.Certificates = nil
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		cfg  *tls.Config
		want error
	}{
		{"no certificate", noCert, client.ErrUnauthenticated},
		{"plain TCP", nil, client.ErrUnavailable},
	} {
		fs, err := client.New(client.Config{Masters: []string{m.RPCAddress()}, TLS: tc.cfg, RetryMaxDuration: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = fs.GetStatus(ctx, "/", client.StatusOptions{})
		fs.Close()
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}

	// The web ports: HTTPS, and only for certified clients.
	for _, port := range []int{m.WebPort, w.WebPort} {
		url := fmt.Sprintf("https://127.0.0.1:%d/metrics", port)
		resp, err := (&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: good}}).Get(url)
		if err != nil {
			t.Fatalf("%s with a certificate: %v", url, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", url, resp.Status)
		}
		if _, err := (&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: noCert}}).Get(url); err == nil {
			t.Errorf("%s answered a client without a certificate", url)
		}
		// Go's TLS server answers plain HTTP with a 400 saying to use HTTPS.
		if resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port)); err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("port %d answered plain HTTP: %s", port, resp.Status)
			}
		}
	}
	// The web UIs over HTTPS: the master reads a file's first KiB, and the
	// worker asks the leader for a file's blocks, each through its own
	// TLS client, for the certificate's user (bob), whom a user.name
	// cannot change: alice closes her directory and bob is refused.
	aliceCert := loadClientTLS(t, ca, ca.Issue("alice", securitytest.Options{}))
	for i, pg := range []struct {
		url    string
		cert   *tls.Config
		status int
		want   string
	}{
		{fmt.Sprintf("https://127.0.0.1:%d/browse?path=%%2Falice%%2Ff&view=head", m.WebPort), good, 200, `<pre id="file-content">tls data tls data`},
		{fmt.Sprintf("https://127.0.0.1:%d/blocks?path=%%2Falice%%2Ff", w.WebPort), good, 200, `<table id="file-blocks">`},
		{fmt.Sprintf("https://127.0.0.1:%d/api/v1/master/info", m.WebPort), good, 200, `"liveWorkers": 1`},
		{"chmod", nil, 0, ""},
		{fmt.Sprintf("https://127.0.0.1:%d/browse?path=%%2Falice%%2Ff&view=head&user.name=alice", m.WebPort), good, 403,
			"Permission denied: user=bob, access=--x, path=/alice/f"},
		{fmt.Sprintf("https://127.0.0.1:%d/blocks?path=%%2Falice%%2Ff&user.name=alice", w.WebPort), good, 403,
			"Permission denied: user=bob, access=--x, path=/alice/f"},
		{fmt.Sprintf("https://127.0.0.1:%d/browse?path=%%2Falice%%2Ff&view=head", m.WebPort), aliceCert, 200, `<pre id="file-content">tls data tls data`},
	} {
		if pg.url == "chmod" {
			if out, code := asUser(t, m, ca.Defines(ca.Issue("alice", securitytest.Options{})), "fs", "chmod", "700", "/alice"); code != 0 {
				t.Fatalf("chmod 700 /alice as alice: exit %d: %s", code, out)
			}
			continue
		}
		resp, err := (&http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: pg.cert}}).Get(pg.url)
		if err != nil {
			t.Fatalf("%d %s: %v", i, pg.url, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != pg.status || !strings.Contains(string(body), pg.want) {
			t.Fatalf("%d %s: %s %v, want %d with %q in:\n%s", i, pg.url, resp.Status, err, pg.status, pg.want, body)
		}
	}
	if !m.Proc.WaitForLog(t, "refused a TLS connection", 10*time.Second) {
		t.Errorf("the master did not log the refused handshakes; log %s", m.Proc.LogPath())
	}
}

func loadClientTLS(t testing.TB, ca *securitytest.CA, f securitytest.Files) *tls.Config {
	t.Helper()
	c, err := security.LoadTLS(security.TLSFiles{CertFile: f.CertFile, KeyFile: f.KeyFile, CAFile: ca.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	return c.ClientConfig()
}

// TestImpersonationCLI: a client logged in as svc acts for carol
// (alluxio.security.login.impersonation.username) only where the masters
// allow svc to impersonate her; what it creates then belongs to carol.
// Under TLS the same holds with svc's certificate.
func TestImpersonationCLI(t *testing.T) {
	m := cluster.NewMaster(t, "-Dalluxio.master.security.impersonation.svc.users=carol")
	m.Must("fs", "chmod", "777", "/")
	svc := []string{"-Dalluxio.security.login.username=svc"}
	asCarol := append(svc, "-Dalluxio.security.login.impersonation.username=carol")
	if out, code := asUser(t, m, asCarol, "fs", "mkdir", "/c"); code != 0 {
		t.Fatalf("svc acting for carol: exit %d: %s", code, out)
	}
	out, code := asUser(t, m, asCarol, "fs", "ls", "/")
	if code != 0 || !strings.Contains(out, "carol") {
		t.Fatalf("ls / (exit %d): want /c owned by carol:\n%s", code, out)
	}
	for _, tc := range []struct {
		name string
		defs []string
		want string
	}{
		{"svc acting for dave", append(svc, "-Dalluxio.security.login.impersonation.username=dave"), "user svc may not impersonate dave"},
		{"eve acting for carol", []string{"-Dalluxio.security.login.username=eve", "-Dalluxio.security.login.impersonation.username=carol"},
			"no impersonation is configured for eve"},
	} {
		out, code := asUser(t, m, tc.defs, "fs", "mkdir", "/x")
		if code == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%s: exit %d, output %q; want a refusal saying %q", tc.name, code, out, tc.want)
		}
	}
	if out, code := asUser(t, m, nil, "fs", "ls", "/x"); code == 0 {
		t.Fatalf("a refused mkdir made /x:\n%s", out)
	}
}

// TestAuditLogProcess: a master with alluxio.master.audit.logging.enabled
// writes master_audit.log in its log folder, a line per operation in
// Alluxio's format with the client's user and address.
func TestAuditLogProcess(t *testing.T) {
	m := cluster.NewMaster(t, "-Dalluxio.master.audit.logging.enabled=true")
	m.Must("fs", "chmod", "777", "/")
	if out, code := asUser(t, m, []string{"-Dalluxio.security.login.username=bob"}, "fs", "mkdir", "/audited"); code != 0 {
		t.Fatalf("mkdir: exit %d: %s", code, out)
	}
	path := filepath.Join(m.Dir, "logs", "master_audit.log")
	want := "\tugi=bob,"
	var line string
	testcluster.WaitFor(t, 30*time.Second, 20*time.Millisecond, func() (bool, string) {
		data, _ := os.ReadFile(path)
		for _, l := range strings.Split(string(data), "\n") {
			if strings.Contains(l, "cmd=createDirectory\tsrc=/audited\t") {
				line = l
				return true, ""
			}
		}
		return false, fmt.Sprintf("no createDirectory line for /audited in %s:\n%s", path, data)
	})
	if !strings.Contains(line, "succeeded=true\tallowed=true"+want) || !strings.Contains(line, " (AUTH=SIMPLE)\tip=/127.0.0.1:") ||
		!strings.Contains(line, "\tperm=bob:") || !strings.Contains(line, "\texecutionTimeUs=") {
		t.Fatalf("audit line %q is not in Alluxio's format for bob's mkdir", line)
	}
}

// TestTLSEmbeddedJournal: three masters whose Raft transport, rpc and web
// ports speak mutual TLS elect a leader, replicate, and fail over; the
// journal port refuses a peer with a certificate of another authority.
func TestTLSEmbeddedJournal(t *testing.T) {
	ca := securitytest.NewCA(t, "cluster")
	other := securitytest.NewCA(t, "other")
	defs := ca.Defines(ca.Issue("alluxio", securitytest.Options{}))
	c := cluster.NewHA(t, cluster.WithJournal(cluster.JournalEmbedded), cluster.WithDefines(defs...),
		cluster.WithWebTLS(loadClientTLS(t, ca, ca.Issue("tester", securitytest.Options{}))))
	c.Must("fs", "mkdir", "/before")
	old := c.WaitLeader()
	old.Proc.Kill()
	leader := c.WaitLeader()
	if leader == old {
		t.Fatal("the killed master still leads")
	}
	out := c.Masters[indexOtherThan(c, old)].Must("fs", "ls", "/")
	if !strings.Contains(out, "/before") {
		t.Fatalf("after the failover / holds no /before (replicated over TLS):\n%s", out)
	}
	// A peer of another authority: the journal port refuses it.
	port := journalPort(t, leader)
	intruder := loadClientTLS(t, other, other.Issue("intruder", securitytest.Options{}))
	intruder.RootCAs = loadClientTLS(t, ca, ca.Issue("x", securitytest.Options{})).RootCAs
	conn, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port), intruder)
	if err == nil {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = conn.Read(make([]byte, 1))
		conn.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "certificate required") {
		t.Fatalf("a journal peer with another authority's certificate: %v, want refused", err)
	}
}

func indexOtherThan(c *cluster.HA, m *cluster.Master) int {
	for i, o := range c.Masters {
		if o != m {
			return i
		}
	}
	return 0
}

// journalPort is the embedded journal port among m's flags.
func journalPort(t *testing.T, m *cluster.Master) int {
	t.Helper()
	for _, d := range m.Defines() {
		if v, ok := strings.CutPrefix(d, "-Dalluxio.master.embedded.journal.port="); ok {
			var p int
			fmt.Sscan(v, &p)
			return p
		}
	}
	t.Fatal("no embedded journal port among the master's flags")
	return 0
}
