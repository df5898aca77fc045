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
// of its CreateDirectory operation (see Entry). A name applied again (a
// proposal retried after its first attempt's outcome was lost) takes its
// sequence but answers as the first did, as the master's retry cache
// answers an operation id it has seen.
type StateMachine struct {
	mu      sync.Mutex
	applied []string          // applied[i] is the entry with sequence i+1
	first   map[string]uint64 // name -> the sequence it was first applied at
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
	seq, seen := m.first[name]
	if !seen {
		if m.first == nil {
			m.first = map[string]uint64{}
		}
		seq = e.Sequence
		m.first[name] = seq
	}
	if strings.HasPrefix(name, RejectPrefix) {
		return journal.Result{Err: errs.New(errs.ErrAlreadyExists, "%s rejected", name)}
	}
	return journal.Result{InodeID: int64(seq)}
}

// LastSequence is the sequence of the last entry applied.
func (m *StateMachine) LastSequence() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return uint64(len(m.applied))
}

// Log returns the names of the entries applied, in sequence order, a
// name applied again included.
func (m *StateMachine) Log() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.applied...)
}

// Applied returns the names applied, each once, in the order they were
// first applied: the state as its users see it.
func (m *StateMachine) Applied() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for i, n := range m.applied {
		if m.first[n] == uint64(i+1) {
			out = append(out, n)
		}
	}
	return out
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
	first := map[string]uint64{}
	for i, n := range applied {
		if _, ok := first[n]; !ok {
			first[n] = uint64(i + 1)
		}
	}
	m.mu.Lock()
	m.applied, m.first = applied, first
	m.mu.Unlock()
	return nil
}
