package raftjournal

import (
	"context"
	"io"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// slogSink hands Raft's own log lines to the master's slog logger. Only
// warnings and errors pass: Raft logs every heartbeat and append at debug,
// and its info lines (snapshots, elections) are summarised by ours.
type slogSink struct{ log *slog.Logger }

// retried are errors Raft logs at every retry while a member is down
// (several a second, per member). The journal logs the member going away
// and coming back instead (observe), so these are dropped.
var retried = map[string]bool{
	"failed to appendEntries to":        true,
	"failed to heartbeat to":            true,
	"failed to make requestVote RPC":    true,
	"failed to decode incoming command": true,
	"failed to contact":                 true,
}

func (s slogSink) Accept(name string, level hclog.Level, msg string, args ...any) {
	var l slog.Level
	switch {
	case retried[msg]:
		return
	case level >= hclog.Error:
		l = slog.LevelError
	case level == hclog.Warn:
		l = slog.LevelWarn
	default:
		return
	}
	s.log.Log(context.Background(), l, msg, append([]any{"raft", name}, args...)...)
}

// newRaftLogger returns an hclog.Logger that writes nothing itself and feeds
// the sink, so Raft's structured fields reach slog as fields.
func newRaftLogger(log *slog.Logger) hclog.Logger {
	l := hclog.NewInterceptLogger(&hclog.LoggerOptions{Name: "raft", Output: io.Discard, Level: hclog.Off})
	l.RegisterSink(slogSink{log: log})
	return l
}
