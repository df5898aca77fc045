package underfstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// T is what a check needs of the test it runs in. *testing.T has it; so
// has the runner of RunCheck, which `alluxio runUfsTests` uses to check a
// user's store outside go test.
type T interface {
	Helper()
	Error(args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Context() context.Context
}

// Check is one conformance check: it gets an UnderFileSystem over an empty
// root of its own.
type Check struct {
	Name string
	Fn   func(t T, u underfs.UnderFileSystem)
}

// Checks returns the suite's checks, in order.
func Checks() []Check {
	return []Check{
		{"Root", testRoot},
		{"InvalidPaths", testInvalidPaths},
		{"PathForms", testPathForms},
		{"LookupBelowFile", testLookupBelowFile},
		{"CreateAndRead", testCreateAndRead},
		{"CreateEmptyAndLarge", testCreateEmptyAndLarge},
		{"CreateErrors", testCreateErrors},
		{"CreateParents", testCreateParents},
		{"Overwrite", testOverwrite},
		{"CloseRechecks", testCloseRechecks},
		{"WriterLifecycle", testWriterLifecycle},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Mkdirs", testMkdirs},
		{"MkdirsConcurrent", testMkdirsConcurrent},
		{"List", testList},
		{"ListManyPages", testListManyPages},
		{"DeleteKeepsParent", testDeleteKeepsParent},
		{"Delete", testDelete},
		{"Rename", testRename},
		{"RenameErrors", testRenameErrors},
		{"SetMode", testSetMode},
		{"SetOwner", testSetOwner},
		{"Fingerprint", testFingerprint},
		{"Staged", testStaged},
		{"CanceledContext", testCanceledContext},
		{"Close", testClose},
	}
}

// Run runs the suite. newUFS must return an UnderFileSystem over an empty
// root of its own; it is called once per subtest, from parallel subtests,
// and Run closes what it returns when the subtest ends (Close may be
// called more than once, so newUFS may register a Close of its own).
func Run(t *testing.T, newUFS func(t *testing.T) underfs.UnderFileSystem) {
	for _, tc := range Checks() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			u := newUFS(t)
			t.Cleanup(func() {
				if err := u.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.Fn(t, u)
		})
	}
}

// Result is the outcome of one check run by RunCheck.
type Result struct {
	Name     string
	Failures []string // empty when the check passed
	Elapsed  time.Duration
}

// Passed reports whether the check found nothing wrong.
func (r Result) Passed() bool { return len(r.Failures) == 0 }

// RunCheck runs c against u outside go test and returns what it found. A
// fatal failure ends the check, as in go test (the check runs in a
// goroutine of its own, which Fatalf ends). ctx bounds the check's calls.
func RunCheck(ctx context.Context, c Check, u underfs.UnderFileSystem) Result {
	r := &runner{ctx: ctx}
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				r.Errorf("panic: %v", p)
			}
		}()
		c.Fn(r, u)
	}()
	<-done
	r.mu.Lock()
	defer r.mu.Unlock()
	return Result{Name: c.Name, Failures: append([]string(nil), r.failures...), Elapsed: time.Since(start)}
}

type runner struct {
	ctx      context.Context
	mu       sync.Mutex
	failures []string
}

func (r *runner) Helper()                  {}
func (r *runner) Context() context.Context { return r.ctx }

func (r *runner) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *runner) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }
func (r *runner) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

func (r *runner) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func testRoot(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	if u.Root() == "" {
		t.Error("Root() is empty")
	}
	for _, p := range []string{"", "/"} {
		st, err := u.GetStatus(ctx, p)
		if err != nil || !st.IsDir || st.Name != "" {
			t.Errorf("GetStatus(%q) = %+v, %v; want a directory named \"\"", p, st, err)
		}
		if list, err := u.List(ctx, p); err != nil || len(list) != 0 {
			t.Errorf("List(%q) of a new root = %v, %v; want empty", p, names(list), err)
		}
	}
}

