package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/underfs/local"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// chaosCluster is a haCluster of three masters and workers, with the
// masters in network namespaces of their own when the machine allows, so
// that a leader can be cut off from the other masters (and from
// ZooKeeper) while clients still reach it. The test, the workers and
// ZooKeeper run in the root namespace: workers and clients reach the
// masters on the client network, masters reach each other and ZooKeeper
// on the peer network.
type chaosCluster struct {
	*haCluster
	journal string
	nt      *testcluster.Net // nil: everything on loopback
	noNet   string           // why nt is nil
}

// newChaosCluster starts the cluster and waits for a leader and the
// workers. env is added to the masters' environment.
func newChaosCluster(t *testing.T, journal, bin string, workers int, env []string) *chaosCluster {
	t.Helper()
	cc := &chaosCluster{journal: journal, haCluster: &haCluster{t: t, shared: t.TempDir()}}
	c := cc.haCluster
	why := testcluster.NetAvailable()
	if os.Getenv("CHAOS_NETNS") == "0" {
		why = "CHAOS_NETNS=0"
	}
	if why != "" {
		cc.noNet = "masters run on loopback: " + why
		t.Logf("chaos: %s; the %s fault is skipped", cc.noNet, faultCutLeader)
	} else {
		cc.nt = testcluster.NewNet(t, 3)
	}
	if journal == "zk" {
		if cc.nt != nil {
			c.zk = testcluster.StartZooKeeperOn(t, 3, cc.nt.PeerGateway())
		} else {
			c.zk = testcluster.StartZooKeeper(t, 3)
		}
		c.zk.WaitReady(t, 90*time.Second)
	}
	// Per master: rpc, web, embedded journal.
	ports := testcluster.FreePorts(t, 9)
	clientHost, peerHost := func(int) string { return "127.0.0.1" }, func(int) string { return "127.0.0.1" }
	if cc.nt != nil {
		clientHost, peerHost = cc.nt.ClientIP, cc.nt.PeerIP
	}
	var journals []string
	for i := 0; i < 3; i++ {
		c.rpcs = append(c.rpcs, fmt.Sprintf("%s:%d", clientHost(i), ports[3*i]))
		journals = append(journals, fmt.Sprintf("%s:%d", peerHost(i), ports[3*i+2]))
	}
	for i := 0; i < 3; i++ {
		var defs []string
		if journal == "zk" {
			defs = []string{
				"-Dalluxio.master.journal.type=UFS",
				"-Dalluxio.zookeeper.enabled=true",
				"-Dalluxio.zookeeper.address=" + c.zk.Address(),
				"-Dalluxio.zookeeper.session.timeout=3s",
				"-Dalluxio.master.journal.folder=" + filepath.Join(c.shared, "journal"),
				"-Dalluxio.master.journal.tailer.sleep.time=20ms",
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
				// Snapshots often, so a wiped standby catches up from one.
				"-Dalluxio.master.journal.checkpoint.period.entries=200",
			}
		}
		m := &master{t: t, bin: bin, dir: t.TempDir(), rpcPort: ports[3*i], webPort: ports[3*i+1], extra: append(defs,
			"-Dalluxio.master.mount.table.root.ufs="+filepath.Join(c.shared, "ufs"),
			"-Dalluxio.master.rpc.addresses="+strings.Join(c.rpcs, ","),
			"-Dalluxio.user.rpc.retry.max.duration=60s",
		)}
		if cc.nt != nil {
			m.host = clientHost(i)
		}
		if i == 0 || journal != "zk" {
			if out, code := m.run("format"); code != 0 {
				t.Fatalf("format: %s", out)
			}
		}
		name, args := bin, append([]string{"master"}, m.defines()...)
		if cc.nt != nil {
			name, args = cc.nt.Command(i, bin, args...)
		}
		m.proc = testcluster.Start(t, fmt.Sprintf("master%d", i), name, args, append(m.env(), env...))
		c.masters = append(c.masters, m)
	}
	c.waitLeader()
	for i := 0; i < workers; i++ {
		c.workers = append(c.workers, startWorker(t, c.masters[0], fmt.Sprintf("worker%d", i), "256MB"))
	}
	return cc
}

// fs returns a client with retry budget retry.
func (cc *chaosCluster) fs(retry time.Duration) *client.FileSystem {
	cc.t.Helper()
	return cc.clientWith(client.Config{RetryMaxDuration: retry, RPCTimeout: 10 * time.Second})
}

func (cc *chaosCluster) index(m *master) int {
	for i, x := range cc.masters {
		if x == m {
			return i
		}
	}
	return -1
}

func (cc *chaosCluster) others(m *master) []*master {
	var out []*master
	for _, x := range cc.masters {
		if x != m {
			out = append(out, x)
		}
	}
	return out
}

// processes are the masters' and workers' processes.
func (cc *chaosCluster) processes() []*testcluster.Process {
	var out []*testcluster.Process
	for _, m := range cc.masters {
		out = append(out, m.proc)
	}
	for _, w := range cc.workers {
		out = append(out, w.proc)
	}
	return out
}

