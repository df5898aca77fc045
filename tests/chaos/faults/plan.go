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
// every pollEvery and counts a change whenever the one primary differs
// from the last one seen.
type LeaderWatch struct {
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	changes []time.Duration // since start
	lines   []string
}

// WatchLeader starts watching c's leader; times are from start.
func WatchLeader(c *cluster.HA, start time.Time) *LeaderWatch {
	const pollEvery = 100 * time.Millisecond
	w := &LeaderWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		last := -1
		for {
			select {
			case <-w.stop:
				return
			case <-time.After(pollEvery):
			}
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
			primary, n := -1, 0
			for i, h := range roles {
				if h.OK && h.Role == "PRIMARY" {
					primary, n = i, n+1
				}
			}
			if n != 1 || primary == last {
				continue
			}
			w.mu.Lock()
			if last >= 0 {
				w.changes = append(w.changes, time.Since(start))
			}
			w.lines = append(w.lines, fmt.Sprintf("%8.3fs leader master%d (epoch %d)", time.Since(start).Seconds(), primary, roles[primary].Epoch))
			w.mu.Unlock()
			last = primary
		}
	}()
	return w
}

// Finish stops the watch and returns when (since start) each leader
// change was seen, and a line for each leader.
func (w *LeaderWatch) Finish() ([]time.Duration, []string) {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changes, w.lines
}
