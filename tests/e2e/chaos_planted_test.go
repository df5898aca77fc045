package e2e

import (
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/tests/chaos"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// TestChaosCatchesPlantedBug runs the harness against masters built with
// failpoints and told to acknowledge a delete before the journal commits
// it: the history must come out not linearizable, or a green chaos run
// means nothing.
func TestChaosCatchesPlantedBug(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary and runs a cluster under faults")
	}
	bin := testcluster.BinaryWithTags(t, "failpoints")
	res := chaos.Run(t, chaos.Config{Journal: "embedded", Duration: chaos.ShortDuration(t, 25*time.Second), Seed: chaos.Seed(),
		Binary: bin, MasterEnv: []string{"ALLUXIO_FAILPOINTS=ack-delete-before-commit"},
		CheckTimeout: 2 * time.Minute, FullCheckTimeout: 20 * time.Second})
	switch {
	case res.Verdict.Bounded == porcupine.Illegal:
		t.Logf("chaos: the planted bug was caught: %v", res.Verdict)
	case res.Verdict.Linearizable():
		t.Errorf("chaos: masters that acknowledge deletes before committing them gave a linearizable history "+
			"(%d operations, %d deletes acknowledged; is the failpoint built in?); seed %d; kept in %s",
			res.Ops, res.ByOp["del"]["ok"], res.Seed, res.KeepDir)
	default:
		t.Errorf("chaos: the check did not decide: %v; seed %d; kept in %s", res.Verdict, res.Seed, res.KeepDir)
	}
}
