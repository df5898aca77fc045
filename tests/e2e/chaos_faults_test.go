package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// Fault kinds. Each is undone before the next begins, so the cluster can
// always make progress once the fault ends, and a run tests recovery from
// every kind rather than a cluster that stays down.
const (
	faultKillLeader    = "kill-leader"    // kill -9, restarted after Hold
	faultKillStandby   = "kill-standby"   // kill -9, restarted after Hold
	faultPauseLeader   = "pause-leader"   // SIGSTOP for Hold, then SIGCONT
	faultCutLeader     = "cut-leader"     // off the peer network (other masters, ZooKeeper) for Hold
	faultRestartZK     = "restart-zk"     // one ZooKeeper server killed, restarted after Hold
	faultRestartWorker = "restart-worker" // kill -9, restarted after Hold
	faultWipeStandby   = "wipe-standby"   // killed, its journal removed, restarted: it rejoins from a snapshot
)

func chaosFaultKinds(journal string) []string {
	kinds := []string{faultKillLeader, faultKillStandby, faultPauseLeader, faultCutLeader, faultRestartWorker}
	if journal == "zk" {
		return append(kinds, faultRestartZK)
	}
	return append(kinds, faultWipeStandby)
}

// chaosFault is one planned fault: Gap of quiet before it, then Kind for
// Hold. Pick chooses among standbys, workers or ZooKeeper servers (modulo
// their number), so the plan follows from the seed alone; which master
// leads is seen when the fault starts.
type chaosFault struct {
	Kind string
	Gap  time.Duration
	Hold time.Duration
	Pick int
}

func (f chaosFault) String() string {
	return fmt.Sprintf("after %.1fs %s for %.1fs (pick %d)", f.Gap.Seconds(), f.Kind, f.Hold.Seconds(), f.Pick)
}

func chaosHold(kind, journal string) (lo, hi time.Duration) {
	switch kind {
	case faultPauseLeader:
		// Past the election timeouts and the ZooKeeper session (3s):
		// the cluster moves on without the paused leader.
		return time.Second, 4 * time.Second
	case faultCutLeader:
		if journal == "zk" {
			return 4 * time.Second, 9 * time.Second
		}
		return 2 * time.Second, 6 * time.Second
	case faultRestartZK:
		return 500 * time.Millisecond, 4 * time.Second
	}
	return 200 * time.Millisecond, 3 * time.Second
}

// chaosPlan is the schedule of faults for d, from the seed alone.
func chaosPlan(seed uint64, journal string, d time.Duration) []chaosFault {
	rng := rand.New(rand.NewPCG(seed, 0xfa017))
	kinds := chaosFaultKinds(journal)
	var plan []chaosFault
	for total := time.Duration(0); total < d && len(plan) < 10000; {
		f := chaosFault{Kind: kinds[rng.IntN(len(kinds))], Gap: time.Duration(1000+rng.IntN(2000)) * time.Millisecond, Pick: rng.IntN(6)}
		lo, hi := chaosHold(f.Kind, journal)
		f.Hold = lo + time.Duration(rng.Int64N(int64(hi-lo)))
		plan = append(plan, f)
		total += f.Gap + f.Hold
	}
	return plan
}

// chaosFaultLog counts what was done.
type chaosFaultLog struct {
	Done    map[string]int
	Skipped map[string]int
	Lines   []string
}

