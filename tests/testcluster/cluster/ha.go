package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// HA is a cluster of three masters, workers and, with the UFS journal,
// three ZooKeeper servers. The masters share one root under storage
// (Shared/ufs); with the UFS journal they share one journal folder
// (Shared/journal), with the embedded journal each keeps its own.
//
// With network namespaces (NetIfAvailable, NetRequired) each master runs
// in a host of its own with a peer network (the other masters, and
// ZooKeeper) and a client network; the test, the workers and ZooKeeper
// stay in the root namespace. Net.CutPeer(i) then cuts master i off from
// its peers while clients still reach it.
type HA struct {
	T       testing.TB
	Journal string // JournalZK or JournalEmbedded
	ZK      *testcluster.ZKEnsemble
	Masters []*Master
	Workers []*Worker
	Shared  string
	RPCs    []string
	// Net is nil when the masters run on loopback; NoNet says why.
	Net   *testcluster.Net
	NoNet string
	// S3, with WithS3Root, serves the root under storage: bucket S3Bucket,
	// prefix S3Prefix.
	S3                 *testcluster.S3Server
	S3Bucket, S3Prefix string
}

// Journal types of an HA cluster.
const (
	JournalZK       = "zk"       // UFS journal in a shared folder, leader elected through ZooKeeper
	JournalEmbedded = "embedded" // Raft among the masters
)

// NetMode says whether an HA cluster's masters run in network namespaces.
type NetMode int

const (
	// NetNever keeps everything on loopback.
	NetNever NetMode = iota
	// NetIfAvailable uses namespaces where the machine allows (root,
	// iproute2), else loopback (HA.NoNet says why): for tests that can do
	// without, and decide themselves whether that is good enough.
	NetIfAvailable
	// NetRequired skips the test where namespaces cannot be made, and
	// fails it under CI.
	NetRequired
)

// NewHA starts an HA cluster and waits for a leader and the workers.
func NewHA(t testing.TB, opts ...Option) *HA {
	t.Helper()
	cfg := config{journal: JournalEmbedded, quota: "64MB", sessionTimeout: "3s"}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.bin == "" {
		cfg.bin = testcluster.Binary(t)
	}
	c := &HA{T: t, Journal: cfg.journal, Shared: t.TempDir()}
	switch cfg.net {
	case NetRequired:
		c.Net = testcluster.NewNet(t, 3)
	case NetIfAvailable:
		if why := testcluster.NetAvailable(); why != "" {
			c.NoNet = "masters run on loopback: " + why
		} else {
			c.Net = testcluster.NewNet(t, 3)
		}
	default:
		c.NoNet = "masters run on loopback"
	}
	if cfg.journal == JournalZK {
		if c.Net != nil {
			c.ZK = testcluster.StartZooKeeperOn(t, 3, c.Net.PeerGateway())
		} else {
			c.ZK = testcluster.StartZooKeeper(t, 3)
		}
		c.ZK.WaitReady(t, 90*time.Second)
	}
	rootUFS := []string{"-Dalluxio.master.mount.table.root.ufs=" + filepath.Join(c.Shared, "ufs")}
	if cfg.s3Root {
		host := "127.0.0.1"
		if c.Net != nil {
			host = c.Net.ClientGateway()
		}
		c.S3, c.S3Bucket, c.S3Prefix = testcluster.StartS3On(t, host), "alluxio", "root"
		c.S3.CreateBucket(t, c.S3Bucket)
		rootUFS = []string{fmt.Sprintf("-Dalluxio.master.mount.table.root.ufs=s3://%s/%s", c.S3Bucket, c.S3Prefix)}
	}
	// Per master: rpc, web, embedded journal.
	ports := testcluster.FreePorts(t, 9)
	clientHost, peerHost := func(int) string { return "127.0.0.1" }, func(int) string { return "127.0.0.1" }
	if c.Net != nil {
		clientHost, peerHost = c.Net.ClientIP, c.Net.PeerIP
	}
	var journals []string
	for i := 0; i < 3; i++ {
		c.RPCs = append(c.RPCs, fmt.Sprintf("%s:%d", clientHost(i), ports[3*i]))
		journals = append(journals, fmt.Sprintf("%s:%d", peerHost(i), ports[3*i+2]))
	}
	for i := 0; i < 3; i++ {
		var defs []string
		if cfg.journal == JournalZK {
			defs = []string{
				"-Dalluxio.master.journal.type=UFS",
				"-Dalluxio.zookeeper.enabled=true",
				"-Dalluxio.zookeeper.address=" + c.ZK.Address(),
				"-Dalluxio.zookeeper.session.timeout=" + cfg.sessionTimeout,
				"-Dalluxio.master.journal.folder=" + filepath.Join(c.Shared, "journal"),
				"-Dalluxio.master.journal.tailer.sleep.time=20ms",
				// Small, so standbys write checkpoints (and delete what
				// they cover) while the primary writes and the others tail.
				"-Dalluxio.master.journal.checkpoint.period.entries=100",
				// The address published in ZooKeeper, for clients and
				// workers.
				"-Dalluxio.master.hostname=" + clientHost(i),
			}
		} else {
			defs = []string{
				"-Dalluxio.master.journal.type=EMBEDDED",
				"-Dalluxio.master.embedded.journal.addresses=" + strings.Join(journals, ","),
				fmt.Sprintf("-Dalluxio.master.embedded.journal.port=%d", ports[3*i+2]),
				// Names this master among the journal addresses.
				"-Dalluxio.master.hostname=" + peerHost(i),
			}
		}
		if cfg.checkpoint != "" {
			defs = append(defs, "-Dalluxio.master.journal.checkpoint.period.entries="+cfg.checkpoint)
		}
		m := &Master{T: t, Bin: cfg.bin, Dir: t.TempDir(), RPCPort: ports[3*i], WebPort: ports[3*i+1], Extra: append(append(append(defs,
			rootUFS...),
			"-Dalluxio.master.rpc.addresses="+strings.Join(c.RPCs, ","),
			"-Dalluxio.user.rpc.retry.max.duration=60s",
		), cfg.defines...), WebTLS: cfg.webTLS}
		if c.Net != nil {
			m.Host = clientHost(i)
		}
		if c.S3 != nil {
			// In the master's alluxio-site.properties: the credentials
			// stay off command lines, which any user of the machine can
			// read in ps.
			writeSiteProperties(t, m, c.S3.Properties())
		}
		if i == 0 || cfg.journal != JournalZK {
			if out, code := m.Run("format"); code != 0 {
				t.Fatalf("format: %s", out)
			}
		}
		name, args := cfg.bin, append([]string{"master"}, m.Defines()...)
		if c.Net != nil {
			name, args = c.Net.Command(i, cfg.bin, args...)
		}
		m.Proc = testcluster.Start(t, fmt.Sprintf("master%d", i), name, args, append(m.Env(), cfg.env...))
		c.Masters = append(c.Masters, m)
	}
	c.WaitLeader()
	for i := 0; i < cfg.workers; i++ {
		c.Workers = append(c.Workers, StartWorker(t, c.Masters[0], fmt.Sprintf("worker%d", i), cfg.quota))
	}
	return c
}

