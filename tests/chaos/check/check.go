// Package check decides whether a chaos history is linearizable against
// the model, group by group, with a bound on how late an operation of
// unknown outcome may take effect (the check that decides a run) and
// without it (for the groups that fail the first); and it shows where a
// failing history went wrong (Analyze, Visualize).
package check

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/tests/chaos/model"
)

// Settle bounds how long after its client gave up an operation of
// unknown outcome may still take effect, for the check that decides a run.
// Left open, every such operation stays pending to the end of the history,
// and proving a history NOT linearizable means trying each subset of them
// at each point: hours for a few dozen. In this cluster a lost answer's
// entry is decided by the next leader's first commit, seconds after the
// fault; 30s is far past that. A history that fails only with the bound is
// reported as such (see Verdict), since a change landing that late
// would be a finding of its own.
const Settle = 30 * time.Second

// Bounded returns ops with every unknown operation returning
// Settle after its client saw the error.
func Bounded(ops []porcupine.Operation, settle time.Duration) []porcupine.Operation {
	out := append([]porcupine.Operation(nil), ops...)
	for i := range out {
		if o := out[i].Output.(model.Output); o.Unknown && o.End > 0 {
			out[i].Return = o.End + settle.Nanoseconds()
		}
	}
	return out
}

// Verdict is the outcome of checking a history.
type Verdict struct {
	// Bounded: with unknown operations settling within Settle; this
	// decides the run.
	Bounded porcupine.CheckResult
	// Full: with unknown operations pending forever, checked only when
	// Bounded is not Ok (Ok here means the history needs a change landing
	// more than Settle late).
	Full porcupine.CheckResult
	// Failing lists the groups whose bounded check did not pass.
	Failing []int
	Took    time.Duration
}

// Linearizable reports whether the decisive (bounded) check passed.
func (v Verdict) Linearizable() bool { return v.Bounded == porcupine.Ok }

func (v Verdict) String() string {
	switch {
	case v.Bounded == porcupine.Ok:
		return "linearizable"
	case v.Bounded == porcupine.Illegal && v.Full == porcupine.Ok:
		return fmt.Sprintf("NOT linearizable unless an operation of unknown outcome took effect over %v after its client gave up (groups %v)", Settle, v.Failing)
	case v.Bounded == porcupine.Illegal && v.Full == porcupine.Illegal:
		return fmt.Sprintf("NOT linearizable (groups %v)", v.Failing)
	case v.Bounded == porcupine.Illegal:
		return fmt.Sprintf("NOT linearizable with unknown operations settling within %v (groups %v; undecided without that bound)", Settle, v.Failing)
	}
	return fmt.Sprintf("undecided: the check timed out (groups %v)", v.Failing)
}

// ByGroup splits a history by group, in group order.
func ByGroup(ops []porcupine.Operation) map[int][]porcupine.Operation {
	out := map[int][]porcupine.Operation{}
	for _, o := range ops {
		g := o.Input.(model.Input).G
		out[g] = append(out[g], o)
	}
	return out
}