// testInvalidPaths checks that every method refuses, before touching the
// store, paths that could escape the root or that Alluxio cannot name.
func testInvalidPaths(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustWrite(t, u, "ok", "data")
	bad := []string{
		"..", "../x", "/../x", "a/../../x", "a/..", "./a", "a/./b", "a//b", "//",
		"a\x00b", "\xff", strings.Repeat("n", 256), strings.Repeat("d/", 2100),
	}
	for _, p := range bad {
		calls := map[string]error{}
		_, calls["GetStatus"] = u.GetStatus(ctx, p)
		_, calls["List"] = u.List(ctx, p)
		calls["Mkdirs"] = u.Mkdirs(ctx, p, 0o755)
		_, calls["Create"] = u.Create(ctx, p, underfs.CreateOptions{CreateParents: true, Overwrite: true})
		_, calls["Open"] = u.Open(ctx, p, 0)
		calls["Delete"] = u.Delete(ctx, p, true)
		calls["Rename src"] = u.Rename(ctx, p, "new")
		calls["Rename dst"] = u.Rename(ctx, "ok", p)
		calls["SetMode"] = u.SetMode(ctx, p, 0o644)
		calls["SetOwner"] = u.SetOwner(ctx, p, "nobody", "")
		for call, err := range calls {
			if !errors.Is(err, errs.ErrInvalidPath) {
				t.Errorf("%s(%.40q) = %v; want ErrInvalidPath", call, p, err)
			}
		}
	}
	if got := names(mustList(t, u, "")); !slices.Equal(got, []string{"ok"}) {
		t.Errorf("after refused calls the root holds %q; want [ok]", got)
	}
}

func testPathForms(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustWrite(t, u, "/d/f", "forms")
	for _, p := range []string{"d/f", "/d/f", "d/f/", "/d/f/"} {
		st, err := u.GetStatus(ctx, p)
		if err != nil || st.Name != "f" || st.Length != 5 {
			t.Errorf("GetStatus(%q) = %+v, %v; want f of 5 bytes", p, st, err)
		}
	}
	for _, p := range []string{"d", "/d", "d/", "/d/"} {
		if got := names(mustList(t, u, p)); !slices.Equal(got, []string{"f"}) {
			t.Errorf("List(%q) = %q; want [f]", p, got)
		}
	}
}

// testLookupBelowFile checks the rule for paths under a file: lookups say
// ErrNotFound, creations say ErrNotDirectory.
func testLookupBelowFile(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustWrite(t, u, "f", "x")
	const p = "f/x"
	_, err := u.GetStatus(ctx, p)
	wantErr(t, err, errs.ErrNotFound, "GetStatus below a file")
	_, err = u.List(ctx, p)
	wantErr(t, err, errs.ErrNotFound, "List below a file")
	_, err = u.Open(ctx, p, 0)
	wantErr(t, err, errs.ErrNotFound, "Open below a file")
	wantErr(t, u.Delete(ctx, p, true), errs.ErrNotFound, "Delete below a file")
	wantErr(t, u.SetMode(ctx, p, 0o644), errs.ErrNotFound, "SetMode below a file")
	wantErr(t, u.SetOwner(ctx, p, "", ""), errs.ErrNotFound, "SetOwner below a file")
	wantErr(t, u.Rename(ctx, p, "y"), errs.ErrNotFound, "Rename from below a file")
	wantErr(t, u.Mkdirs(ctx, p, 0o755), errs.ErrNotDirectory, "Mkdirs below a file")
	wantErr(t, u.Mkdirs(ctx, p+"/y", 0o755), errs.ErrNotDirectory, "Mkdirs two below a file")
	_, err = u.Create(ctx, p, underfs.CreateOptions{})
	wantErr(t, err, errs.ErrNotDirectory, "Create below a file")
	_, err = u.Create(ctx, p+"/y", underfs.CreateOptions{CreateParents: true})
	wantErr(t, err, errs.ErrNotDirectory, "Create with parents below a file")
	mustWrite(t, u, "g", "y")
	wantErr(t, u.Rename(ctx, "g", p), errs.ErrNotDirectory, "Rename to below a file")
}

