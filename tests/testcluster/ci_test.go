package testcluster_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

func TestScanLogs(t *testing.T) {
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
	got, err := testcluster.ScanLogs(dir)
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
