package main

import (
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenLogCatchesStrayLines: whatever logs through slog.Default() or
// the log package (an under storage opened without a logger, a library)
// lands in the process's log file in the one format.
func TestOpenLogCatchesStrayLines(t *testing.T) {
	prev := slog.Default()
	t.Cleanup(func() { slog.SetDefault(prev) })
	dir := t.TempDir()
	l, closer, err := openLog(dir, "local")
	if err != nil {
		t.Fatal(err)
	}
	l.Info("from the component")
	slog.Default().Warn("from a fallback logger", "ufs", "/data")
	log.Printf("from the log package")
	closer.Close()
	b, err := os.ReadFile(filepath.Join(dir, "local.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 {
		t.Fatalf("log file:\n%s", b)
	}
	for _, want := range []string{"msg=\"from the component\"", "level=WARN msg=\"from a fallback logger\"", "msg=\"from the log package\""} {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, "time=") && strings.Contains(l, want) && strings.Contains(l, "process=local") {
				found = true
			}
		}
		if !found {
			t.Errorf("log file lacks a line with %s in the process's format:\n%s", want, b)
		}
	}
}
