package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

func TestRateAndETA(t *testing.T) {
	for _, tc := range []struct {
		done, total int64
		completed   bool
		elapsed     time.Duration
		want        string
	}{
		{0, 100 << 20, false, time.Second, " 0.0 b/s ETA -"},
		{10 << 20, 100 << 20, false, 2 * time.Second, " 5.0 MiB/s ETA 18s"},
		{100 << 20, 100 << 20, true, 4 * time.Second, " 25.0 MiB/s ETA 0s"},
	} {
		if got := rateAndETA(tc.done, tc.total, tc.completed, tc.elapsed); got != tc.want {
			t.Errorf("rateAndETA(%d, %d, %v, %v) = %q, want %q", tc.done, tc.total, tc.completed, tc.elapsed, got, tc.want)
		}
	}
}

// Output that is not a terminal gets the lines alone, never a bar.
func TestNoBarWithoutATerminal(t *testing.T) {
	var out bytes.Buffer
	cmd := &cobra.Command{}
	cmd.SetOut(&out)
	pr := startProgress(cmd, "copy", 1<<30)
	if pr.bar != nil {
		t.Fatal("a bar on a buffer")
	}
	pr.add(1 << 20)
	pr.Write([]byte("Copied a to b\n"))
	pr.finish(nil)
	if out.String() != "Copied a to b\n" {
		t.Fatalf("output %q", out.String())
	}
}
