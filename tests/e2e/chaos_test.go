package e2e

import (
	"os"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/chaos"
)

// The chaos runs (package tests/chaos): concurrent clients against three
// masters and two workers under a seeded schedule of faults, the history
// checked for linearizability.
//
//	make chaos DURATION=30m JOURNAL=embedded|zk SEED=n   # a long soak: TestChaos
//	go test -run 'TestChaosShort' ./tests/e2e/           # ~45s of faults per journal

// TestChaos is the long soak; it runs only when CHAOS_DURATION is set:
//
//	CHAOS_DURATION=30m CHAOS_JOURNAL=embedded|zk CHAOS_SEED=42 go test -run 'TestChaos$' -timeout 120m ./tests/e2e/
func TestChaos(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("CHAOS_DURATION"))
	if err != nil || d <= 0 {
		t.Skip("set CHAOS_DURATION (e.g. 30m) to run the chaos soak")
	}
	journal := os.Getenv("CHAOS_JOURNAL")
	if journal == "" {
		journal = "embedded"
	}
	chaos.Run(t, chaos.Config{Journal: journal, Duration: d, Seed: chaos.Seed(),
		CheckTimeout: 10 * time.Minute, FullCheckTimeout: 5 * time.Minute}).MustPass(t)
}

// The short runs are part of the ordinary e2e suite. They do not run in
// parallel with the other tests: on a two-core machine a cluster under
// faults next to another test's cluster turns their deadlines into coin
// flips, and the tests marked parallel wait until these are done.

func TestChaosShortEmbedded(t *testing.T) { chaosShort(t, "embedded") }

func TestChaosShortZK(t *testing.T) { chaosShort(t, "zk") }

func chaosShort(t *testing.T, journal string) {
	if testing.Short() {
		t.Skip("chaos runs take a minute each")
	}
	chaos.Run(t, chaos.Config{Journal: journal, Duration: chaos.ShortDuration(t, 45*time.Second), Seed: chaos.Seed(),
		CheckTimeout: 2 * time.Minute, FullCheckTimeout: 30 * time.Second}).MustPass(t)
}
