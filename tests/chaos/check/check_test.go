package check

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/tests/chaos/model"
)

// TestChaosCheckSpeed checks a simulated history of the size a long chaos
// run records (CHAOS_SIM_OPS, default 20000 operations, ~100 of them of
// unknown outcome): a correct one must pass and one with a planted stale
// read must fail, each well within the time a run allows for checking.
func TestChaosCheckSpeed(t *testing.T) {
	n := 20000
	if s, err := strconv.Atoi(os.Getenv("CHAOS_SIM_OPS")); err == nil && s > 0 {
		n = s
	}
	if testing.Short() {
		n = 4000
	}
	ops := model.Simulate(rand.New(rand.NewPCG(7, 7)), n, n/200)
	unknown := 0
	for _, o := range ops {
		if o.Output.(model.Output).Unknown {
			unknown++
		}
	}
	if v := Check(ops, time.Minute, 0); !v.Linearizable() {
		t.Fatalf("simulated correct history of %d operations (%d unknown): %v", len(ops), unknown, v)
	} else {
		t.Logf("correct history, %d operations (%d unknown): %v, checked in %v", len(ops), unknown, v, v.Took)
	}

	// A stale read late in the history: the file was deleted, the read
	// still sees it.
	bad := append([]porcupine.Operation(nil), ops...)
	planted := false
	for i := len(bad) * 9 / 10; i < len(bad) && !planted; i++ {
		in, out := bad[i].Input.(model.Input), bad[i].Output.(model.Output)
		if in.Op != "del" || out.Result != "ok" {
			continue
		}
		// The value it deleted: the last complete of that name in this
		// group before it, good enough for a stale read.
		for k := i - 1; k >= 0; k-- {
			kin, kout := bad[k].Input.(model.Input), bad[k].Output.(model.Output)
			if kin.G == in.G && kin.Name == in.Name && kin.Op == "complete" && kout.Result == "ok" {
				bad = append(bad, porcupine.Operation{ClientId: 9, Input: model.Input{Op: "get", G: in.G, Name: in.Name},
					Output: model.Output{Result: "=" + kin.Value}, Call: bad[i].Return + 1e6, Return: bad[i].Return + 2e6})
				planted = true
				break
			}
		}
	}
	if !planted {
		t.Fatal("found no delete to plant a stale read after")
	}
	v := Check(bad, time.Minute, 0)
	if v.Bounded != porcupine.Illegal {
		t.Fatalf("history with a stale read: %v after %v, want not linearizable", v, v.Took)
	}
	t.Logf("history with a stale read: %v, found in %v", v, v.Took)
}

// Analyze and Stuck name the group that fails and the operation the
// checker could not place.
func TestStuck(t *testing.T) {
	op := func(c int, call, ret int64, in model.Input, res string) porcupine.Operation {
		return porcupine.Operation{ClientId: c, Call: call, Return: ret, Input: in, Output: model.Output{Result: res}}
	}
	ops := []porcupine.Operation{
		op(0, 0, 1, model.Input{Op: "create", G: 1, Name: "f0", Value: "x"}, "ok"),
		op(0, 2, 3, model.Input{Op: "complete", G: 1, Name: "f0", Value: "x"}, "ok"),
		op(1, 5, 6, model.Input{Op: "get", G: 1, Name: "f0"}, "notfound"), // lost
		op(2, 0, 1, model.Input{Op: "mkdir", G: 2, Name: "d0"}, "ok"),
	}
	stuck := Stuck(ops, time.Minute)
	if len(stuck) != 1 || stuck[1].Input.(model.Input).Op != "get" {
		t.Fatalf("stuck = %v, want group 1 at the get", stuck)
	}
	var b strings.Builder
	if failed := Analyze(&b, ops, false, time.Minute); len(failed) != 1 || failed[0] != 1 ||
		!strings.Contains(b.String(), "group 2: 1 operations, linearizable") || !strings.Contains(b.String(), "g1 get(f0) -> notfound") {
		t.Fatalf("Analyze: groups %v:\n%s", failed, b.String())
	}
}
