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
// group whose operations are not linearizable, prints where the checker
// got stuck:
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
		// Where the checker got stuck: the longest partial linearization
		// it found, and the operation that should have come next (the
		// earliest to return among those left out). A prefix by call time
		// would mislead: a read may be explained by a write called after it.
		_, info := porcupine.CheckOperationsVerbose(chaosModel, prepare(ops), 5*time.Minute)
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
			if o := prepare(ops[i : i+1])[0]; !in[o] && (stuck == nil || o.Return < stuck.Return) {
				stuck = &ops[i]
			}
		}
		t.Errorf("group %d: not linearizable; the checker placed %d of %d operations", g, len(longest), len(ops))
		fmt.Println("  the last ones it placed, in order:")
		for _, o := range longest[max(0, len(longest)-20):] {
			fmt.Printf("    %s\n", chaosOpLine(o))
		}
		if stuck == nil {
			continue
		}
		fmt.Printf("  none of them lets this one come next:\n    %s\n  operations overlapping it:\n", chaosOpLine(*stuck))
		for _, o := range ops {
			if o.Call < stuck.Return && o.Return > stuck.Call && o != *stuck {
				fmt.Printf("    %s\n", chaosOpLine(o))
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
