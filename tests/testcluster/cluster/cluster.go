// Package cluster builds Alluxio clusters of real processes for end-to-end
// tests, on top of testcluster's processes, ports, ZooKeeper and network
// namespaces: one master (NewMaster), three with either journal (NewHA),
// workers (StartWorker), all behind one Cluster interface with options
// (New).
package cluster

import (
	"fmt"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// Cluster is what a suite needs of a running cluster, whatever its shape
// (one master, or three with either journal): a new suite (S3, FUSE,
// proxy, security) starts one in a line,
//
//	c := cluster.New(t, cluster.WithWorkers(1, "64MB"))
//	c := cluster.New(t, cluster.WithJournal(cluster.JournalZK), cluster.WithWorkers(2, "64MB"))
//
// and reaches the concrete type (*Master, *HA) for what is particular to it.
type Cluster interface {
	// ClientWith returns a client with cfg's settings and the cluster's
	// masters, closed in cleanup.
	ClientWith(cfg client.Config) *client.FileSystem
	// Run runs the CLI against the cluster: combined output, exit code.
	Run(args ...string) (string, int)
	// Must is Run for a command that has to succeed.
	Must(args ...string) string
	// Leader waits for the master that leads and returns it.
	Leader() *Master
	// UFS is the folder of the root under storage.
	UFS() string
	// AddWorker starts one more worker and waits until it registered.
	AddWorker(name, quota string) *Worker
}

// New starts a cluster: one master (UFS journal) unless WithJournal asks
// for three, then the workers of WithWorkers.
func New(t testing.TB, opts ...Option) Cluster {
	t.Helper()
	cfg := config{quota: "64MB"}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.ha {
		return NewHA(t, opts...)
	}
	bin := cfg.bin
	if bin == "" {
		bin = testcluster.Binary(t)
	}
	m := NewMasterWith(t, bin, cfg.defines...)
	for i := 0; i < cfg.workers; i++ {
		StartWorker(t, m, fmt.Sprintf("worker%d", i), cfg.quota)
	}
	return m
}

// Leader is the master itself.
func (m *Master) Leader() *Master { return m }

// AddWorker starts a worker of this master.
func (m *Master) AddWorker(name, quota string) *Worker { return StartWorker(m.T, m, name, quota) }

// Run runs the CLI with the first master's configuration (it lists every
// master, so the CLI finds the leader).
func (c *HA) Run(args ...string) (string, int) { c.T.Helper(); return c.Masters[0].Run(args...) }

// Must is Run for a command that has to succeed.
func (c *HA) Must(args ...string) string { c.T.Helper(); return c.Masters[0].Must(args...) }

// Leader waits for the one leader.
func (c *HA) Leader() *Master { c.T.Helper(); return c.WaitLeader() }

// AddWorker starts one more worker of the cluster.
func (c *HA) AddWorker(name, quota string) *Worker {
	c.T.Helper()
	w := StartWorker(c.T, c.Masters[0], name, quota)
	c.Workers = append(c.Workers, w)
	return w
}

var (
	_ Cluster = (*Master)(nil)
	_ Cluster = (*HA)(nil)
)
