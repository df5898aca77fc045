package testcluster

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// InCI reports whether the tests run in CI (CI set, as .ci/run does): there
// a test that cannot check its point for want of something on the machine
// fails instead of skipping.
func InCI() bool { return os.Getenv("CI") != "" }

// SkipOrFail skips the test with why, or fails it under CI.
func SkipOrFail(t testing.TB, why string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s (CI is set: a test that cannot check its point fails)", why)
	}
	t.Skip(why)
}

// logProblems are lines no process of a healthy run prints.
var logProblems = []string{"panic:", "fatal error:", "DATA RACE"}

// ScanLogs returns "file:line: text" for each line of a master or worker
// log in dir that shows a panic, a fatal error or a data race.
func ScanLogs(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []string
	for _, p := range files {
		base := filepath.Base(p)
		if !strings.HasPrefix(base, "master") && !strings.HasPrefix(base, "worker") {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return out, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			for _, bad := range logProblems {
				if strings.Contains(line, bad) {
					out = append(out, fmt.Sprintf("%s:%d: %s", p, n, strings.TrimSpace(line)))
					break
				}
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return out, fmt.Errorf("%s: %w", p, err)
		}
	}
	return out, nil
}

// LogLines returns the lines of the logs in dir whose file names start
// with prefix ("master") that contain substr: what the processes said,
// across restarts, which a killed process's metrics cannot give.
func LogLines(dir, prefix, substr string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, prefix+"*.log"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []string
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return out, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			if strings.Contains(sc.Text(), substr) {
				out = append(out, sc.Text())
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return out, fmt.Errorf("%s: %w", p, err)
		}
	}
	return out, nil
}
