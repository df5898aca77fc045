package journaltest

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
)

// RejectPrefix marks an entry the StateMachine rejects (as the master's
// state rejects a create of an existing path): the entry still takes its
// sequence, and Propose answers with the rejection in Result.Err.
const RejectPrefix = "reject-"

// StateMachine is a small journal.StateMachine for the suite: its state is
// the list of entry names it applied, in order. An entry's name is the path
// of its CreateDirectory operation (see Entry).
type StateMachine struct {
	mu      sync.Mutex
	applied []string // applied[i] is the entry with sequence i+1
}

var _ journal.StateMachine = (*StateMachine)(nil)

// Entry is a journal entry the StateMachine knows by name.
func Entry(name string) *journalpb.Entry {
	return &journalpb.Entry{TimeMs: 1, Op: &journalpb.Entry_CreateDirectory{
		CreateDirectory: &journalpb.CreateDirectory{Path: name}}}
}

func nameOf(e *journalpb.Entry) string { return e.GetCreateDirectory().GetPath() }

// Apply records e. Its result's InodeID is e's sequence, so a proposer
// learns where its entry landed.
func (m *StateMachine) Apply(e *journalpb.Entry) journal.Result {
	m.mu.Lock()
	defer m.mu.Unlock()
	if want := uint64(len(m.applied)) + 1; e.Sequence != want {
		return journal.Result{Err: errs.New(errs.ErrCorrupt, "entry %d applied where %d was expected", e.Sequence, want)}
	}
	name := nameOf(e)
	if name == "" || strings.ContainsAny(name, "\n") {
		return journal.Result{Err: errs.New(errs.ErrCorrupt, "entry %d has no usable name", e.Sequence)}
	}
	m.applied = append(m.applied, name)
	if strings.HasPrefix(name, RejectPrefix) {
		return journal.Result{Err: errs.New(errs.ErrAlreadyExists, "%s rejected", name)}
	}
	return journal.Result{InodeID: int64(e.Sequence)}
}

// LastSequence is the sequence of the last entry applied.
func (m *StateMachine) LastSequence() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return uint64(len(m.applied))
}

// Applied returns the names of the entries applied, in sequence order.
func (m *StateMachine) Applied() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.applied...)
}

// WriteCheckpoint writes the count, then one name a line.
func (m *StateMachine) WriteCheckpoint(w io.Writer, _ int64) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%d\n", len(m.applied))
	for _, n := range m.applied {
		fmt.Fprintf(bw, "%s\n", n)
	}
	return uint64(len(m.applied)), bw.Flush()
}

// Restore replaces the state with a checkpoint WriteCheckpoint wrote.
func (m *StateMachine) Restore(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		return errs.New(errs.ErrCorrupt, "checkpoint %s is empty", name)
	}
	n, err := strconv.Atoi(sc.Text())
	if err != nil || n < 0 {
		return errs.New(errs.ErrCorrupt, "checkpoint %s: bad count %q", name, sc.Text())
	}
	applied := make([]string, 0, n)
	for len(applied) < n && sc.Scan() {
		applied = append(applied, sc.Text())
	}
	if len(applied) != n {
		return errs.New(errs.ErrCorrupt, "checkpoint %s holds %d of %d entries", name, len(applied), n)
	}
	m.mu.Lock()
	m.applied = applied
	m.mu.Unlock()
	return nil
}