// heal undoes whatever a fault may have left (nothing, when each ended as
// planned) and waits for one leader and for every master to hold the same
// namespace, each wait with its deadline.
func (cc *chaosCluster) heal(t *testing.T) {
	t.Helper()
	if cc.nt != nil {
		for i := range cc.masters {
			cc.nt.HealPeer(i)
		}
	}
	if cc.zk != nil {
		for i := 0; i < 3; i++ {
			if cc.zk.Process(i).Exited() {
				cc.zk.Start(i)
			}
		}
		cc.zk.WaitReady(t, 90*time.Second)
	}
	for _, m := range cc.masters {
		if m.proc.Exited() {
			m.proc.Restart(t)
		} else {
			m.proc.Resume()
		}
	}
	for _, w := range cc.workers {
		if w.proc.Exited() {
			w.proc.Restart(t)
			w.waitRegistered()
		}
	}
	// converge compares the masters that run: all three must, or a master
	// that cannot start again would go unnoticed.
	testcluster.WaitFor(t, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		for i, m := range cc.masters {
			if m.proc.Exited() {
				return true, ""
			}
			if !m.health().ok {
				return false, fmt.Sprintf("master%d does not answer", i)
			}
		}
		return true, ""
	})
	for i, m := range cc.masters {
		if m.proc.Exited() {
			t.Errorf("chaos: master%d does not run after the heal (%v); log %s", i, m.proc.ExitErr(), m.proc.LogPath())
		}
	}
	cc.waitLeader()
	cc.converge()
}

// setup creates the groups of every epoch, persisted, so the under
// storage holds them from the start.
func (cc *chaosCluster) setup(t *testing.T, epochs int) {
	t.Helper()
	fs := cc.fs(60 * time.Second)
	for g := 0; g < epochs*chaosGroups; g++ {
		if _, err := fs.CreateDirectory(context.Background(), fmt.Sprintf("/chaos/g%d", g),
			client.CreateDirectoryOptions{Recursive: true, WriteType: "CACHE_THROUGH"}); err != nil {
			t.Fatal(err)
		}
	}
}

// checkUnderStorage compares the final namespace with the root under
// storage. lost lists complete files whose copy there is missing or
// differs: acknowledged data that only a worker's cache still holds, if
// any. extra lists names only the under storage has, which a later
// metadata load could bring back.
func (cc *chaosCluster) checkUnderStorage(fs *client.FileSystem, epochs int) (lost, extra []string) {
	never := time.Duration(-1)
	for g := 0; g < epochs*chaosGroups; g++ {
		dir := fmt.Sprintf("/chaos/g%d", g)
		infos, err := fs.ListStatus(context.Background(), dir, false, client.StatusOptions{SyncInterval: &never, LoadType: "NEVER"})
		if err != nil {
			lost = append(lost, fmt.Sprintf("listing %s: %v", dir, err))
			continue
		}
		inAlluxio := map[string]*client.FileInfo{}
		for _, fi := range infos {
			inAlluxio[fi.Name] = fi
		}
		ufsDir := filepath.Join(cc.shared, "ufs", "chaos", fmt.Sprintf("g%d", g))
		entries, err := os.ReadDir(ufsDir)
		if err != nil {
			lost = append(lost, fmt.Sprintf("under storage %s: %v", dir, err))
			continue
		}
		inUFS := map[string]bool{}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), local.TempPrefix) {
				continue
			}
			inUFS[e.Name()] = true
			if inAlluxio[e.Name()] == nil {
				extra = append(extra, fmt.Sprintf("%s/%s is in the under storage only", dir, e.Name()))
			}
		}
		for _, name := range chaosSortedKeys(inAlluxio) {
			fi := inAlluxio[name]
			p := dir + "/" + name
			switch {
			case fi.IsDir && !inUFS[name]:
				lost = append(lost, fmt.Sprintf("directory %s is not in the under storage", p))
			case fi.IsDir || !fi.Completed:
			case !inUFS[name]:
				lost = append(lost, fmt.Sprintf("complete file %s (id %d, %d bytes) is not in the under storage", p, fi.ID, fi.Length))
			default:
				b, err := os.ReadFile(filepath.Join(ufsDir, name))
				if err != nil {
					lost = append(lost, fmt.Sprintf("%s in the under storage: %v", p, err))
				} else if v := chaosVerify(b); v == "corrupt" || int64(len(b)) != fi.Length {
					lost = append(lost, fmt.Sprintf("%s (id %d): the under storage holds %d bytes (%s), the namespace says %d", p, fi.ID, len(b), v, fi.Length))
				}
			}
		}
	}
	return lost, extra
}

// stopAll stops every master and worker, so that whatever they print on
// the way out is in their logs before those are scanned.
func (cc *chaosCluster) stopAll() {
	for _, w := range cc.workers {
		w.proc.Stop(10 * time.Second)
	}
	for _, m := range cc.masters {
		m.proc.Stop(10 * time.Second)
	}
}

// chaosLogProblems are lines no process of a healthy run prints.
var chaosLogProblems = []string{"panic:", "fatal error:", "DATA RACE"}

// scanLogs returns "file:line: text" for each such line in the masters'
// and workers' logs in dir.
func scanLogs(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []string
	for _, p := range files {
		base := filepath.Base(p)
		if !strings.HasPrefix(base, "master") && !strings.HasPrefix(base, "worker") {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return out, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			for _, bad := range chaosLogProblems {
				if strings.Contains(line, bad) {
					out = append(out, fmt.Sprintf("%s:%d: %s", p, n, strings.TrimSpace(line)))
					break
				}
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return out, fmt.Errorf("%s: %w", p, err)
		}
	}
	return out, nil
}
