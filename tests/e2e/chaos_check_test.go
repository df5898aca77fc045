package e2e

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
)

// chaosSettle bounds how long after its client gave up an operation of
// unknown outcome may still take effect, for the check that decides a run.
// Left open, every such operation stays pending to the end of the history,
// and proving a history NOT linearizable means trying each subset of them
// at each point: hours for a few dozen. In this cluster a lost answer's
// entry is decided by the next leader's first commit, seconds after the
// fault; 30s is far past that. A history that fails only with the bound is
// reported as such (see chaosVerdict), since a change landing that late
// would be a finding of its own.
const chaosSettle = 30 * time.Second

// chaosBounded returns ops with every unknown operation returning
// chaosSettle after its client saw the error.
func chaosBounded(ops []porcupine.Operation, settle time.Duration) []porcupine.Operation {
	out := append([]porcupine.Operation(nil), ops...)
	for i := range out {
		if o := out[i].Output.(chaosOutput); o.Unknown && o.End > 0 {
			out[i].Return = o.End + settle.Nanoseconds()
		}
	}
	return out
}

// chaosVerdict is the outcome of checking a history.
type chaosVerdict struct {
	// Bounded: with unknown operations settling within chaosSettle; this
	// decides the run.
	Bounded porcupine.CheckResult
	// Full: with unknown operations pending forever, checked only when
	// Bounded is not Ok (Ok here means the history needs a change landing
	// more than chaosSettle late).
	Full porcupine.CheckResult
	// Failing lists the groups whose bounded check did not pass.
	Failing []int
	Took    time.Duration
}

func (v chaosVerdict) Linearizable() bool { return v.Bounded == porcupine.Ok }

func (v chaosVerdict) String() string {
	switch {
	case v.Bounded == porcupine.Ok:
		return "linearizable"
	case v.Bounded == porcupine.Illegal && v.Full == porcupine.Ok:
		return fmt.Sprintf("NOT linearizable unless an operation of unknown outcome took effect over %v after its client gave up (groups %v)", chaosSettle, v.Failing)
	case v.Bounded == porcupine.Illegal && v.Full == porcupine.Illegal:
		return fmt.Sprintf("NOT linearizable (groups %v)", v.Failing)
	case v.Bounded == porcupine.Illegal:
		return fmt.Sprintf("NOT linearizable with unknown operations settling within %v (groups %v; undecided without that bound)", chaosSettle, v.Failing)
	}
	return fmt.Sprintf("undecided: the check timed out (groups %v)", v.Failing)
}

// chaosByGroup splits a history by group, in group order.
func chaosByGroup(ops []porcupine.Operation) map[int][]porcupine.Operation {
	out := map[int][]porcupine.Operation{}
	for _, o := range ops {
		g := o.Input.(chaosInput).G
		out[g] = append(out[g], o)
	}
	return out
}

// chaosCheck checks each group on its own, so a failure names its group,
// within timeout; groups that fail get the check without the settle bound
// too, within fullTimeout (0: not at all).
func chaosCheck(ops []porcupine.Operation, timeout, fullTimeout time.Duration) chaosVerdict {
	start := time.Now()
	v := chaosVerdict{Bounded: porcupine.Ok, Full: porcupine.Ok}
	groups := chaosByGroup(ops)
	var keys []int
	for g := range groups {
		keys = append(keys, g)
	}
	sort.Ints(keys)
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
		return porcupine.CheckOperationsTimeout(chaosModel, chaosBounded(groups[g], chaosSettle), timeout)
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
				return porcupine.CheckOperationsTimeout(chaosModel, groups[g], fullTimeout)
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
