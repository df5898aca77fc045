package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/tests/chaos"
	"github.com/alluxio-go/alluxio/tests/chaos/check"
	"github.com/alluxio-go/alluxio/tests/chaos/model"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// The planted-bug tests run the harness against masters built with
// failpoints and told to forget, on becoming leader, the outcomes of
// operations decided under the previous leader (a retry cache not carried
// over): a client whose answer was lost in a failover retries, and the
// new leader runs the operation again. The bug shows only across a leader
// change, so only the fault machinery can bring it out: the history must
// come out not linearizable with and without the settle bound, and a
// failing group must be stuck at an operation of the kind the bug breaks
// (a retried mutation answered "exists" or "not found", a retried
// completion refused as already complete), or a green chaos
// run means nothing.

func TestChaosCatchesPlantedBugEmbedded(t *testing.T) { plantedBug(t, cluster.JournalEmbedded) }

func TestChaosCatchesPlantedBugZK(t *testing.T) { plantedBug(t, cluster.JournalZK) }

func plantedBug(t *testing.T, journal string) {
	if testing.Short() {
		t.Skip("builds a binary and runs a cluster under faults")
	}
	bin := testcluster.BinaryWithTags(t, "failpoints")
	res := chaos.Run(t, chaos.Config{Journal: journal, Duration: chaos.ShortDuration(t, 30*time.Second), Seed: chaos.Seed(),
		Binary: bin, MasterEnv: []string{"ALLUXIO_FAILPOINTS=forget-retries-across-leaders"},
		Faults:       []string{"kill-leader", "pause-leader", "cut-leader"},
		CheckTimeout: 2 * time.Minute, FullCheckTimeout: time.Minute})
	where := func() string { return fmt.Sprintf("seed %d; kept in %s", res.Seed, res.KeepDir) }
	if res.Verdict.Bounded != porcupine.Illegal || res.Verdict.Full != porcupine.Illegal {
		t.Fatalf("chaos: masters that forget retries across leaders gave %v (bounded %v, unbounded %v; %d leader changes; "+
			"is the failpoint built in?); %s", res.Verdict, res.Verdict.Bounded, res.Verdict.Full, res.Failovers, where())
	}
	stuck := check.Stuck(res.History, 2*time.Minute)
	broken := 0
	for g, op := range stuck {
		in, out := op.Input.(model.Input), op.Output.(model.Output)
		t.Logf("chaos: group %d stuck at %s", g, check.OpLine(op))
		switch {
		case (in.Op == "create" || in.Op == "mkdir") && out.Result == "exists",
			(in.Op == "del" || in.Op == "rename") && out.Result == "notfound",
			in.Op == "rename" && out.Result == "exists",
			// A retried completion run again finds its file complete.
			in.Op == "complete" && out.Result == "error:FAILED_PRECONDITION":
			broken++
		}
	}
	if broken == 0 {
		t.Errorf("chaos: no failing group is stuck at a mutation answered as a retry run again: the history failed for another reason; %s", where())
	}
}
