package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// haCluster is 3 ZooKeeper servers, 3 masters sharing one journal folder
// and one root under storage, and workers.
type haCluster struct {
	t       testing.TB
	zk      *testcluster.ZKEnsemble
	masters []*master
	workers []*worker
	shared  string
	rpcs    []string
}

// newZKCluster starts a cluster with the UFS journal and ZooKeeper, and
// waits for a leader.
func newZKCluster(t testing.TB, workers int, sessionTimeout string) *haCluster {
	t.Helper()
	zk := testcluster.StartZooKeeper(t, 3)
	zk.WaitReady(t, 90*time.Second)
	c := &haCluster{t: t, zk: zk, shared: t.TempDir()}
	c.start(workers, func(i int, rpcs []string) []string {
		return []string{
			"-Dalluxio.master.journal.type=UFS",
			"-Dalluxio.zookeeper.enabled=true",
			"-Dalluxio.zookeeper.address=" + zk.Address(),
			"-Dalluxio.zookeeper.session.timeout=" + sessionTimeout,
			"-Dalluxio.master.journal.folder=" + filepath.Join(c.shared, "journal"),
			"-Dalluxio.master.mount.table.root.ufs=" + filepath.Join(c.shared, "ufs"),
			"-Dalluxio.master.journal.tailer.sleep.time=20ms",
			// Small, so standbys write checkpoints (and delete what they
			// cover) while the primary writes and the others tail.
			"-Dalluxio.master.journal.checkpoint.period.entries=100",
		}
	})
	return c
}

// newEmbeddedCluster starts a cluster with the embedded (Raft) journal:
// each master keeps its own journal; the root under storage is shared.
func newEmbeddedCluster(t testing.TB, workers int, extra ...string) *haCluster {
	t.Helper()
	c := &haCluster{t: t, shared: t.TempDir()}
	journalPorts := testcluster.FreePorts(t, 3)
	var journals []string
	for _, p := range journalPorts {
		journals = append(journals, fmt.Sprintf("127.0.0.1:%d", p))
	}
	c.start(workers, func(i int, rpcs []string) []string {
		return append([]string{
			"-Dalluxio.master.journal.type=EMBEDDED",
			"-Dalluxio.master.embedded.journal.addresses=" + strings.Join(journals, ","),
			fmt.Sprintf("-Dalluxio.master.embedded.journal.port=%d", journalPorts[i]),
			"-Dalluxio.master.mount.table.root.ufs=" + filepath.Join(c.shared, "ufs"),
		}, extra...)
	})
	return c
}

// start runs three masters, each with the defines journal(i) gives, then
// workers.
func (c *haCluster) start(workers int, journal func(i int, rpcs []string) []string) {
	t := c.t
	t.Helper()
	bin := testcluster.Binary(t)
	ports := testcluster.FreePorts(t, 6)
	var rpcs []string
	for i := 0; i < 3; i++ {
		rpcs = append(rpcs, fmt.Sprintf("127.0.0.1:%d", ports[2*i]))
	}
	for i := 0; i < 3; i++ {
		m := &master{t: t, bin: bin, dir: t.TempDir(), rpcPort: ports[2*i], webPort: ports[2*i+1], extra: append(journal(i, rpcs),
			"-Dalluxio.master.rpc.addresses="+strings.Join(rpcs, ","),
			"-Dalluxio.user.rpc.retry.max.duration=60s",
		)}
		if i == 0 || c.zk == nil {
			if out, code := m.run("format"); code != 0 {
				t.Fatalf("format: %s", out)
			}
		}
		m.proc = testcluster.Start(t, fmt.Sprintf("master%d", i), bin, append([]string{"master"}, m.defines()...), m.env())
		c.masters = append(c.masters, m)
	}
	c.rpcs = rpcs
	c.waitLeader()
	for i := 0; i < workers; i++ {
		c.workers = append(c.workers, startWorker(t, c.masters[0], fmt.Sprintf("worker%d", i), "64MB"))
	}
}

// client returns a client that finds the leader through ZooKeeper, or by
// asking the masters.
func (c *haCluster) client(retry time.Duration) *client.FileSystem {
	c.t.Helper()
	return c.clientWith(client.Config{RetryMaxDuration: retry})
}

// clientWith is client with cfg's settings; the cluster fills in where the
// masters are.
func (c *haCluster) clientWith(cfg client.Config) *client.FileSystem {
	c.t.Helper()
	cfg.Masters, cfg.RetryMaxSleep, cfg.User = c.rpcs, 200*time.Millisecond, "tester"
	if c.zk != nil {
		cfg.ZooKeeper = c.zk.Servers()
	}
	fs, err := client.New(cfg)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { fs.Close() })
	return fs
}

// health is a master's /healthz answer; ok is false when it did not answer.
type health struct {
	Role    string `json:"role"`
	Epoch   uint64 `json:"epoch"`
	Applied uint64 `json:"last_applied_sequence"`
	ok      bool
}

func (m *master) health() health {
	var h health
	cl := http.Client{Timeout: time.Second}
	resp, err := cl.Get(fmt.Sprintf("http://%s:%d/healthz", m.hostOrLoopback(), m.webPort))
	if err != nil {
		return h
	}
	defer resp.Body.Close()
	h.ok = json.NewDecoder(resp.Body).Decode(&h) == nil
	return h
}

type digest struct {
	Seq    uint64 `json:"last_applied_sequence"`
	Inodes int    `json:"inodes"`
	Digest string `json:"digest"`
}

func (m *master) digest() (digest, error) {
	var d digest
	cl := http.Client{Timeout: 5 * time.Second}
	resp, err := cl.Get(fmt.Sprintf("http://%s:%d/debug/state", m.hostOrLoopback(), m.webPort))
	if err != nil {
		return d, err
	}
	defer resp.Body.Close()
	return d, json.NewDecoder(resp.Body).Decode(&d)
}

// leader waits until exactly one live master says it is primary and
// returns it.
func (c *haCluster) waitLeader() *master {
	c.t.Helper()
	var leader *master
	testcluster.WaitFor(c.t, 60*time.Second, 20*time.Millisecond, func() (bool, string) {
		leader = nil
		n := 0
		for _, m := range c.masters {
			if m.proc.Exited() {
				continue
			}
			if h := m.health(); h.ok && h.Role == "PRIMARY" {
				leader = m
				n++
			}
		}
		return n == 1, fmt.Sprintf("%d primaries", n)
	})
	return leader
}

// converge waits until every running master has applied the same entries,
// and checks their namespaces are identical.
func (c *haCluster) converge() {
	c.t.Helper()
	var ds []digest
	testcluster.WaitFor(c.t, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		ds = ds[:0]
		for _, m := range c.masters {
			if m.proc.Exited() {
				continue
			}
			d, err := m.digest()
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
			c.t.Fatalf("masters at the same sequence disagree: %+v", ds)
		}
	}
}

// write creates path with content; it reports whether the write was
// acknowledged.
func writeAck(c *client.FileSystem, path string, data []byte, writeType string) error {
	w, err := c.Create(context.Background(), path, client.CreateFileOptions{WriteType: writeType, BlockSize: 1 << 20, Recursive: true})
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Cancel()
		return err
	}
	return w.Close()
}
