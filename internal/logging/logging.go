// Package logging sets up the slog loggers of the processes: text to stderr
// and to a log file per process under alluxio.logs.dir, so operators can
// grep the lines Alluxio users know.
package logging

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// Open returns a logger writing to stderr and, when dir is not empty, to
// dir/<name>.log. The returned closer closes the file.
func Open(dir, name string, level slog.Level) (*slog.Logger, io.Closer, error) {
	var w io.Writer = os.Stderr
	var closer io.Closer = io.NopCloser(nil)
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, nil, err
		}
		f, err := os.OpenFile(filepath.Join(dir, name+".log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, err
		}
		w, closer = io.MultiWriter(os.Stderr, f), f
	}
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})
	return slog.New(h).With("process", name), closer, nil
}