func testCanceledContext(t T, u underfs.UnderFileSystem) {
	mustWrite(t, u, "f", "x")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]error{}
	_, calls["GetStatus"] = u.GetStatus(ctx, "f")
	_, calls["List"] = u.List(ctx, "")
	calls["Mkdirs"] = u.Mkdirs(ctx, "d", 0o755)
	_, calls["Create"] = u.Create(ctx, "g", underfs.CreateOptions{})
	_, calls["Open"] = u.Open(ctx, "f", 0)
	calls["Delete"] = u.Delete(ctx, "f", false)
	calls["Rename"] = u.Rename(ctx, "f", "h")
	calls["SetMode"] = u.SetMode(ctx, "f", 0o600)
	calls["SetOwner"] = u.SetOwner(ctx, "f", "", "")
	for call, err := range calls {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context = %v; want context.Canceled", call, err)
		}
	}
	if got := names(mustList(t, u, "")); !slices.Equal(got, []string{"f"}) {
		t.Errorf("after canceled calls the root holds %q; want [f]", got)
	}
}

func testClose(t T, u underfs.UnderFileSystem) {
	mustWrite(t, u, "f", "x")
	if err := u.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err := u.GetStatus(t.Context(), "f")
	wantErr(t, err, errs.ErrUnavailable, "GetStatus after Close")
	_, err = u.Create(t.Context(), "g", underfs.CreateOptions{})
	wantErr(t, err, errs.ErrUnavailable, "Create after Close")
	if err := u.Close(); err != nil {
		t.Errorf("second Close = %v; want nil", err)
	}
}

// Helpers. They fail the test on any unexpected error, naming the call.

func wantErr(t T, err, sentinel error, what string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Errorf("%s: got error %v; want one wrapping %q", what, err, sentinel)
	}
}

func mustWrite(t T, u underfs.UnderFileSystem, p, data string) {
	t.Helper()
	mustWriteOpts(t, u, p, data, underfs.CreateOptions{CreateParents: true, Overwrite: true})
}

func mustWriteOpts(t T, u underfs.UnderFileSystem, p, data string, opts underfs.CreateOptions) {
	t.Helper()
	w, err := u.Create(t.Context(), p, opts)
	if err != nil {
		t.Fatalf("Create(%q): %v", p, err)
	}
	if _, err := io.WriteString(w, data); err != nil {
		_ = w.Cancel()
		t.Fatalf("Write(%q): %v", p, err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close of writer of %q: %v", p, err)
	}
}

func mustRead(t T, u underfs.UnderFileSystem, p string, offset int64) string {
	t.Helper()
	r, err := u.Open(t.Context(), p, offset)
	if err != nil {
		t.Fatalf("Open(%q, %d): %v", p, offset, err)
	}
	defer r.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		t.Fatalf("reading %q: %v", p, err)
	}
	return buf.String()
}

func mustStat(t T, u underfs.UnderFileSystem, p string) underfs.Status {
	t.Helper()
	st, err := u.GetStatus(t.Context(), p)
	if err != nil {
		t.Fatalf("GetStatus(%q): %v", p, err)
	}
	return st
}

func mustList(t T, u underfs.UnderFileSystem, p string) []underfs.Status {
	t.Helper()
	list, err := u.List(t.Context(), p)
	if err != nil {
		t.Fatalf("List(%q): %v", p, err)
	}
	return list
}

func mustMkdirs(t T, u underfs.UnderFileSystem, p string, perm os.FileMode) {
	t.Helper()
	if err := u.Mkdirs(t.Context(), p, perm); err != nil {
		t.Fatalf("Mkdirs(%q): %v", p, err)
	}
}

func exists(t T, u underfs.UnderFileSystem, p string) bool {
	t.Helper()
	_, err := u.GetStatus(t.Context(), p)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("GetStatus(%q): %v", p, err)
	}
	return err == nil
}

func names(list []underfs.Status) []string {
	out := make([]string, len(list))
	for i, st := range list {
		out[i] = st.Name
	}
	return out
}

// recent reports whether a modification time is plausible for something
// just written; remote stores' clocks may be off by a little.
func recent(ts time.Time) bool {
	return time.Since(ts).Abs() < 10*time.Minute
}

// modeIs reports whether a mode the store shows is want, or the store
// keeps no modes (underfs.Capabilities.NoModes), when any mode will do as
// long as it is the same for List and GetStatus (checked elsewhere).
func modeIs(u underfs.UnderFileSystem, got, want os.FileMode) bool {
	return got == want || underfs.CapabilitiesOf(u).NoModes
}
