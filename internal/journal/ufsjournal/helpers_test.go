package ufsjournal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/election"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/logging/logtest"
	"github.com/alluxio-go/alluxio/internal/master/state"
)

const waitFor = 10 * time.Second

func testLogger(t testing.TB, name string) *slog.Logger {
	if _, bench := t.(*testing.B); bench {
		return logtest.New(t, name, slog.LevelWarn)
	}
	return logtest.New(t, name, slog.LevelInfo)
}

// node is one master's journal and state machine.
type node struct {
	name  string
	st    *state.State
	sys   *System
	fatal chan error
}

type nodeOpt func(*Options)

func withMaxLogSize(n int64) nodeOpt { return func(o *Options) { o.MaxLogSize = n } }

func withSelector(s election.PrimarySelector) nodeOpt { return func(o *Options) { o.Selector = s } }

// newNode builds a System over dir with a fresh state; it is stopped when the
// test ends.
func newNode(t testing.TB, name, dir string, opts ...nodeOpt) *node {
	t.Helper()
	n := &node{name: name, st: state.New(state.Options{}), fatal: make(chan error, 16)}
	o := Options{Folder: dir, StateMachine: n.st, Selector: election.NewSingle(name + ":19998"),
		TailInterval: 5 * time.Millisecond, Logger: testLogger(t, name),
		OnFatal: func(err error) {
			select {
			case n.fatal <- err:
			default:
			}
		}}
	for _, f := range opts {
		f(&o)
	}
	sys, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	n.sys = sys
	t.Cleanup(func() { _ = sys.Stop() })
	return n
}

func (n *node) start(t testing.TB) {
	t.Helper()
	if err := n.sys.Start(context.Background()); err != nil {
		t.Fatalf("%s: start: %v", n.name, err)
	}
}

// waitRole waits for the next role change and checks it.
func (n *node) waitRole(t testing.TB, primary bool) journal.Primacy {
	t.Helper()
	select {
	case p, ok := <-n.sys.Primacy():
		if !ok {
			t.Fatalf("%s: primacy channel closed", n.name)
		}
		if p.Primary != primary {
			t.Fatalf("%s: role %+v, want primary=%v", n.name, p, primary)
		}
		return p
	case err := <-n.fatal:
		t.Fatalf("%s: fatal: %v", n.name, err)
	case <-time.After(waitFor):
		t.Fatalf("%s: no role change to primary=%v within %s", n.name, primary, waitFor)
	}
	return journal.Primacy{}
}

// startPrimary starts n and waits until it is primary; returns its epoch.
func (n *node) startPrimary(t testing.TB) uint64 {
	t.Helper()
	n.start(t)
	p := n.waitRole(t, true)
	if p.Epoch == 0 {
		t.Fatalf("%s: primary with epoch 0", n.name)
	}
	return p.Epoch
}

func (n *node) propose(t testing.TB, e *journalpb.Entry) state.Result {
	t.Helper()
	r, err := n.sys.Propose(context.Background(), e)
	if err != nil {
		t.Fatalf("%s: propose %v: %v", n.name, e, err)
	}
	return r
}

// mkdirs proposes CreateDirectory entries for prefix1..prefixN (from from).
func (n *node) mkdirs(t testing.TB, prefix string, from, to int) {
	t.Helper()
	for i := from; i <= to; i++ {
		if r := n.propose(t, mkdir(fmt.Sprintf("%s%d", prefix, i))); r.Err != nil {
			t.Fatalf("%s: mkdir: %v", n.name, r.Err)
		}
	}
}

func mkdir(path string) *journalpb.Entry {
	return &journalpb.Entry{TimeMs: 1000, Op: &journalpb.Entry_CreateDirectory{CreateDirectory: &journalpb.CreateDirectory{
		Path: path, Mode: 0o755, Owner: "u", Group: "g"}}}
}

// dump is a canonical text form of a state: every inode's exported fields
// (walked from "/" in name order), the mount table and the last sequence.
func dump(s *state.State) string {
	var b strings.Builder
	fmt.Fprintf(&b, "last %d\n", s.LastSequence())
	_ = s.Walk("/", func(p string, n *state.Inode) {
		v := reflect.ValueOf(*n)
		b.WriteString(p)
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() {
				fmt.Fprintf(&b, " %s=%v", f.Name, v.Field(i).Interface())
			}
		}
		b.WriteByte('\n')
	})
	for _, m := range s.MountTable() {
		fmt.Fprintf(&b, "mount %+v\n", m)
	}
	return b.String()
}

func sameState(t testing.TB, what string, want, got *state.State) {
	t.Helper()
	dw, dg := dump(want), dump(got)
	if dw == dg {
		return
	}
	lw, lg := strings.Split(dw, "\n"), strings.Split(dg, "\n")
	for i := 0; i < len(lw) || i < len(lg); i++ {
		var x, y string
		if i < len(lw) {
			x = lw[i]
		}
		if i < len(lg) {
			y = lg[i]
		}
		if x != y {
			t.Fatalf("%s: states differ at line %d:\n  want %s\n  got  %s", what, i+1, x, y)
		}
	}
}

// replay loads dir into a fresh state with a node that never becomes
// primary, and returns the state.
func replay(t testing.TB, dir string) *state.State {
	t.Helper()
	n := newNode(t, "replay", dir, withSelector(newManualSelector()))
	n.start(t)
	if err := n.sys.Stop(); err != nil {
		t.Fatal(err)
	}
	return n.st
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, waitFor)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func segmentFiles(t testing.TB, dir string) []string {
	t.Helper()
	names, err := readDirNames(filepath.Join(dir, logsDir))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

func newFolder(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "journal")
	if err := Format(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func isNotPrimary(err error) bool { return errors.Is(err, errs.ErrNotPrimary) }

// manualSelector is a PrimarySelector the test drives: it starts as a
// standby and changes role only when told.
type manualSelector struct {
	ch    chan election.Role
	once  sync.Once
	mu    sync.Mutex
	valid bool
}

var _ election.PrimarySelector = (*manualSelector)(nil)

func newManualSelector() *manualSelector { return &manualSelector{ch: make(chan election.Role, 4)} }

func (m *manualSelector) Start(context.Context) error { return nil }

func (m *manualSelector) Changes() <-chan election.Role { return m.ch }

func (m *manualSelector) Valid() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.valid
}

func (m *manualSelector) Leader() string { return "" }

func (m *manualSelector) Stop() error {
	m.once.Do(func() { close(m.ch) })
	return nil
}

// set makes the node primary (or standby) with the given epoch (0: the
// journal picks the next one).
func (m *manualSelector) set(primary bool, epoch uint64) {
	m.mu.Lock()
	m.valid = primary
	m.mu.Unlock()
	m.ch <- election.Role{Primary: primary, Epoch: epoch}
}

// fileSize returns the size of path.
func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
