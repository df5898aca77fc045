package e2e

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/chaos"
)

// The chaos runs (package tests/chaos): concurrent clients against three
// masters and two workers under a seeded schedule of faults, the history
// checked for linearizability.
//
//	make chaos DURATION=30m JOURNAL=embedded|zk UFS=local|s3 SEED=n   # a long soak: TestChaos
//	go test -run 'TestChaosShort' ./tests/e2e/   # ~45s of faults per journal, ~20s on S3
//
// Every run but CHAOS_PAUSE_UFS=0 soaks uses masters built with failpoints
// that pause before the under storage changes of one directory, and the
// cut-paused-leader fault that cuts such a master off (issue 12.1).

// TestChaos is the long soak; it runs only when CHAOS_DURATION is set:
//
//	CHAOS_DURATION=30m CHAOS_JOURNAL=embedded|zk CHAOS_UFS=local|s3 CHAOS_SEED=42 go test -run 'TestChaos$' -timeout 120m ./tests/e2e/
//
// CHAOS_FAULTS=kill-leader,cut-paused-leader limits the fault kinds.
func TestChaos(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("CHAOS_DURATION"))
	if err != nil || d <= 0 {
		t.Skip("set CHAOS_DURATION (e.g. 30m) to run the chaos soak")
	}
	journal := os.Getenv("CHAOS_JOURNAL")
	if journal == "" {
		journal = "embedded"
	}
	var only []string
	if f := os.Getenv("CHAOS_FAULTS"); f != "" {
		only = strings.Split(f, ",")
	}
	chaos.Run(t, chaos.Config{Journal: journal, UFS: os.Getenv("CHAOS_UFS"), Duration: d, Seed: chaos.Seed(), Faults: only,
		PauseUFS: os.Getenv("CHAOS_PAUSE_UFS") != "0", CheckTimeout: 10 * time.Minute, FullCheckTimeout: 5 * time.Minute}).MustPass(t)
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
	chaos.Run(t, chaos.Config{Journal: journal, Duration: chaos.ShortDuration(t, 45*time.Second), Seed: chaos.Seed(), PauseUFS: true,
		CheckTimeout: 2 * time.Minute, FullCheckTimeout: 30 * time.Second}).MustPass(t)
}

// TestChaosShortS3 runs with the root under storage in a bucket of a real
// S3 server (versitygw) that a fault kills and restarts, with the faults
// that matter most to an object store's side effects: a leader killed, and
// one cut off while it pauses before an under storage change. Shorter than
// the others, to keep what it adds to make test near a minute; make chaos
// UFS=s3 runs every fault kind for longer.
func TestChaosShortS3(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos runs take a minute each")
	}
	chaos.Run(t, chaos.Config{Journal: "embedded", UFS: chaos.UFSS3, Duration: chaos.ShortDuration(t, 20*time.Second),
		Seed: chaos.Seed(), PauseUFS: true, Faults: []string{"restart-s3", "kill-leader", "cut-paused-leader"},
		CheckTimeout: 2 * time.Minute, FullCheckTimeout: 30 * time.Second}).MustPass(t)
}
