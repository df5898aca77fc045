package faults

import (
	"reflect"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// A seed must replay the same faults, each cluster get only the faults
// that apply to it, and a run long enough for one of each get each.
func TestPlan(t *testing.T) {
	for _, env := range []Env{{Journal: cluster.JournalEmbedded, Net: true}, {Journal: cluster.JournalZK, Net: true},
		{Journal: cluster.JournalEmbedded}, {Journal: cluster.JournalZK},
		{Journal: cluster.JournalZK, Net: true, Only: []string{"kill-leader", "cut-leader"}}} {
		a, b := Plan(42, env, 10*time.Minute), Plan(42, env, 10*time.Minute)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%+v: the same seed planned different faults", env)
		}
		if reflect.DeepEqual(a, Plan(43, env, 10*time.Minute)) {
			t.Fatalf("%+v: different seeds planned the same faults", env)
		}
		kinds := Applicable(env)
		first := map[string]bool{}
		var total time.Duration
		for i, f := range a {
			k := ByName(f.Kind)
			if k == nil || k.Applies(env) != "" {
				t.Fatalf("%+v: planned %s", env, f.Kind)
			}
			if i < len(kinds) {
				first[f.Kind] = true
			}
			total += f.Gap + f.Hold
		}
		if len(first) != len(kinds) || total < 10*time.Minute || total > 11*time.Minute {
			t.Fatalf("%+v: the first %d faults have %d kinds; %d faults over %v", env, len(kinds), len(first), len(a), total)
		}
	}
	for _, c := range []struct {
		env  Env
		kind string
	}{{Env{Journal: cluster.JournalZK, Net: true}, "wipe-standby"}, {Env{Journal: cluster.JournalEmbedded, Net: true}, "restart-zk"},
		{Env{Journal: cluster.JournalEmbedded}, "cut-leader"}} {
		if ByName(c.kind).Applies(c.env) == "" {
			t.Errorf("%s applies to %+v", c.kind, c.env)
		}
	}
	if len(Applicable(Env{Journal: cluster.JournalZK, Net: true})) != 6 || len(Applicable(Env{Journal: cluster.JournalEmbedded, Net: true})) != 6 {
		t.Error("with network namespaces, each journal has six kinds of fault")
	}
	if got := Applicable(Env{Journal: cluster.JournalZK, Only: []string{"cut-leader", "kill-leader"}}); len(got) != 1 || got[0].Name() != "kill-leader" {
		t.Errorf("only cut-leader and kill-leader on loopback: %v", got)
	}
}
