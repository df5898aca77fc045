package check

import (
	"os"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/chaos/history"
)

// TestAnalyze reads a history a failed chaos run kept and prints, for each
// group whose operations are not linearizable, where the checker got stuck:
//
//	CHAOS_HISTORY=/path/history.json go test -run TestAnalyze -v ./tests/chaos/check/
//
// CHAOS_UNBOUNDED=1 leaves unknown operations pending forever.
func TestAnalyze(t *testing.T) {
	p := os.Getenv("CHAOS_HISTORY")
	if p == "" {
		t.Skip("set CHAOS_HISTORY to a history file a chaos run kept")
	}
	ops, err := history.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if failed := Analyze(os.Stdout, ops, os.Getenv("CHAOS_UNBOUNDED") != "", 5*time.Minute); len(failed) > 0 {
		t.Errorf("groups %v are not linearizable", failed)
	}
}
