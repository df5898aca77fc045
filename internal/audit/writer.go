package audit

import (
	"bufio"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
)

// Groups resolves a user's groups, primary first; a user it does not know
// has none. The Writer calls it from its own goroutine only. A master
// passes the mapping its permission checks use (authz.CachedGroups), so
// the log names the groups the checks saw and the OS is asked once.
type Groups interface {
	Groups(user string) []string
}

// Writer writes entries to an io.Writer from a goroutine of its own. Its
// methods may be called from any number of goroutines.
type Writer struct {
	out     *bufio.Writer
	closer  io.Closer
	groups  Groups
	log     *slog.Logger
	queue   chan Entry
	done    chan struct{}
	dropped atomic.Int64
	written atomic.Int64
	close   sync.Once
}

// NewWriter starts a Writer of at most capacity waiting entries to out
// (closed by Close when it is an io.Closer). groups may be nil: lines then
// name no group.
func NewWriter(out io.Writer, capacity int, groups Groups, log *slog.Logger) *Writer {
	if capacity < 1 {
		capacity = 1
	}
	if log == nil {
		log = slog.Default()
	}
	w := &Writer{out: bufio.NewWriterSize(out, 64<<10), groups: groups, log: log, queue: make(chan Entry, capacity),
		done: make(chan struct{})}
	if c, ok := out.(io.Closer); ok {
		w.closer = c
	}
	go w.run()
	return w
}

// Append queues e without waiting: when the queue is full, e is dropped
// and counted (Dropped). It must not be called after Close.
func (w *Writer) Append(e Entry) {
	select {
	case w.queue <- e:
	default:
		if w.dropped.Add(1) == 1 {
			w.log.Warn("audit log queue is full: dropping entries (alluxio.master.audit.logging.queue.capacity)")
		}
	}
}

// Dropped is how many entries a full queue dropped.
func (w *Writer) Dropped() int64 { return w.dropped.Load() }

// Written is how many entries were written.
func (w *Writer) Written() int64 { return w.written.Load() }

// Close writes what is queued, flushes and closes the output.
func (w *Writer) Close() error {
	var err error
	w.close.Do(func() {
		close(w.queue)
		<-w.done
		err = w.out.Flush()
		if w.closer != nil {
			if cerr := w.closer.Close(); err == nil {
				err = cerr
			}
		}
	})
	return err
}

func (w *Writer) run() {
	defer close(w.done)
	buf := make([]byte, 0, 512)
	for e := range w.queue {
		if e.User != "" && e.Group == "" {
			e.Group = w.primaryGroup(e.User)
		}
		buf = e.Time.UTC().AppendFormat(buf[:0], "2006-01-02 15:04:05,000")
		buf = append(buf, " INFO  AUDIT_LOG: "...)
		buf = e.AppendLine(buf)
		buf = append(buf, '\n')
		if _, err := w.out.Write(buf); err != nil {
			w.log.Error("cannot write the audit log", "err", err)
		}
		w.written.Add(1)
		// Flush when nothing else waits: lines reach the file promptly
		// when idle, in batches when busy.
		if len(w.queue) == 0 {
			if err := w.out.Flush(); err != nil {
				w.log.Error("cannot write the audit log", "err", err)
			}
		}
	}
}

func (w *Writer) primaryGroup(user string) string {
	if w.groups == nil {
		return ""
	}
	if gs := w.groups.Groups(user); len(gs) > 0 {
		return gs[0]
	}
	return ""
}
