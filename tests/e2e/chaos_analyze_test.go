package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/anishathalye/porcupine"
)

// TestChaosAnalyze reads a history a failed chaos run kept and, for each
// key whose operations are not linearizable, prints the operations just
// before the first point where no linearization exists:
//
//	CHAOS_HISTORY=/path/history-seed-7.json go test -run TestChaosAnalyze -v ./tests/e2e/
func TestChaosAnalyze(t *testing.T) {
	p := os.Getenv("CHAOS_HISTORY")
	if p == "" {
		t.Skip("set CHAOS_HISTORY to a history file a chaos run kept")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var raw []struct {
		ClientId     int
		Input        chaosInput
		Call, Return int64
		Output       chaosOutput
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	byKey := map[string][]porcupine.Operation{}
	for _, r := range raw {
		byKey[r.Input.Key] = append(byKey[r.Input.Key], porcupine.Operation{ClientId: r.ClientId, Input: r.Input, Output: r.Output, Call: r.Call, Return: r.Return})
	}
	for k, ops := range byKey {
		if porcupine.CheckOperations(chaosModel, ops) {
			continue
		}
		sort.Slice(ops, func(i, j int) bool { return ops[i].Call < ops[j].Call })
		lo, hi := 1, len(ops)
		for lo < hi {
			mid := (lo + hi) / 2
			if porcupine.CheckOperations(chaosModel, ops[:mid]) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		t.Errorf("key %s: no linearization once op %d of %d is included", k, lo, len(ops))
		for _, o := range ops[max(0, lo-25):lo] {
			ret := float64(o.Return) / 1e9
			if ret > 1e6 {
				ret = -1
			}
			fmt.Printf("  t=%.4f-%.4f c%d %+v -> %+v\n", float64(o.Call)/1e9, ret, o.ClientId, o.Input, o.Output)
		}
	}
}
