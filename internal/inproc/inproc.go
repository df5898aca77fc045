// Package inproc runs a master and workers inside the test process, on
// loopback ports, over a UFS journal and a local under storage in the
// test's temporary directory: the real servers, wired as the binary wires
// them, for tests of the client library, the worker and the master services
// that need no process to kill. Everything it starts stops when the test
// ends. Tests that kill processes use tests/testcluster.
package inproc

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/journal/ufsjournal"
	"github.com/alluxio-go/alluxio/internal/logging/logtest"
	"github.com/alluxio-go/alluxio/internal/master"
	"github.com/alluxio-go/alluxio/internal/worker"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// waitFor bounds every wait here; none sleeps a fixed time.
const waitFor = 30 * time.Second

// Options shape a Cluster. Zero values give one worker with a 64 MiB
// memory tier.
type Options struct {
	// Workers is how many workers to start (0: one; -1: none).
	Workers int
	// Properties are set on top of the test defaults, for the master and
	// every worker (alluxio.* keys).
	Properties map[string]string
	// TierRoot is the directory the workers' memory tiers go in (one
	// folder each); "" the test's temporary directory. A benchmark puts
	// them in a tmpfs, as a worker's memory tier is deployed.
	TierRoot string
}

// Cluster is a running master with its workers.
type Cluster struct {
	Master  *master.Server
	Workers []*worker.Server
	// UFS is the root under storage's directory.
	UFS string

	t     testing.TB
	dir   string
	tiers string
	props *conf.Properties
	mu    sync.Mutex
	n     int // workers started, to name their directories
}

// Start starts a master, waits until it serves as primary, starts the
// workers and waits until the master knows them all.
func Start(t testing.TB, o Options) *Cluster {
	t.Helper()
	dir := t.TempDir()
	c := &Cluster{t: t, dir: dir, tiers: dir, UFS: filepath.Join(dir, "ufs"), props: conf.New()}
	if o.TierRoot != "" {
		c.tiers = o.TierRoot
	}
	for k, v := range map[string]string{
		"alluxio.work.dir":                              dir,
		"alluxio.master.hostname":                       "127.0.0.1",
		"alluxio.master.bind.host":                      "127.0.0.1",
		"alluxio.master.rpc.port":                       strconv.Itoa(testcluster.FreePort(t)),
		"alluxio.master.web.port":                       "0",
		"alluxio.master.journal.type":                   "UFS",
		"alluxio.master.journal.folder":                 filepath.Join(dir, "journal"),
		"alluxio.master.journal.tailer.sleep.time":      "10ms",
		"alluxio.master.mount.table.root.ufs":           c.UFS,
		"alluxio.master.lost.worker.detection.interval": "100ms",
		"alluxio.worker.hostname":                       "127.0.0.1",
		"alluxio.worker.bind.host":                      "127.0.0.1",
		"alluxio.worker.rpc.port":                       "0",
		"alluxio.worker.web.port":                       "0",
		"alluxio.worker.block.heartbeat.interval":       "20ms",
		"alluxio.worker.tieredstore.levels":             "1",
		conf.TierKey(0, "alias"):                        "MEM",
		conf.TierKey(0, "dirs.quota"):                   "64MB",
		"alluxio.user.block.size.bytes.default":         "1MB",
		// The workers' user ("worker") is a superuser, as a cluster's
		// service user is: it gets the block capability keys.
		"alluxio.security.group.mapping.static.overrides": "worker=worker,supergroup",
	} {
		c.props.Set(k, v)
	}
	for k, v := range o.Properties {
		c.props.Set(k, v)
	}
	if err := ufsjournal.Format(filepath.Join(dir, "journal")); err != nil {
		t.Fatal(err)
	}
	c.startMaster(c.props)
	n := o.Workers
	if n == 0 {
		n = 1
	}
	for range max(n, 0) {
		c.StartWorker()
	}
	c.WaitWorkers(len(c.Workers))
	return c
}

