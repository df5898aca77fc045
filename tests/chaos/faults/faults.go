// Package faults holds the chaos harness's fault kinds, each behind one
// small interface (as etcd's robustness failpoints are), the seeded
// schedule of them, and the runner that plays a schedule against an HA
// cluster while counting leader changes.
package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// Env is what decides which faults apply to a cluster.
type Env struct {
	Journal string // cluster.JournalZK or JournalEmbedded
	Net     bool   // the masters run in network namespaces
	S3      bool   // the root under storage is on the cluster's S3 server
	// PauseUFS: the masters pause before the under storage changes under
	// PausedDir (PauseFailpoint).
	PauseUFS bool
	// Only, when set, limits the kinds to these names.
	Only []string
}

// Fault is one kind of fault. Each is undone before the next begins, so
// the cluster can always make progress once the fault ends, and a run
// tests recovery from every kind rather than a cluster that stays down.
type Fault interface {
	// Name is the kind's name in schedules and counts.
	Name() string
	// Applies says why the fault cannot be done in env ("" when it can).
	Applies(env Env) string
	// Hold is the range of how long the fault lasts.
	Hold(env Env) (lo, hi time.Duration)
	// Inject does the fault for hold and undoes it, on the test's
	// goroutine; leader is the master leading when it starts, pick
	// chooses among standbys, workers or ZooKeeper servers (modulo their
	// number). It returns what it did, for the log.
	Inject(t testing.TB, c *cluster.HA, leader *cluster.Master, hold time.Duration, pick int) string
}

// All are the fault kinds there are.
var All = []Fault{killLeader{}, killStandby{}, pauseLeader{}, cutLeader{}, restartWorker{}, restartZK{}, wipeStandby{}, restartS3{}, cutPausedLeader{}}

// Applicable are the kinds of All that apply in env.
func Applicable(env Env) []Fault {
	var out []Fault
	for _, f := range All {
		if f.Applies(env) == "" && (len(env.Only) == 0 || slices.Contains(env.Only, f.Name())) {
			out = append(out, f)
		}
	}
	return out
}

