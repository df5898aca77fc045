package cluster

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// Master is one alluxio master process with its own work folder (journal,
// and, alone, its root under storage). Its fields are the test's to read;
// Extra may be changed before a Restart or a new Start.
type Master struct {
	T       testing.TB
	Bin     string
	Dir     string
	RPCPort int
	WebPort int
	Proc    *testcluster.Process
	// Extra holds -D flags, after (and so over) the defaults of Defines.
	Extra []string
	// Host is where the test reaches the master's ports (default 127.0.0.1).
	Host string
	// WebTLS, when set, is how the test speaks to web ports that serve
	// HTTPS (alluxio.network.tls.enabled): this master's and its
	// workers'.
	WebTLS *tls.Config
}

// webGet GETs path from the web port at host:port, over HTTPS when WebTLS
// is set.
func (m *Master) webGet(host string, port int, path string, timeout time.Duration) (*http.Response, error) {
	cl := &http.Client{Timeout: timeout}
	scheme := "http"
	if m.WebTLS != nil {
		scheme, cl.Transport = "https", &http.Transport{TLSClientConfig: m.WebTLS}
	}
	return cl.Get(fmt.Sprintf("%s://%s:%d%s", scheme, host, port, path))
}

// NewMaster formats a journal and starts a single master (UFS journal, the
// root under storage in Dir/underFSStorage) on fresh ports, and waits until
// it leads. extra are -D flags of its own.
func NewMaster(t testing.TB, extra ...string) *Master {
	t.Helper()
	return NewMasterWith(t, testcluster.Binary(t), extra...)
}

// NewMasterWith is NewMaster running bin.
func NewMasterWith(t testing.TB, bin string, extra ...string) *Master {
	t.Helper()
	return newMaster(t, bin, "master", extra...)
}

// NewMasterNamed is NewMaster with a process name of its own, for tests
// that run several single-master clusters side by side.
func NewMasterNamed(t testing.TB, name string, extra ...string) *Master {
	t.Helper()
	return newMaster(t, testcluster.Binary(t), name, extra...)
}

func newMaster(t testing.TB, bin, name string, extra ...string) *Master {
	t.Helper()
	ports := testcluster.FreePorts(t, 2)
	m := &Master{T: t, Bin: bin, Dir: t.TempDir(), RPCPort: ports[0], WebPort: ports[1], Extra: extra}
	if out, code := m.Run("format"); code != 0 {
		t.Fatalf("format failed (%d): %s", code, out)
	}
	m.Proc = testcluster.Start(t, name, m.Bin, append([]string{"master"}, m.Defines()...), m.Env())
	m.WaitLeader()
	return m
}

// TesterSuperuser makes the test client's user, "tester", a member of the
// supergroup. A test that sets alluxio.security.group.mapping.static.overrides
// itself should keep it in.
const TesterSuperuser = "alluxio.security.group.mapping.static.overrides=tester=tester,supergroup"

// Addr is the host the test reaches the master on.
func (m *Master) Addr() string {
	if m.Host != "" {
		return m.Host
	}
	return "127.0.0.1"
}

// RPCAddress is host:port of the master's RPC service.
func (m *Master) RPCAddress() string { return fmt.Sprintf("%s:%d", m.Addr(), m.RPCPort) }

// UFS is the root under storage of a single master.
func (m *Master) UFS() string { return filepath.Join(m.Dir, "underFSStorage") }

// Defines are the -D flags the master runs with, Extra last.
func (m *Master) Defines() []string {
	return append([]string{
		"-Dalluxio.home=" + m.Dir,
		"-Dalluxio.work.dir=" + m.Dir,
		"-Dalluxio.master.hostname=127.0.0.1",
		"-Dalluxio.master.rpc.port=" + strconv.Itoa(m.RPCPort),
		"-Dalluxio.master.web.port=" + strconv.Itoa(m.WebPort),
		"-Dalluxio.master.journal.type=UFS",
		"-Dalluxio.user.rpc.retry.max.duration=10s",
		// The tests' client user ("tester") is a superuser, as the CLI's
		// (the OS user, who runs the master) is: tests that mix the two
		// need not set permissions first. permission_test.go tests the
		// checks as other users.
		"-D" + TesterSuperuser,
		// Services that act for their users (an S3 proxy, a FUSE mount
		// shared with other users) log in as ProxyUser or FuseUser;
		// nobody else may impersonate anyone.
		"-Dalluxio.master.security.impersonation." + ProxyUser + ".users=*",
		"-Dalluxio.master.security.impersonation." + FuseUser + ".users=*",
		// Workers run as the OS user; a worker's web UI asks the master
		// about a file as the page's user, which the masters let it.
		"-Dalluxio.master.security.impersonation." + WorkerUser() + ".users=*",
	}, m.Extra...)
}

// WorkerUser is the login user of a test's workers: the OS user that runs
// the tests (and the masters, so a superuser).
func WorkerUser() string {
	u, err := user.Current()
	if err != nil {
		return "root"
	}
	return u.Username
}

// ProxyUser is the login user of the S3 proxies of tests, which the
// masters let impersonate anyone.
const ProxyUser = "s3proxy"

// FuseUser is the login user of a test's FUSE mount that other local users
// use (allow_other): the masters let it act for them.
const FuseUser = "fusemount"

