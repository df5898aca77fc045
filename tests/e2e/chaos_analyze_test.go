package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// TestChaosAnalyze reads a history a failed chaos run kept and, for each
// group whose operations are not linearizable, prints the operations just
// before the first point where no linearization exists:
//
//	CHAOS_HISTORY=/path/history.json go test -run TestChaosAnalyze -v ./tests/e2e/
//
// Unknown operations settle within chaosSettle, as in the run's decisive
// check; CHAOS_UNBOUNDED=1 leaves them pending forever (slow on long
// histories).
func TestChaosAnalyze(t *testing.T) {
	p := os.Getenv("CHAOS_HISTORY")
	if p == "" {
		t.Skip("set CHAOS_HISTORY to a history file a chaos run kept")
	}
	ops, err := chaosLoad(p)
	if err != nil {
		t.Fatal(err)
	}
	prepare := func(ops []porcupine.Operation) []porcupine.Operation { return chaosBounded(ops, chaosSettle) }
	if os.Getenv("CHAOS_UNBOUNDED") != "" {
		prepare = func(ops []porcupine.Operation) []porcupine.Operation { return ops }
	}
	check := func(ops []porcupine.Operation) bool {
		return porcupine.CheckOperationsTimeout(chaosModel, prepare(ops), 5*time.Minute) == porcupine.Ok
	}
	byGroup := chaosByGroup(ops)
	var groups []int
	for g := range byGroup {
		groups = append(groups, g)
	}
	sort.Ints(groups)
	for _, g := range groups {
		ops := byGroup[g]
		if check(ops) {
			t.Logf("group %d: %d operations, linearizable", g, len(ops))
			continue
		}
		// A prefix by call time is a history of its own, and adding later
		// calls only adds constraints: bisect for the first that fails.
		sort.Slice(ops, func(i, j int) bool { return ops[i].Call < ops[j].Call })
		lo, hi := 1, len(ops)
		for lo < hi {
			mid := (lo + hi) / 2
			if check(ops[:mid]) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		t.Errorf("group %d: no linearization once operation %d of %d is included (the last one below)", g, lo, len(ops))
		for _, o := range ops[max(0, lo-30):lo] {
			fmt.Printf("  %s\n", chaosOpLine(o))
		}
		// Operations still pending at that call that may explain it.
		at := ops[lo-1].Call
		for _, o := range ops[:max(0, lo-30)] {
			if o.Return > at {
				fmt.Printf("  still open then: %s\n", chaosOpLine(o))
			}
		}
	}
}

func chaosOpLine(o porcupine.Operation) string {
	out := o.Output.(chaosOutput)
	ret := fmt.Sprintf("%.4f", float64(o.Return)/1e9)
	if out.Unknown {
		ret = fmt.Sprintf("?(gave up %.4f)", float64(out.End)/1e9)
	}
	line := fmt.Sprintf("t=%.4f-%s c%d %s", float64(o.Call)/1e9, ret, o.ClientId, chaosDescribe(o.Input, o.Output))
	if out.Err != "" {
		line += " err=" + out.Err
	}
	return line
}

// chaosLoad reads a history written by a chaos run.
func chaosLoad(p string) ([]porcupine.Operation, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var raw []struct {
		ClientId     int
		Input        chaosInput
		Call, Return int64
		Output       chaosOutput
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	ops := make([]porcupine.Operation, len(raw))
	for i, r := range raw {
		ops[i] = porcupine.Operation{ClientId: r.ClientId, Input: r.Input, Output: r.Output, Call: r.Call, Return: r.Return}
	}
	return ops, nil
}
