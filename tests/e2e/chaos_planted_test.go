package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/tests/chaos"
	"github.com/alluxio-go/alluxio/tests/chaos/check"
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
// failing group must hold the kind of operation the bug breaks, before the
// point where the checker got stuck: a mutation under way while the leader
// changed (which its client retried on the new leader). Else a green
// chaos run means nothing.

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
	// Where the checker got stuck, a retried mutation must have come
	// before.
	explained := 0
	for g, op := range check.Stuck(res.History, 2*time.Minute) {
		n := res.SpanningMutations(g, op.Return)
		t.Logf("chaos: group %d stuck at %s, after %d mutations under way across a leader change", g, check.OpLine(op), n)
		if n > 0 {
			explained++
		}
	}
	if explained == 0 {
		t.Errorf("chaos: no failing group was stuck after a mutation under way across a leader change (%d changes): "+
			"the history failed for another reason than the planted bug; %s", len(res.Changes), where())
	}
}