// Env keeps the developer's own site files out of the test.
func (m *Master) Env() []string {
	return []string{"ALLUXIO_CONF_DIR=" + m.Dir + "/conf", "HOME=" + m.Dir}
}

// StartAgain starts a new process for the master (after Extra changed, say)
// in place of the one it had, which must have been stopped, and waits
// until it leads.
func (m *Master) StartAgain(name string) {
	m.T.Helper()
	m.Proc.Kill()
	m.Proc = testcluster.Start(m.T, name, m.Bin, append([]string{"master"}, m.Defines()...), m.Env())
	m.WaitLeader()
}

// WaitLeader waits until the master logs that it leads.
func (m *Master) WaitLeader() {
	m.T.Helper()
	if !m.Proc.WaitForLog(m.T, "is now the leader.", 60*time.Second) {
		m.T.Fatalf("master did not become the leader; log: %s", m.Proc.LogPath())
	}
}

// Restart starts the master process again after it was killed or stopped
// and waits until it leads (a single master).
func (m *Master) Restart() {
	m.T.Helper()
	m.Proc.Restart(m.T)
	m.WaitLeader()
}

// Run runs the CLI with this master's configuration and returns its
// combined output and exit code.
func (m *Master) Run(args ...string) (string, int) {
	m.T.Helper()
	return testcluster.RunCLI(m.T, m.Bin, append(args, m.Defines()...), m.Env())
}

// Must runs a CLI command that has to succeed and returns its output.
func (m *Master) Must(args ...string) string {
	m.T.Helper()
	out, code := m.Run(args...)
	if code != 0 {
		m.T.Fatalf("alluxio %s: exit %d: %s", strings.Join(args, " "), code, out)
	}
	return out
}

// Client is a client of this master alone, closed in cleanup.
func (m *Master) Client() *client.FileSystem { return m.ClientWith(client.Config{}) }

// ClientWith is Client with settings of its own (the master address and
// user are filled in, and the retry budget when cfg has none).
func (m *Master) ClientWith(cfg client.Config) *client.FileSystem {
	m.T.Helper()
	cfg.Masters, cfg.User = []string{m.RPCAddress()}, "tester"
	if cfg.RetryMaxDuration == 0 {
		cfg.RetryMaxDuration = 20 * time.Second
	}
	c, err := client.New(cfg)
	if err != nil {
		m.T.Fatal(err)
	}
	m.T.Cleanup(func() { c.Close() })
	return c
}

// Health is a master's /healthz answer; OK is false when it did not answer.
type Health struct {
	Role    string `json:"role"`
	Epoch   uint64 `json:"epoch"`
	Applied uint64 `json:"last_applied_sequence"`
	OK      bool   `json:"-"`
}

// Health asks the master for its role, within a second.
func (m *Master) Health() Health {
	var h Health
	resp, err := m.webGet(m.Addr(), m.WebPort, "/healthz", time.Second)
	if err != nil {
		return h
	}
	defer resp.Body.Close()
	h.OK = json.NewDecoder(resp.Body).Decode(&h) == nil
	return h
}

// Digest is a master's /debug/state answer: what it applied and a digest
// of its namespace.
type Digest struct {
	Seq    uint64 `json:"last_applied_sequence"`
	Inodes int    `json:"inodes"`
	Digest string `json:"digest"`
}

// Digest asks the master for its state digest.
func (m *Master) Digest() (Digest, error) {
	var d Digest
	resp, err := m.webGet(m.Addr(), m.WebPort, "/debug/state", 5*time.Second)
	if err != nil {
		return d, err
	}
	defer resp.Body.Close()
	return d, json.NewDecoder(resp.Body).Decode(&d)
}

// Metric reads one series from the master's /metrics page: a name, with
// its labels as Prometheus prints them when it has any
// (`alluxio_master_rpc_total{code="OK",method="CreateFile"}`); 0 when the
// page has no such series yet (a labelled counter appears once counted).
func (m *Master) Metric(t testing.TB, series string) float64 {
	t.Helper()
	if !strings.Contains(series, "{") {
		return m.metric(t, m.WebPort, "master", series)
	}
	return m.Scrape(t)[series]
}

// metric reads the unlabelled series name from the /metrics page of the
// process named who, whose web port is port.
func (m *Master) metric(t testing.TB, port int, who, name string) float64 {
	t.Helper()
	v, ok := m.scrapePage(t, port, who)[name]
	if !ok {
		t.Fatalf("metric %s not found on %s", name, who)
	}
	return v
}

// Scrape reads every series of the master's /metrics page, by name with
// labels as in Metric.
func (m *Master) Scrape(t testing.TB) map[string]float64 {
	t.Helper()
	return m.scrapePage(t, m.WebPort, "master")
}

// scrapePage reads every series of a /metrics page.
func (m *Master) scrapePage(t testing.TB, port int, who string) map[string]float64 {
	t.Helper()
	resp, err := m.webGet("127.0.0.1", port, "/metrics", 10*time.Second)
	if err != nil {
		t.Fatalf("metrics of %s: %v", who, err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if strings.HasPrefix(line, "#") || i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q of %s: %v", line, who, err)
		}
		out[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("metrics of %s: %v", who, err)
	}
	return out
}
