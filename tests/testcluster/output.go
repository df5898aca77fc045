package testcluster

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// KeepLogsEnv names a folder under which process logs are kept after the
// tests, one folder per test; without it they go to t.TempDir and vanish.
const KeepLogsEnv = "ALLUXIO_TEST_KEEP_LOGS"

// logPollInterval is how often waits look at captured output: short,
// because a wait returns as soon as the line is there.
const logPollInterval = 20 * time.Millisecond

var logDirs struct {
	mu   sync.Mutex
	dirs map[testing.TB]string
}

// LogDir returns the folder for the logs of t's processes, the same one on
// every call within t. It is a t.TempDir, or a new folder named after the
// test under $ALLUXIO_TEST_KEEP_LOGS when that is set.
func LogDir(t testing.TB) string {
	t.Helper()
	logDirs.mu.Lock()
	defer logDirs.mu.Unlock()
	if d, ok := logDirs.dirs[t]; ok {
		return d
	}
	var dir string
	if keep := os.Getenv(KeepLogsEnv); keep != "" {
		if err := os.MkdirAll(keep, 0o755); err != nil {
			t.Fatalf("testcluster: %s: %v", KeepLogsEnv, err)
		}
		d, err := os.MkdirTemp(keep, sanitizeName(t.Name())+"-")
		if err != nil {
			t.Fatalf("testcluster: %s: %v", KeepLogsEnv, err)
		}
		dir = d
		t.Logf("testcluster: logs are kept in %s", dir)
	} else {
		dir = t.TempDir()
	}
	if logDirs.dirs == nil {
		logDirs.dirs = make(map[testing.TB]string)
	}
	logDirs.dirs[t] = dir
	t.Cleanup(func() {
		logDirs.mu.Lock()
		delete(logDirs.dirs, t)
		logDirs.mu.Unlock()
	})
	return dir
}

func sanitizeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// logSink forwards output lines to t.Log until t's cleanup closes it: the
// testing package panics when a goroutine logs after its test completed, and
// a process may print while being killed.
type logSink struct {
	mu     sync.Mutex
	t      testing.TB
	closed bool
}

func (s *logSink) log(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.t.Log(line)
	}
}

func (s *logSink) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

func (p *Process) copyLines(r io.Reader, logFile io.Writer) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimRight(line, "\r\n")
			fmt.Fprintln(logFile, line)
			p.mu.Lock()
			p.lines = append(p.lines, line)
			sink := p.sink
			p.mu.Unlock()
			sink.log("[" + p.name + "] " + line)
		}
		if err != nil {
			return
		}
	}
}

// Output returns all output captured so far, of every start.
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.lines) == 0 {
		return ""
	}
	return strings.Join(p.lines, "\n") + "\n"
}

// countSinceStart counts the lines of the latest start that contain substr,
// and reports whether that start has exited with all its output read.
func (p *Process) countSinceStart(substr string) (n int, exited bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	exited = p.run.exited()
	for _, l := range p.lines[p.run.firstLine:] {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n, exited
}

// LogCount counts the lines printed since the latest start that contain
// substr: a base for WaitForLogCount to wait for the next one.
func (p *Process) LogCount(substr string) int {
	n, _ := p.countSinceStart(substr)
	return n
}

// WaitForLog waits until a line printed since the latest start contains
// substr. It returns false, after logging why through t, when timeout passes
// first or the process exits without printing it; the caller decides whether
// that fails the test.
func (p *Process) WaitForLog(t testing.TB, substr string, timeout time.Duration) bool {
	t.Helper()
	if p.WaitForLogCount(substr, 1, timeout) {
		return true
	}
	if p.Exited() {
		t.Logf("testcluster: %s exited (%v) without printing %q", p.name, p.ExitErr(), substr)
	} else {
		t.Logf("testcluster: %s did not print %q within %v", p.name, substr, timeout)
	}
	return false
}

// WaitForLogCount waits until at least n lines printed since the latest
// start contain substr. It returns false when timeout passes first or the
// process exits with fewer.
func (p *Process) WaitForLogCount(substr string, n int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		got, exited := p.countSinceStart(substr)
		if got >= n {
			return true
		}
		if exited || time.Now().After(deadline) {
			return false
		}
		time.Sleep(logPollInterval)
	}
}