func (l *chaosFaultLog) String() string {
	var parts []string
	for _, k := range chaosSortedKeys(l.Done) {
		parts = append(parts, fmt.Sprintf("%s %d", k, l.Done[k]))
	}
	for _, k := range chaosSortedKeys(l.Skipped) {
		parts = append(parts, fmt.Sprintf("%s skipped %d", k, l.Skipped[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func chaosSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// runFaults plays the plan until it ends or deadline passes. It runs on
// the test goroutine: waiting for a leader fails the test when the cluster
// does not recover from the previous fault in time.
func (cc *chaosCluster) runFaults(t *testing.T, plan []chaosFault, deadline time.Time, start time.Time) *chaosFaultLog {
	l := &chaosFaultLog{Done: map[string]int{}, Skipped: map[string]int{}}
	logf := func(format string, args ...any) {
		line := fmt.Sprintf("%8.3fs ", time.Since(start).Seconds()) + fmt.Sprintf(format, args...)
		l.Lines = append(l.Lines, line)
		t.Log("chaos: " + line)
	}
	crashed := map[*testcluster.Process]bool{}
	for i, f := range plan {
		if !time.Now().Add(f.Gap).Before(deadline) {
			break
		}
		// The schedule's own pace, not a wait for a condition.
		time.Sleep(f.Gap)
		// Every fault ends with its processes running again: one that
		// exited since did so on its own.
		for _, p := range cc.processes() {
			if p.Exited() && !crashed[p] {
				crashed[p] = true
				t.Errorf("chaos: %s exited on its own (%v); log %s", p.Name(), p.ExitErr(), p.LogPath())
			}
		}
		leader := cc.waitLeader()
		li := cc.index(leader)
		standbys := cc.others(leader)
		what := fmt.Sprintf("fault %d/%d %s", i+1, len(plan), f.Kind)
		switch f.Kind {
		case faultKillLeader:
			logf("%s: master%d, down %.1fs", what, li, f.Hold.Seconds())
			leader.proc.Kill()
			time.Sleep(f.Hold)
			leader.proc.Restart(t)
		case faultKillStandby, faultWipeStandby:
			m := standbys[f.Pick%len(standbys)]
			logf("%s: master%d, down %.1fs", what, cc.index(m), f.Hold.Seconds())
			m.proc.Kill()
			if f.Kind == faultWipeStandby {
				if err := os.RemoveAll(filepath.Join(m.dir, "journal")); err != nil {
					t.Fatalf("chaos: wiping master%d: %v", cc.index(m), err)
				}
			}
			time.Sleep(f.Hold)
			m.proc.Restart(t)
		case faultPauseLeader:
			logf("%s: master%d, paused %.1fs", what, li, f.Hold.Seconds())
			if err := leader.proc.Pause(); err != nil {
				logf("pausing master%d: %v", li, err)
			}
			time.Sleep(f.Hold)
			if err := leader.proc.Resume(); err != nil {
				logf("resuming master%d: %v", li, err)
			}
		case faultCutLeader:
			if cc.nt == nil {
				l.Skipped[f.Kind]++
				logf("%s: skipped, %s", what, cc.noNet)
				continue
			}
			logf("%s: master%d off the peer network %.1fs", what, li, f.Hold.Seconds())
			cc.nt.CutPeer(li)
			time.Sleep(f.Hold)
			cc.nt.HealPeer(li)
		case faultRestartZK:
			z := f.Pick % 3
			logf("%s: zk%d, down %.1fs", what, z+1, f.Hold.Seconds())
			cc.zk.Kill(z)
			time.Sleep(f.Hold)
			cc.zk.Start(z)
			// Two servers down would be a ZooKeeper outage, a different
			// test (TestZKQuorumLossAndReturn).
			cc.zk.WaitReady(t, 90*time.Second)
		case faultRestartWorker:
			w := cc.workers[f.Pick%len(cc.workers)]
			logf("%s: %s, down %.1fs", what, w.name, f.Hold.Seconds())
			w.proc.Kill()
			time.Sleep(f.Hold)
			w.proc.Restart(t)
			w.waitRegistered()
		}
		l.Done[f.Kind]++
	}
	return l
}

// leaderWatch counts leader changes: it asks every master for its role
// every pollEvery and counts a change whenever the one primary differs
// from the last one seen.
type leaderWatch struct {
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	changes int
	lines   []string
}

func (cc *chaosCluster) watchLeader(start time.Time) *leaderWatch {
	const pollEvery = 100 * time.Millisecond
	w := &leaderWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		last := -1
		for {
			select {
			case <-w.stop:
				return
			case <-time.After(pollEvery):
			}
			roles := make([]health, len(cc.masters))
			var wg sync.WaitGroup
			for i, m := range cc.masters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					roles[i] = m.health()
				}()
			}
			wg.Wait()
			primary, n := -1, 0
			for i, h := range roles {
				if h.ok && h.Role == "PRIMARY" {
					primary, n = i, n+1
				}
			}
			if n != 1 || primary == last {
				continue
			}
			w.mu.Lock()
			if last >= 0 {
				w.changes++
			}
			w.lines = append(w.lines, fmt.Sprintf("%8.3fs leader master%d (epoch %d)", time.Since(start).Seconds(), primary, roles[primary].Epoch))
			w.mu.Unlock()
			last = primary
		}
	}()
	return w
}

// finish stops the watch and returns the number of leader changes seen
// and when each leader was first seen.
func (w *leaderWatch) finish() (int, []string) {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changes, w.lines
}
