package check

import (
	"fmt"
	"io"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/tests/chaos/model"
)

// Analyze writes to w, for each group of ops that is not linearizable,
// where the checker got stuck, and returns those groups. Unknown
// operations settle within Settle, as in a run's decisive check, unless
// unbounded (slow on long histories).
func Analyze(w io.Writer, ops []porcupine.Operation, unbounded bool, timeout time.Duration) []int {
	prepare := func(ops []porcupine.Operation) []porcupine.Operation { return Bounded(ops, Settle) }
	if unbounded {
		prepare = func(ops []porcupine.Operation) []porcupine.Operation { return ops }
	}
	byGroup := ByGroup(ops)
	var failed []int
	for _, g := range sortedGroups(byGroup) {
		ops := byGroup[g]
		longest, stuck := whereStuck(prepare(ops), timeout)
		if longest == nil && stuck == nil {
			fmt.Fprintf(w, "group %d: %d operations, linearizable\n", g, len(ops))
			continue
		}
		failed = append(failed, g)
		fmt.Fprintf(w, "group %d: NOT linearizable; the checker placed %d of %d operations\n", g, len(longest), len(ops))
		fmt.Fprintln(w, "  the last ones it placed, in order:")
		for _, o := range longest[max(0, len(longest)-20):] {
			fmt.Fprintf(w, "    %s\n", OpLine(o))
		}
		if stuck == nil {
			continue
		}
		fmt.Fprintf(w, "  none of them lets this one come next:\n    %s\n  operations overlapping it:\n", OpLine(*stuck))
		for _, o := range prepare(ops) {
			if o.Call < stuck.Return && o.Return > stuck.Call && o != *stuck {
				fmt.Fprintf(w, "    %s\n", OpLine(o))
			}
		}
	}
	return failed
}

// OpLine is one operation as a line: its times in seconds from the start,
// client, operation and answer.
func OpLine(o porcupine.Operation) string {
	out := o.Output.(model.Output)
	ret := fmt.Sprintf("%.4f", float64(o.Return)/1e9)
	if out.Unknown {
		ret = fmt.Sprintf("?(gave up %.4f)", float64(out.End)/1e9)
	}
	line := fmt.Sprintf("t=%.4f-%s c%d %s", float64(o.Call)/1e9, ret, o.ClientId, model.Describe(o.Input, o.Output))
	if out.Err != "" {
		line += " err=" + out.Err
	}
	return line
}