// startMaster starts a master with p and waits until it serves.
func (c *Cluster) startMaster(p *conf.Properties) {
	c.t.Helper()
	mcfg, err := master.ConfigFromProperties(p)
	if err != nil {
		c.t.Fatalf("inproc: master configuration: %v", err)
	}
	m, err := master.New(mcfg, logger(c.t, "master"))
	if err != nil {
		c.t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		c.t.Fatalf("inproc: start master: %v", err)
	}
	c.t.Cleanup(func() { m.Stop(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := m.WaitPrimary(ctx); err != nil {
		c.t.Fatalf("inproc: master not primary: %v", err)
	}
	c.Master = m
}

// RestartMaster stops the master and starts a new one on the same journal
// and rpc port, as a restart or a failover looks to workers and clients:
// it knows the namespace again, but no worker until they register.
func (c *Cluster) RestartMaster() {
	c.t.Helper()
	if err := c.Master.Stop(context.Background()); err != nil {
		c.t.Fatalf("inproc: stop master: %v", err)
	}
	c.startMaster(c.props)
}

// StartWorker starts one more worker with its own storage directory and
// returns it; it is stopped when the test ends, if not before.
func (c *Cluster) StartWorker() *worker.Server {
	c.t.Helper()
	c.mu.Lock()
	c.n++
	name := "worker" + strconv.Itoa(c.n)
	c.mu.Unlock()
	w := c.startWorker(name, 0)
	c.mu.Lock()
	c.Workers = append(c.Workers, w)
	c.mu.Unlock()
	return w
}

// RestartWorker stops worker i and starts a new one over the same storage
// directory and rpc port, which finds the blocks the old one cached.
func (c *Cluster) RestartWorker(i int) *worker.Server {
	c.t.Helper()
	port := c.Workers[i].RPCAddr().(*net.TCPAddr).Port
	if err := c.Workers[i].Stop(context.Background()); err != nil {
		c.t.Fatalf("inproc: stop worker %d: %v", i, err)
	}
	w := c.startWorker("worker"+strconv.Itoa(i+1), port)
	c.mu.Lock()
	c.Workers[i] = w
	c.mu.Unlock()
	return w
}

func (c *Cluster) startWorker(name string, port int) *worker.Server {
	c.t.Helper()
	p := c.props.Clone()
	p.Set(conf.TierKey(0, "dirs.path"), filepath.Join(c.tiers, name))
	if port == 0 {
		// From the harness's range, so that a restart can bind it again.
		port = testcluster.FreePort(c.t)
	}
	p.Set("alluxio.worker.rpc.port", strconv.Itoa(port))
	wcfg, err := worker.ConfigFromProperties(p)
	if err != nil {
		c.t.Fatalf("inproc: worker configuration: %v", err)
	}
	fs := c.client(c.t, "worker")
	w, err := worker.New(wcfg, fs, logger(c.t, name))
	if err != nil {
		c.t.Fatal(err)
	}
	if err := w.Start(context.Background()); err != nil {
		c.t.Fatalf("inproc: start %s: %v", name, err)
	}
	// Registered after the client's cleanup, so it runs before it.
	c.t.Cleanup(func() { w.Stop(context.Background()) })
	return w
}

// WorkerDir is where worker i keeps its blocks (its memory tier's
// directory).
func (c *Cluster) WorkerDir(i int) string { return filepath.Join(c.tiers, "worker"+strconv.Itoa(i+1)) }

// WaitWorkers waits until the master lists n live workers.
func (c *Cluster) WaitWorkers(n int) {
	c.t.Helper()
	fs := c.Client()
	deadline := time.Now().Add(waitFor)
	for {
		ws, err := fs.Workers(context.Background())
		live := 0
		for _, w := range ws {
			if w.State == "LIVE" {
				live++
			}
		}
		if err == nil && live == n && c.workersHaveKeys() {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("inproc: %d live workers after %s, want %d (%v)", live, waitFor, n, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// workersHaveKeys reports whether every worker has the master's block
// capability keys (or capabilities are off), so that a test's first block
// request meets a worker that checks it.
func (c *Cluster) workersHaveKeys() bool {
	if on, err := c.props.GetBool("alluxio.security.block.capability.enabled"); err == nil && !on {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.Workers {
		if !w.ChecksCapabilities() {
			return false
		}
	}
	return true
}

// Client is a client of the cluster as the test's user, closed when the
// test ends.
func (c *Cluster) Client() *client.FileSystem {
	c.t.Helper()
	return c.client(c.t, "")
}

// ClientWith is a client whose configuration adjust changed first.
func (c *Cluster) ClientWith(adjust func(*client.Config)) *client.FileSystem {
	c.t.Helper()
	return c.client(c.t, "", adjust)
}

func (c *Cluster) client(t testing.TB, user string, adjust ...func(*client.Config)) *client.FileSystem {
	t.Helper()
	cfg := client.Config{Masters: []string{c.Master.RPCAddr().String()}, User: user,
		RetryMaxDuration: waitFor, RPCTimeout: waitFor}
	for _, a := range adjust {
		a(&cfg)
	}
	fs, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	return fs
}

// logger sends a server's warnings and errors to t.Log (the rest is noise
// in a failure report).
func logger(t testing.TB, name string) *slog.Logger { return logtest.New(t, name, slog.LevelWarn) }