// ByName finds a kind of All.
func ByName(name string) Fault {
	for _, f := range All {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// defaultHold is how long a killed process stays down.
func defaultHold() (time.Duration, time.Duration) { return 200 * time.Millisecond, 3 * time.Second }

type killLeader struct{}

func (killLeader) Name() string                            { return "kill-leader" }
func (killLeader) Applies(Env) string                      { return "" }
func (killLeader) Hold(Env) (time.Duration, time.Duration) { return defaultHold() }
func (killLeader) Inject(t testing.TB, c *cluster.HA, leader *cluster.Master, hold time.Duration, _ int) string {
	leader.Proc.Kill()
	time.Sleep(hold)
	leader.Proc.Restart(t)
	return fmt.Sprintf("master%d killed, down %.1fs", c.Index(leader), hold.Seconds())
}

type killStandby struct{}

func (killStandby) Name() string                            { return "kill-standby" }
func (killStandby) Applies(Env) string                      { return "" }
func (killStandby) Hold(Env) (time.Duration, time.Duration) { return defaultHold() }
func (killStandby) Inject(t testing.TB, c *cluster.HA, leader *cluster.Master, hold time.Duration, pick int) string {
	standbys := c.Others(leader)
	m := standbys[pick%len(standbys)]
	m.Proc.Kill()
	time.Sleep(hold)
	m.Proc.Restart(t)
	return fmt.Sprintf("master%d killed, down %.1fs", c.Index(m), hold.Seconds())
}

// wipeStandby kills a standby, removes its journal and restarts it: it
// rejoins from a snapshot. Only the embedded journal has one per master.
type wipeStandby struct{}

func (wipeStandby) Name() string { return "wipe-standby" }
func (wipeStandby) Applies(e Env) string {
	if e.Journal != cluster.JournalEmbedded {
		return "only the embedded journal keeps a journal per master"
	}
	return ""
}
func (wipeStandby) Hold(Env) (time.Duration, time.Duration) { return defaultHold() }
func (wipeStandby) Inject(t testing.TB, c *cluster.HA, leader *cluster.Master, hold time.Duration, pick int) string {
	standbys := c.Others(leader)
	m := standbys[pick%len(standbys)]
	m.Proc.Kill()
	if err := os.RemoveAll(filepath.Join(m.Dir, "journal")); err != nil {
		t.Fatalf("chaos: wiping master%d: %v", c.Index(m), err)
	}
	time.Sleep(hold)
	m.Proc.Restart(t)
	return fmt.Sprintf("master%d killed, journal removed, down %.1fs", c.Index(m), hold.Seconds())
}

// pauseLeader stops the leader with SIGSTOP past the election timeouts
// and the ZooKeeper session (3s): the cluster moves on without it.
type pauseLeader struct{}

func (pauseLeader) Name() string       { return "pause-leader" }
func (pauseLeader) Applies(Env) string { return "" }
func (pauseLeader) Hold(Env) (time.Duration, time.Duration) {
	return time.Second, 4 * time.Second
}
func (pauseLeader) Inject(t testing.TB, c *cluster.HA, leader *cluster.Master, hold time.Duration, _ int) string {
	li := c.Index(leader)
	if err := leader.Proc.Pause(); err != nil {
		t.Errorf("chaos: pausing master%d: %v", li, err)
	}
	time.Sleep(hold)
	if err := leader.Proc.Resume(); err != nil {
		t.Errorf("chaos: resuming master%d: %v", li, err)
	}
	return fmt.Sprintf("master%d paused %.1fs", li, hold.Seconds())
}

// cutLeader takes the leader off the peer network (the other masters,
// and ZooKeeper) while clients still reach it.
type cutLeader struct{}

func (cutLeader) Name() string { return "cut-leader" }
func (cutLeader) Applies(e Env) string {
	if !e.Net {
		return "the masters run on loopback"
	}
	return ""
}
func (cutLeader) Hold(e Env) (time.Duration, time.Duration) {
	if e.Journal == cluster.JournalZK {
		return 4 * time.Second, 9 * time.Second
	}
	return 2 * time.Second, 6 * time.Second
}
func (cutLeader) Inject(t testing.TB, c *cluster.HA, leader *cluster.Master, hold time.Duration, _ int) string {
	li := c.Index(leader)
	c.Net.CutPeer(li)
	time.Sleep(hold)
	c.Net.HealPeer(li)
	return fmt.Sprintf("master%d off the peer network %.1fs", li, hold.Seconds())
}

type restartWorker struct{}

func (restartWorker) Name() string                            { return "restart-worker" }
func (restartWorker) Applies(Env) string                      { return "" }
func (restartWorker) Hold(Env) (time.Duration, time.Duration) { return defaultHold() }
func (restartWorker) Inject(t testing.TB, c *cluster.HA, _ *cluster.Master, hold time.Duration, pick int) string {
	w := c.Workers[pick%len(c.Workers)]
	w.Proc.Kill()
	time.Sleep(hold)
	w.Proc.Restart(t)
	w.WaitRegistered()
	return fmt.Sprintf("%s killed, down %.1fs", w.Name, hold.Seconds())
}

// restartZK kills one ZooKeeper server and starts it again. Two down
// would be a ZooKeeper outage, a different test (TestZKQuorumLossAndReturn).
type restartZK struct{}

func (restartZK) Name() string { return "restart-zk" }
func (restartZK) Applies(e Env) string {
	if e.Journal != cluster.JournalZK {
		return "no ZooKeeper"
	}
	return ""
}
func (restartZK) Hold(Env) (time.Duration, time.Duration) {
	return 500 * time.Millisecond, 4 * time.Second
}
func (restartZK) Inject(t testing.TB, c *cluster.HA, _ *cluster.Master, hold time.Duration, pick int) string {
	z := pick % 3
	c.ZK.Kill(z)
	time.Sleep(hold)
	c.ZK.Start(z)
	c.ZK.WaitReady(t, 90*time.Second)
	return fmt.Sprintf("zk%d killed, down %.1fs", z+1, hold.Seconds())
}

// restartS3 kills the S3 server that holds the root under storage
// (SIGKILL: uploads and reads in progress break) and starts it again on
// the same port and folder: an object store that goes away and comes back
// with its data. Meanwhile writes through it fail and under storage
// changes stay pending; none may be lost.
type restartS3 struct{}

func (restartS3) Name() string { return "restart-s3" }
func (restartS3) Applies(e Env) string {
	if !e.S3 {
		return "the root under storage is not on S3"
	}
	return ""
}
func (restartS3) Hold(Env) (time.Duration, time.Duration) { return defaultHold() }
func (restartS3) Inject(t testing.TB, c *cluster.HA, _ *cluster.Master, hold time.Duration, _ int) string {
	c.S3.Kill()
	time.Sleep(hold)
	c.S3.Restart(t)
	return fmt.Sprintf("S3 server killed, down %.1fs", hold.Seconds())
}
