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
		{Journal: cluster.JournalEmbedded}, {Journal: cluster.JournalZK}, {Journal: cluster.JournalEmbedded, Net: true, S3: true},
		{Journal: cluster.JournalZK, Net: true, PauseUFS: true},
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
		{Env{Journal: cluster.JournalEmbedded}, "cut-leader"}, {Env{Journal: cluster.JournalZK, Net: true}, "restart-s3"},
		{Env{Journal: cluster.JournalZK, Net: true}, "cut-paused-leader"}} {
		if ByName(c.kind).Applies(c.env) == "" {
			t.Errorf("%s applies to %+v", c.kind, c.env)
		}
	}
	if len(Applicable(Env{Journal: cluster.JournalZK, Net: true})) != 6 || len(Applicable(Env{Journal: cluster.JournalEmbedded, Net: true})) != 6 {
		t.Error("with network namespaces, each journal has six kinds of fault")
	}
	if len(Applicable(Env{Journal: cluster.JournalZK, Net: true, S3: true})) != 7 {
		t.Error("with an S3 root, the S3 server's restart is a seventh")
	}
	if got := Applicable(Env{Journal: cluster.JournalEmbedded, Net: true, S3: true, PauseUFS: true}); len(got) != 8 {
		t.Errorf("with masters that pause before under storage changes, cutting one off is an eighth: %v", got)
	}
	if got := Applicable(Env{Journal: cluster.JournalZK, Only: []string{"cut-leader", "kill-leader"}}); len(got) != 1 || got[0].Name() != "kill-leader" {
		t.Errorf("only cut-leader and kill-leader on loopback: %v", got)
	}
}

// TestNextLeader: a change counts when a primary of a newer epoch
// answers, even while the deposed one still says it is primary, and when
// the same master comes back as primary of a newer epoch; a deposed
// master answering alone is no change.
func TestNextLeader(t *testing.T) {
	p := func(epoch uint64) cluster.Health { return cluster.Health{OK: true, Role: "PRIMARY", Epoch: epoch} }
	s := cluster.Health{OK: true, Role: "STANDBY"}
	none := leader{index: -1}
	for _, c := range []struct {
		name  string
		roles []cluster.Health
		last  leader
		want  leader
		ok    bool
	}{
		{"first", []cluster.Health{s, p(3), s}, none, leader{1, 3}, true},
		{"same", []cluster.Health{s, p(3), s}, leader{1, 3}, leader{}, false},
		{"successor while the deposed still claims", []cluster.Health{p(3), p(5), {}}, leader{0, 3}, leader{1, 5}, true},
		{"the same master again, newer epoch", []cluster.Health{p(7), s, s}, leader{0, 5}, leader{0, 7}, true},
		{"the deposed alone", []cluster.Health{p(3), {}, s}, leader{1, 5}, leader{}, false},
		{"no primary", []cluster.Health{s, {}, s}, leader{1, 5}, leader{}, false},
		{"two of one epoch", []cluster.Health{p(4), p(4), s}, none, leader{}, false},
	} {
		got, ok := nextLeader(c.roles, c.last)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("%s: %v %v, want %v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}
