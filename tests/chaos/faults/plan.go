package faults

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// Planned is one fault of a schedule: Gap of quiet before it, then Kind
// for Hold. Pick chooses among standbys, workers or ZooKeeper servers, so
// the schedule follows from the seed alone; which master leads is seen
// when the fault starts.
type Planned struct {
	Kind string
	Gap  time.Duration
	Hold time.Duration
	Pick int
}

func (f Planned) String() string {
	return fmt.Sprintf("after %.1fs %s for %.1fs (pick %d)", f.Gap.Seconds(), f.Kind, f.Hold.Seconds(), f.Pick)
}

// Plan is the schedule of faults of the kinds that apply in env for d,
// from the seed alone. Every kind comes once before any comes twice (in
// an order from the seed), so a run long enough for one of each has each.
func Plan(seed uint64, env Env, d time.Duration) []Planned {
	rng := rand.New(rand.NewPCG(seed, 0xfa017))
	kinds := Applicable(env)
	var plan []Planned
	first := rng.Perm(len(kinds))
	for total := time.Duration(0); total < d && len(plan) < 10000; {
		k := kinds[rng.IntN(len(kinds))]
		if len(plan) < len(first) {
			k = kinds[first[len(plan)]]
		}
		f := Planned{Kind: k.Name(), Gap: time.Duration(1000+rng.IntN(2000)) * time.Millisecond, Pick: rng.IntN(6)}
		lo, hi := k.Hold(env)
		f.Hold = lo + time.Duration(rng.Int64N(int64(hi-lo)))
		plan = append(plan, f)
		total += f.Gap + f.Hold
	}
	return plan
}

// Log counts and lists what was done.
type Log struct {
	Done  map[string]int
	Lines []string
}

func (l *Log) String() string {
	var parts []string
	for _, k := range SortedKeys(l.Done) {
		parts = append(parts, fmt.Sprintf("%s %d", k, l.Done[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// SortedKeys are m's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Run plays the plan against c until it ends or deadline passes, but not
// before each kind that applies in env was done once (Plan puts one of
// each first), so every run does every kind. It runs
// on the test goroutine: waiting for a leader fails the test when the
// cluster does not recover from the previous fault in time, and a process
// that exited on its own fails it too.
func Run(t testing.TB, c *cluster.HA, env Env, plan []Planned, deadline, start time.Time) *Log {
	l := &Log{Done: map[string]int{}}
	logf := func(format string, args ...any) {
		line := fmt.Sprintf("%8.3fs ", time.Since(start).Seconds()) + fmt.Sprintf(format, args...)
		l.Lines = append(l.Lines, line)
		t.Log("chaos: " + line)
	}
	crashed := map[*testcluster.Process]bool{}
	missing := func() bool {
		for _, k := range Applicable(env) {
			if l.Done[k.Name()] == 0 {
				return true
			}
		}
		return false
	}
	for i, f := range plan {
		if !time.Now().Add(f.Gap).Before(deadline) && !missing() {
			break
		}
		// The schedule's own pace, not a wait for a condition.
		time.Sleep(f.Gap)
		// Every fault ends with its processes running again: one that
		// exited since did so on its own.
		for _, p := range c.Processes() {
			if p.Exited() && !crashed[p] {
				crashed[p] = true
				t.Errorf("chaos: %s exited on its own (%v); log %s", p.Name(), p.ExitErr(), p.LogPath())
			}
		}
		kind := ByName(f.Kind)
		if kind == nil {
			t.Fatalf("chaos: no fault kind %q", f.Kind)
		}
		leader := c.WaitLeader()
		logf("fault %d/%d %s: %s", i+1, len(plan), f.Kind, kind.Inject(t, c, leader, f.Hold, f.Pick))
		l.Done[f.Kind]++
	}
	return l
}

// LeaderWatch counts leader changes: it asks every master for its role
// every pollEvery and counts a change whenever the primary of the highest
// epoch differs from the last seen, or its epoch does. So a change counts
// from when the successor serves, even while the deposed master still
// says it is primary, and a master that lost its leadership and won it
// back (a ZooKeeper session that expired while it was cut off, say)
// counts, as a successor would.
type LeaderWatch struct {
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	changes []Change
	lines   []string
}

// Change is a leader change the watch saw: it happened between From, the
// last poll that saw the previous leader serve, and To, the first that saw
// the next one (since the run's start). A poll takes up to a second, so
// the change is known only to lie in that window.
type Change struct{ From, To time.Duration }

// WatchLeader starts watching c's leader; times are from start.
func WatchLeader(c *cluster.HA, start time.Time) *LeaderWatch {
	const pollEvery = 100 * time.Millisecond
	w := &LeaderWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		last, lastSeen := leader{index: -1}, time.Duration(0)
		for {
			select {
			case <-w.stop:
				return
			case <-time.After(pollEvery):
			}
			asked := time.Since(start)
			roles := make([]cluster.Health, len(c.Masters))
			var wg sync.WaitGroup
			for i, m := range c.Masters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					roles[i] = m.Health()
				}()
			}
			wg.Wait()
			polled := time.Since(start)
			cur, ok := nextLeader(roles, last)
			if !ok {
				if cur == last && cur.index >= 0 {
					lastSeen = asked
				}
				continue
			}
			primary := cur.index
			w.mu.Lock()
			if last.index >= 0 {
				w.changes = append(w.changes, Change{From: lastSeen, To: polled})
			}
			w.lines = append(w.lines, fmt.Sprintf("%8.3fs leader master%d (epoch %d)", time.Since(start).Seconds(), primary, roles[primary].Epoch))
			w.mu.Unlock()
			last, lastSeen = cur, asked
		}
	}()
	return w
}

// leader is a master as primary of an epoch.
type leader struct {
	index int
	epoch uint64
}

// nextLeader picks, from the masters' answers, the primary of the
// highest epoch: a deposed master may say it is primary until it notices,
// and the change happened when its successor began. ok is false when that
// is last, when two masters claim the same epoch, or when it is of an
// older epoch than last (a deposed master answering while its successor
// did not).
func nextLeader(roles []cluster.Health, last leader) (cur leader, ok bool) {
	cur, tie := leader{index: -1}, false
	for i, h := range roles {
		if !h.OK || h.Role != "PRIMARY" {
			continue
		}
		switch {
		case cur.index < 0 || h.Epoch > cur.epoch:
			cur, tie = leader{i, h.Epoch}, false
		case h.Epoch == cur.epoch:
			tie = true
		}
	}
	if cur.index < 0 || tie || cur == last || (last.index >= 0 && cur.epoch < last.epoch) {
		return cur, false
	}
	return cur, true
}

// Finish stops the watch and returns each leader change seen, and a line
// for each leader.
func (w *LeaderWatch) Finish() ([]Change, []string) {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changes, w.lines
}
