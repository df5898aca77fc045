// Package history records what the chaos harness's clients did: every
// operation with its call and return time and what the client saw, as
// porcupine operations over the model's inputs and outputs. It also
// decides what an error tells about an operation's outcome (Classify),
// and saves and loads a history for a later look.
package history

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/anishathalye/porcupine"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/tests/chaos/model"
)

// Never is the return time of an operation whose outcome is open: it may
// take effect at any time after its call.
const Never = 1 << 62

// Recorder keeps the history. Reads that failed with an error that leaves
// nothing open changed nothing and are kept apart (Dropped), out of the
// check.
type Recorder struct {
	Start time.Time

	mu      sync.Mutex
	ops     []porcupine.Operation
	dropped []porcupine.Operation
	// corrupt counts reads whose bytes were not the content of the file
	// they opened (or that failed as corrupt); notes says what each was.
	corrupt int
	notes   []string
}

// NewRecorder starts a history now.
func NewRecorder() *Recorder { return &Recorder{Start: time.Now()} }

func (r *Recorder) since(t time.Time) int64 { return t.Sub(r.Start).Nanoseconds() }

// Add records an operation called at call that returned now.
func (r *Recorder) Add(client int, call time.Time, in model.Input, out model.Output) {
	op := porcupine.Operation{ClientId: client, Input: in, Output: out, Call: r.since(call), Return: r.since(time.Now())}
	if out.Unknown {
		// The effect may land any time later: never returned.
		out.End, op.Return = op.Return, Never
		op.Output = out
	}
	r.mu.Lock()
	r.ops = append(r.ops, op)
	r.mu.Unlock()
}

// Drop records a read that failed on the way (a lost connection, say),
// for the record only: it changed nothing and observed nothing.
func (r *Recorder) Drop(client int, call time.Time, in model.Input, err error) {
	op := porcupine.Operation{ClientId: client, Input: in, Output: model.Output{Err: ErrText(err)},
		Call: r.since(call), Return: r.since(time.Now())}
	r.mu.Lock()
	r.dropped = append(r.dropped, op)
	r.mu.Unlock()
}

// Note keeps a line for the run's summary; corrupt counts it as a read of
// wrong bytes.
func (r *Recorder) Note(corrupt bool, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if corrupt {
		r.corrupt++
	}
	if len(r.notes) < 1000 {
		r.notes = append(r.notes, fmt.Sprintf("%.3fs ", time.Since(r.Start).Seconds())+fmt.Sprintf(format, args...))
	}
}

// Notes returns the notes so far.
func (r *Recorder) Notes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.notes...)
}

// Corrupt is how many reads returned wrong bytes.
func (r *Recorder) Corrupt() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.corrupt
}

// History returns the operations recorded so far and the dropped reads.
func (r *Recorder) History() (ops, dropped []porcupine.Operation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]porcupine.Operation(nil), r.ops...), append([]porcupine.Operation(nil), r.dropped...)
}

// ErrText is err's text, cut to a length a history can keep.
func ErrText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// Open reports whether err leaves the outcome of the operation open: the
// server may or may not have done it, and may still do it. Only an error
// on the way is such: no primary within the retry budget (unavailable),
// a deadline exceeded, a cancelled call, a lost connection. Any other
// error is the server's answer.
func Open(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, errs.ErrUnavailable) || errors.Is(err, errs.ErrNotPrimary) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.ErrClosedPipe) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	// A gRPC status anywhere in the chain (a worker's data stream).
	for e := err; e != nil; e = errors.Unwrap(e) {
		if st, ok := status.FromError(e); ok {
			switch st.Code() {
			case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
				return true
			}
			break
		}
	}
	return false
}

// Classify maps a mutation's error to what the model knows of it: ok; an
// outcome the model names (answers maps the sentinel to it); unknown when
// the error leaves the outcome open; else "error:CODE", a definite answer
// that no state of the model explains.
func Classify(err error, answers map[error]string) model.Output {
	if err == nil {
		return model.Output{Result: "ok"}
	}
	if Open(err) {
		return model.Output{Unknown: true, Err: ErrText(err)}
	}
	for sentinel, name := range answers {
		if errors.Is(err, sentinel) {
			return model.Output{Result: name, Err: ErrText(err)}
		}
	}
	if errors.Is(err, errs.ErrCorrupt) {
		return model.Output{Result: "corrupt", Err: ErrText(err)}
	}
	return model.Output{Result: "error:" + errs.Code(err), Err: ErrText(err)}
}