// Client returns a client that finds the leader through ZooKeeper, or by
// asking the masters, with retry budget retry.
func (c *HA) Client(retry time.Duration) *client.FileSystem {
	c.T.Helper()
	return c.ClientWith(client.Config{RetryMaxDuration: retry})
}

// ClientWith is Client with cfg's settings; the cluster fills in where the
// masters are. It is closed in cleanup.
func (c *HA) ClientWith(cfg client.Config) *client.FileSystem {
	c.T.Helper()
	cfg.Masters, cfg.RetryMaxSleep, cfg.User = c.RPCs, 200*time.Millisecond, "tester"
	if c.ZK != nil {
		cfg.ZooKeeper = c.ZK.Servers()
	}
	fs, err := client.New(cfg)
	if err != nil {
		c.T.Fatal(err)
	}
	c.T.Cleanup(func() { fs.Close() })
	return fs
}

// UFS is the root under storage the masters share: a folder, or with
// WithS3Root the folder the S3 server keeps the root's objects in.
func (c *HA) UFS() string {
	if c.S3 != nil {
		return filepath.Join(c.S3.Dir, c.S3Bucket, c.S3Prefix)
	}
	return filepath.Join(c.Shared, "ufs")
}

// WaitLeader waits until exactly one live master says it is primary and
// returns it.
func (c *HA) WaitLeader() *Master {
	c.T.Helper()
	var leader *Master
	testcluster.WaitFor(c.T, 60*time.Second, 20*time.Millisecond, func() (bool, string) {
		leader = nil
		n := 0
		for _, m := range c.Masters {
			if m.Proc.Exited() {
				continue
			}
			if h := m.Health(); h.OK && h.Role == "PRIMARY" {
				leader = m
				n++
			}
		}
		return n == 1, fmt.Sprintf("%d primaries", n)
	})
	return leader
}

