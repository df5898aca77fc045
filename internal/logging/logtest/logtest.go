// Package logtest gives tests a slog.Logger whose lines go to t.Log with a
// prefix naming the component, so each node's log shows with the test that
// failed, and that falls silent when the test ends (a server's goroutines
// may still log while stopping, and t.Log after the end panics).
package logtest

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// New returns a logger for component name that logs at level and above.
func New(t testing.TB, name string, level slog.Level) *slog.Logger {
	w := &writer{t: t, prefix: name + ": "}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type writer struct {
	mu     sync.Mutex
	t      testing.TB
	prefix string
	done   bool
}

func (w *writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(w.prefix + strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}
