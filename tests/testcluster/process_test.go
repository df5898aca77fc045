package testcluster_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

const waitLong = 60 * time.Second

// procState returns the state letter of /proc/<pid>/stat ("R", "S", "T",
// "Z"), or "" when the pid is gone.
func procState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The command name is in parentheses and may contain spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return ""
	}
	return s[i+2 : i+3]
}

func TestProcessOutputAndStop(t *testing.T) {
	t.Parallel()
	p := startHelper(t, "echo", "echo")
	if !p.WaitForLog(t, "ready", waitLong) {
		t.Fatal("helper not ready")
	}
	out := p.Output()
	for _, want := range []string{"hello stdout\n", "hello stderr\n", "partial line without newline\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("Output() = %q, missing %q", out, want)
		}
	}
	if p.Exited() {
		t.Fatal("Exited() = true while running")
	}
	if err := p.Stop(waitLong); err != nil {
		t.Fatalf("Stop() = %v, want nil (the helper exits 0 on SIGTERM)", err)
	}
	if !p.Exited() {
		t.Fatal("Exited() = false after Stop")
	}
	if !strings.Contains(p.Output(), "got SIGTERM") {
		t.Errorf("output after Stop lacks the last line: %q", p.Output())
	}
	b, err := os.ReadFile(filepath.Join(testcluster.LogDir(t), "echo.log"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != p.Output() {
		t.Errorf("log file = %q, Output() = %q", b, p.Output())
	}
}

func TestProcessStopEscalatesToKill(t *testing.T) {
	t.Parallel()
	p := startHelper(t, "stubborn", "ignore-term")
	if !p.WaitForLog(t, "ready", waitLong) {
		t.Fatal("helper not ready")
	}
	start := time.Now()
	err := p.Stop(200 * time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("Stop() = %v, want the SIGKILL exit", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Stop took %v", d)
	}
}

func TestProcessKillReachesGroup(t *testing.T) {
	t.Parallel()
	p := startHelper(t, "parent", "fork")
	if !p.WaitForLog(t, "child ", waitLong) {
		t.Fatal("helper did not fork")
	}
	var child int
	if _, err := fmt.Sscanf(p.Output(), "child %d", &child); err != nil {
		t.Fatalf("parsing %q: %v", p.Output(), err)
	}
	p.Kill()
	if !p.Exited() {
		t.Fatal("Exited() = false after Kill")
	}
	// A zombie waiting for a reaper that is not a real init counts as gone.
	testcluster.WaitFor(t, waitLong, 20*time.Millisecond, func() (bool, string) {
		st := procState(child)
		return st == "" || st == "Z", fmt.Sprintf("child %d still in state %q", child, st)
	})
}

func TestProcessRestart(t *testing.T) {
	t.Parallel()
	p := startHelper(t, "restarted", "echo")
	if !p.WaitForLog(t, "ready", waitLong) {
		t.Fatal("helper not ready")
	}
	first := p.Pid()
	p.Stop(waitLong)
	p.Restart(t)
	if p.Pid() == first {
		t.Errorf("pid %d unchanged after Restart", first)
	}
	// "ready" from the first start must not satisfy the wait.
	if !p.WaitForLogCount("ready", 1, waitLong) {
		t.Fatal("helper not ready after restart")
	}
	if p.WaitForLogCount("ready", 2, 0) {
		t.Error("lines of the first start counted as lines of the latest")
	}
	if n := strings.Count(p.Output(), "ready"); n != 2 {
		t.Errorf("Output() has %d ready lines, want 2 (both starts)", n)
	}
	b, err := os.ReadFile(p.LogPath())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), "ready") != 2 || !strings.Contains(string(b), "restarted ---") {
		t.Errorf("log file lacks one of the starts:\n%s", b)
	}
}

func TestProcessPauseResume(t *testing.T) {
	t.Parallel()
	p := startHelper(t, "ticker", "tick")
	if !p.WaitForLog(t, "tick 1", waitLong) {
		t.Fatal("helper not ticking")
	}
	if err := p.Pause(); err != nil {
		t.Fatal(err)
	}
	testcluster.WaitFor(t, waitLong, 20*time.Millisecond, func() (bool, string) {
		st := procState(p.Pid())
		return st == "T", "state " + st
	})
	before := strings.Count(p.Output(), "tick")
	if err := p.Resume(); err != nil {
		t.Fatal(err)
	}
	if !p.WaitForLogCount("tick", before+5, waitLong) {
		t.Fatal("no ticks after Resume")
	}
}

func TestProcessExitEndsWaitEarly(t *testing.T) {
	t.Parallel()
	p := startHelper(t, "failing", "exit")
	start := time.Now()
	if p.WaitForLog(t, "never printed", waitLong) {
		t.Fatal("WaitForLog found a line that was never printed")
	}
	if d := time.Since(start); d > waitLong/2 {
		t.Errorf("WaitForLog waited %v for an exited process", d)
	}
	if err := p.Wait(); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("Wait() = %v, want exit status 3", err)
	}
	if !strings.Contains(p.Output(), "failing") {
		t.Errorf("Output() = %q", p.Output())
	}
}

// A process that prints while its test ends must not make the testing
// package panic ("Log in goroutine after ... has completed").
func TestProcessOutlivesSubtest(t *testing.T) {
	t.Parallel()
	var p *testcluster.Process
	t.Run("sub", func(t *testing.T) {
		p = startHelper(t, "ticker", "tick")
		if !p.WaitForLog(t, "tick 3", waitLong) {
			t.Fatal("helper not ticking")
		}
	})
	if !p.Exited() {
		t.Fatal("process still running after its test ended")
	}
}

func TestWaitHTTP(t *testing.T) {
	t.Parallel()
	port := testcluster.FreePort(t)
	startHelper(t, "http", "http", fmt.Sprintf("PORT=%d", port))
	testcluster.WaitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/health", port), waitLong)
}

func TestLogDirKeep(t *testing.T) {
	keep := t.TempDir()
	t.Setenv(testcluster.KeepLogsEnv, keep)
	var logPath string
	t.Run("sub", func(t *testing.T) {
		dir := testcluster.LogDir(t)
		if dir != testcluster.LogDir(t) {
			t.Error("LogDir differs between calls")
		}
		if !strings.HasPrefix(dir, keep+string(filepath.Separator)) {
			t.Errorf("LogDir = %s, want it under %s", dir, keep)
		}
		p := startHelper(t, "kept", "exit")
		p.Wait()
		logPath = p.LogPath()
	})
	if b, err := os.ReadFile(logPath); err != nil || !strings.Contains(string(b), "failing") {
		t.Errorf("kept log %s: %q, %v", logPath, b, err)
	}
}

func TestBinaryPrebuilt(t *testing.T) {
	t.Setenv(testcluster.BinaryEnv, os.Args[0])
	got := testcluster.Binary(t)
	want, _ := filepath.Abs(os.Args[0])
	if got != want {
		t.Errorf("Binary() = %s, want %s", got, want)
	}
}