// WaitNewLeader waits until a master other than old says it is primary.
func (c *HA) WaitNewLeader(old *Master) *Master {
	c.T.Helper()
	var leader *Master
	testcluster.WaitFor(c.T, 60*time.Second, 20*time.Millisecond, func() (bool, string) {
		for _, m := range c.Masters {
			if m != old {
				if h := m.Health(); h.OK && h.Role == "PRIMARY" {
					leader = m
					return true, ""
				}
			}
		}
		return false, "no new leader"
	})
	return leader
}

// WaitStandbys waits until every master answers.
func (c *HA) WaitStandbys() {
	c.T.Helper()
	for i, m := range c.Masters {
		testcluster.WaitFor(c.T, 60*time.Second, 20*time.Millisecond, func() (bool, string) {
			return m.Health().OK, fmt.Sprintf("master%d is not back", i)
		})
	}
}

// Converge waits until every running master has applied the same entries,
// and checks their namespaces are identical.
func (c *HA) Converge() {
	c.T.Helper()
	var ds []Digest
	testcluster.WaitFor(c.T, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		ds = ds[:0]
		for _, m := range c.Masters {
			if m.Proc.Exited() {
				continue
			}
			d, err := m.Digest()
			if err != nil {
				return false, err.Error()
			}
			ds = append(ds, d)
		}
		for _, d := range ds[1:] {
			if d.Seq != ds[0].Seq {
				return false, fmt.Sprintf("sequences differ: %+v", ds)
			}
		}
		return true, ""
	})
	for _, d := range ds[1:] {
		if d != ds[0] {
			c.T.Fatalf("masters at the same sequence disagree: %+v", ds)
		}
	}
}

// Index is m's position in Masters, or -1.
func (c *HA) Index(m *Master) int {
	for i, x := range c.Masters {
		if x == m {
			return i
		}
	}
	return -1
}

// Others are the masters other than m.
func (c *HA) Others(m *Master) []*Master {
	var out []*Master
	for _, x := range c.Masters {
		if x != m {
			out = append(out, x)
		}
	}
	return out
}

// Processes are the masters', workers' and S3 server's processes.
func (c *HA) Processes() []*testcluster.Process {
	var out []*testcluster.Process
	for _, m := range c.Masters {
		out = append(out, m.Proc)
	}
	for _, w := range c.Workers {
		out = append(out, w.Proc)
	}
	if c.S3 != nil {
		out = append(out, c.S3.Process())
	}
	return out
}

// Heal undoes whatever a fault may have left: every peer link up, every
// ZooKeeper server, master and worker running and not paused. It then
// waits, each wait with its deadline, for every master to answer, for one
// leader, and for every master to hold the same namespace, and fails the
// test for a master that cannot run again.
func (c *HA) Heal() {
	t := c.T
	t.Helper()
	if c.Net != nil {
		for i := range c.Masters {
			c.Net.HealPeer(i)
		}
	}
	if c.S3 != nil && c.S3.Process().Exited() {
		c.S3.Restart(t)
	}
	if c.ZK != nil {
		for i := 0; i < 3; i++ {
			if c.ZK.Process(i).Exited() {
				c.ZK.Start(i)
			}
		}
		c.ZK.WaitReady(t, 90*time.Second)
	}
	for _, m := range c.Masters {
		if m.Proc.Exited() {
			m.Proc.Restart(t)
		} else {
			m.Proc.Resume()
		}
	}
	for _, w := range c.Workers {
		if w.Proc.Exited() {
			w.Proc.Restart(t)
			w.WaitRegistered()
		}
	}
	// All three must answer, or a master that cannot start again would go
	// unnoticed.
	testcluster.WaitFor(t, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		for i, m := range c.Masters {
			if m.Proc.Exited() {
				return true, ""
			}
			if !m.Health().OK {
				return false, fmt.Sprintf("master%d does not answer", i)
			}
		}
		return true, ""
	})
	for i, m := range c.Masters {
		if m.Proc.Exited() {
			t.Errorf("testcluster: master%d does not run after the heal (%v); log %s", i, m.Proc.ExitErr(), m.Proc.LogPath())
		}
	}
	c.WaitLeader()
	c.Converge()
}

// StopAll stops every worker and master, so that whatever they print on
// the way out is in their logs.
func (c *HA) StopAll() {
	for _, w := range c.Workers {
		w.Proc.Stop(10 * time.Second)
	}
	for _, m := range c.Masters {
		m.Proc.Stop(10 * time.Second)
	}
}

// writeSiteProperties adds props to the alluxio-site.properties of m's
// configuration folder (Master.Env's ALLUXIO_CONF_DIR).
func writeSiteProperties(t testing.TB, m *Master, props map[string]string) {
	t.Helper()
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, props[k])
	}
	dir := filepath.Join(m.Dir, "conf")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "alluxio-site.properties"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
}