// Check checks each group on its own, so a failure names its group,
// within timeout; groups that fail get the check without the settle bound
// too, within fullTimeout (0: not at all).
func Check(ops []porcupine.Operation, timeout, fullTimeout time.Duration) Verdict {
	start := time.Now()
	v := Verdict{Bounded: porcupine.Ok, Full: porcupine.Ok}
	groups := ByGroup(ops)
	keys := sortedGroups(groups)
	parallel := func(check func(g int) porcupine.CheckResult, keys []int) []porcupine.CheckResult {
		res := make([]porcupine.CheckResult, len(keys))
		// As many at once as there are cores: each check's memory grows
		// with the square of its group's history.
		sem := make(chan struct{}, runtime.GOMAXPROCS(0))
		var wg sync.WaitGroup
		for i, g := range keys {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				res[i] = check(g)
			}()
		}
		wg.Wait()
		return res
	}
	bounded := parallel(func(g int) porcupine.CheckResult {
		return porcupine.CheckOperationsTimeout(model.Model, Bounded(groups[g], Settle), timeout)
	}, keys)
	var illegal []int
	for i, g := range keys {
		switch bounded[i] {
		case porcupine.Ok:
			continue
		case porcupine.Illegal:
			illegal = append(illegal, g)
		}
		v.Failing = append(v.Failing, g)
	}
	switch {
	case len(illegal) > 0:
		v.Bounded = porcupine.Illegal
	case len(v.Failing) > 0:
		v.Bounded = porcupine.Unknown
	}
	if len(v.Failing) > 0 {
		// One group proven not linearizable is the strongest evidence.
		v.Full = porcupine.Unknown
		if fullTimeout > 0 && len(illegal) > 0 {
			full := parallel(func(g int) porcupine.CheckResult {
				return porcupine.CheckOperationsTimeout(model.Model, groups[g], fullTimeout)
			}, illegal)
			okCount := 0
			for _, r := range full {
				switch r {
				case porcupine.Illegal:
					v.Full = porcupine.Illegal
				case porcupine.Ok:
					okCount++
				}
			}
			if okCount == len(full) && len(illegal) == len(v.Failing) {
				v.Full = porcupine.Ok
			}
		}
	}
	v.Took = time.Since(start)
	return v
}

func sortedGroups(byGroup map[int][]porcupine.Operation) []int {
	keys := make([]int, 0, len(byGroup))
	for g := range byGroup {
		keys = append(keys, g)
	}
	sort.Ints(keys)
	return keys
}

// Visualize writes porcupine's picture of each of groups into dir, as
// history-gN.html.
func Visualize(dir string, ops []porcupine.Operation, groups []int, timeout time.Duration) error {
	byGroup := ByGroup(ops)
	for _, g := range groups {
		_, info := porcupine.CheckOperationsVerbose(model.Model, Bounded(byGroup[g], Settle), timeout)
		if err := porcupine.VisualizePath(model.Model, info, filepath.Join(dir, fmt.Sprintf("history-g%d.html", g))); err != nil {
			return fmt.Errorf("visualizing group %d: %w", g, err)
		}
	}
	return nil
}

// Stuck returns, for each group of ops that is not linearizable, the
// operation the checker could not place: the earliest to return among
// those its longest partial linearization leaves out.
func Stuck(ops []porcupine.Operation, timeout time.Duration) map[int]porcupine.Operation {
	out := map[int]porcupine.Operation{}
	byGroup := ByGroup(ops)
	for _, g := range sortedGroups(byGroup) {
		if _, op := whereStuck(Bounded(byGroup[g], Settle), timeout); op != nil {
			out[g] = *op
		}
	}
	return out
}

// whereStuck returns, for ops that are not linearizable, the longest
// partial linearization the checker found and the operation it could not
// place next: the earliest to return among those left out. A prefix by
// call time would mislead: a read may be explained by a write called after
// it. Both are nil when ops are linearizable.
func whereStuck(ops []porcupine.Operation, timeout time.Duration) ([]porcupine.Operation, *porcupine.Operation) {
	res, info := porcupine.CheckOperationsVerbose(model.Model, ops, timeout)
	if res == porcupine.Ok {
		return nil, nil
	}
	var longest []porcupine.Operation
	for _, part := range info.PartialLinearizationsOperations() {
		for _, lin := range part {
			if len(lin) > len(longest) {
				longest = lin
			}
		}
	}
	in := map[porcupine.Operation]bool{}
	for _, o := range longest {
		in[o] = true
	}
	var stuck *porcupine.Operation
	for i := range ops {
		if !in[ops[i]] && (stuck == nil || ops[i].Return < stuck.Return) {
			stuck = &ops[i]
		}
	}
	return longest, stuck
}
