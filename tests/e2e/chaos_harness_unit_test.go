package e2e

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// A seed must replay the same faults, and each journal get only the faults
// that apply to it.
func TestChaosPlan(t *testing.T) {
	for _, journal := range []string{"embedded", "zk"} {
		a, b := chaosPlan(42, journal, 10*time.Minute), chaosPlan(42, journal, 10*time.Minute)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: the same seed planned different faults", journal)
		}
		if reflect.DeepEqual(a, chaosPlan(43, journal, 10*time.Minute)) {
			t.Fatalf("%s: different seeds planned the same faults", journal)
		}
		kinds := chaosFaultKinds(journal)
		seen := map[string]bool{}
		var total time.Duration
		for _, f := range a {
			if !slices.Contains(kinds, f.Kind) {
				t.Fatalf("%s: planned %s", journal, f.Kind)
			}
			seen[f.Kind] = true
			total += f.Gap + f.Hold
		}
		if len(seen) != len(kinds) || total < 10*time.Minute || total > 11*time.Minute {
			t.Fatalf("%s: %d faults of %d kinds over %v", journal, len(a), len(seen), total)
		}
	}
	if slices.Contains(chaosFaultKinds("zk"), faultWipeStandby) || slices.Contains(chaosFaultKinds("embedded"), faultRestartZK) {
		t.Fatal("a fault planned for a journal it does not apply to")
	}
}

func TestChaosScanLogs(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"master0.log":       "level=INFO msg=ok\n",
		"master1.log":       "level=INFO msg=ok\npanic: runtime error: index out of range\n\ngoroutine 1 [running]:\n",
		"worker0.log":       "WARNING: DATA RACE\n",
		"zk1.log":           "panic: not ours to judge\n",
		"worker1.log":       "fatal error: concurrent map writes\n",
		"master2.log.extra": "panic: not a log\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := scanLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"master1.log:2: panic:", "worker0.log:1: WARNING: DATA RACE", "worker1.log:1: fatal error:"}
	if len(got) != len(want) {
		t.Fatalf("found %q, want %d lines", got, len(want))
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("line %d: %q, want it to name %q", i, got[i], want[i])
		}
	}
}

// A kept history must read back as the run recorded it, for
// TestChaosAnalyze.
func TestChaosHistoryRoundTrip(t *testing.T) {
	ops := chaosSimulate(rand.New(rand.NewPCG(1, 1)), 500, 10)
	b, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "history.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := chaosLoad(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ops, back) {
		t.Fatal("history differs after a round trip through JSON")
	}
}
