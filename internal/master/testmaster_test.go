package master

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal/ufsjournal"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/underfs/memufs"
)

// The master's unit tests run masters in this process over an in-memory
// under storage (memufs, behind the scheme "memtest") and a UFS journal in
// a temporary folder: no processes, no ports but loopback ones.

// memStores holds the in-memory stores by URI, so that a master started
// again on the same journal finds the same store.
var memStores = struct {
	sync.Mutex
	m map[string]*testStore
}{m: map[string]*testStore{}}

func init() {
	underfs.Register("memtest", func(uri string, opts underfs.Options) (underfs.UnderFileSystem, error) {
		return memStore(uri), nil
	})
}

func memStore(uri string) *testStore {
	memStores.Lock()
	defer memStores.Unlock()
	s := memStores.m[uri]
	if s == nil {
		s = &testStore{UnderFileSystem: memufs.New(uri)}
		memStores.m[uri] = s
	}
	return s
}

// testStore is a memufs that outlives the masters that open it (Close does
// nothing) and that can be made to refuse changes, as a store that is
// unreachable or read-only for a while does; reads still work.
type testStore struct {
	underfs.UnderFileSystem
	mu      sync.Mutex
	refuse  error
	refused int
}

func (s *testStore) Close() error { return nil }

// refuseChanges makes every change fail with err (nil: none).
func (s *testStore) refuseChanges(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = err
}

func (s *testStore) check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse != nil {
		s.refused++
	}
	return s.refuse
}

func (s *testStore) refusals() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

func (s *testStore) Mkdirs(ctx context.Context, p string, perm os.FileMode) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.UnderFileSystem.Mkdirs(ctx, p, perm)
}

func (s *testStore) Delete(ctx context.Context, p string, recursive bool) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.UnderFileSystem.Delete(ctx, p, recursive)
}

func (s *testStore) Rename(ctx context.Context, src, dst string) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.UnderFileSystem.Rename(ctx, src, dst)
}

func (s *testStore) SetMode(ctx context.Context, p string, perm os.FileMode) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.UnderFileSystem.SetMode(ctx, p, perm)
}

// put writes a file into the store as a writer (or another program) does.
func (s *testStore) put(t testing.TB, rel string, data []byte) {
	t.Helper()
	w, err := s.UnderFileSystem.Create(context.Background(), rel, underfs.CreateOptions{CreateParents: true, Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// has reports whether the store holds rel, and its length.
func (s *testStore) has(rel string) (bool, int64) {
	st, err := s.GetStatus(context.Background(), rel)
	return err == nil, st.Length
}

func (s *testStore) read(t testing.TB, rel string) []byte {
	t.Helper()
	r, err := s.Open(context.Background(), rel, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// logBuffer collects a master's log for tests that check what it said.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

// testMaster is one master of a test, with the folder its journal is in,
// so another can be started on it.
type testMaster struct {
	*Server
	dir   string
	store *testStore
	logs  *logBuffer
}

// newTestMaster formats a journal and starts a master on it whose root is
// a fresh in-memory store; mod changes the configuration first.
func newTestMaster(t *testing.T, mod func(*Config)) *testMaster {
	t.Helper()
	dir := t.TempDir()
	if err := ufsjournal.Format(dir + "/journal"); err != nil {
		t.Fatal(err)
	}
	uri := "memtest://" + strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()) + fmt.Sprintf("-%d", time.Now().UnixNano())
	return startTestMasterOn(t, dir, uri, mod)
}

// startTestMasterOn starts a master on the journal in dir whose root under
// storage is uri, and waits until it is primary.
func startTestMasterOn(t *testing.T, dir, uri string, mod func(*Config)) *testMaster {
	t.Helper()
	cfg := testConfig(dir, uri)
	if mod != nil {
		mod(cfg)
	}
	logs := &logBuffer{}
	s, err := New(cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.WaitPrimary(ctx); err != nil {
		t.Fatalf("the master did not become primary: %v", err)
	}
	m := &testMaster{Server: s, dir: dir, logs: logs}
	if strings.HasPrefix(uri, "memtest:") {
		m.store = memStore(uri)
	}
	return m
}

// testConfig configures a master of the journal in dir, on loopback ports
// any free, whose root under storage is uri.
func testConfig(dir, uri string) *Config {
	return &Config{
		Hostname: "127.0.0.1", BindHost: "127.0.0.1", JournalType: "UFS", JournalFolder: dir + "/journal",
		MaxLogSize: 10 << 20, CheckpointPeriod: 2000000, TailInterval: 50 * time.Millisecond,
		RootUFS: uri, RetryCacheSize: 1000, TTLCheckInterval: time.Hour,
		DefaultBlockSize: 1 << 20, LoadType: "ONCE", SyncInterval: -1, Umask: 0o22, SuperUser: "root",
		WorkerTimeout: time.Minute, PermissionEnabled: true, SuperGroup: "supergroup", GroupCacheTimeout: time.Minute,
	}
}

// waitUntil polls cond until it holds, failing the test after d.
func waitUntil(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var opSeq struct {
	sync.Mutex
	n int
}

func opID() string {
	opSeq.Lock()
	defer opSeq.Unlock()
	opSeq.n++
	return fmt.Sprintf("test-op-%d", opSeq.n)
}

// The helpers below call the master as its gRPC services do, failing the
// test on an error.

func (m *testMaster) mkdir(t testing.TB, path, writeType string) *alluxiopb.FileInfo {
	t.Helper()
	fi, err := m.fs.createDirectory(context.Background(), &alluxiopb.CreateDirectoryRequest{Path: path, OpId: opID(),
		Recursive: true, WriteType: writeType})
	if err != nil {
		t.Fatalf("mkdir %s: %v", path, err)
	}
	return fi
}

// write makes a complete CACHE_THROUGH file the way a client does: create,
// the copy under the temporary name, complete.
func (m *testMaster) write(t testing.TB, path string, data []byte) *alluxiopb.FileInfo {
	t.Helper()
	ctx := context.Background()
	fi, err := m.fs.createFile(ctx, &alluxiopb.CreateFileRequest{Path: path, OpId: opID(), Recursive: true})
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	m.store.put(t, underfs.TempPath(fi.UfsLocation.RelativePath, fi.FileId), data)
	fi, err = m.fs.completeFile(ctx, &alluxiopb.CompleteFileRequest{Path: path, OpId: opID(), FileId: fi.FileId,
		Length: int64(len(data)), Persisted: true})
	if err != nil {
		t.Fatalf("complete %s: %v", path, err)
	}
	return fi
}

func (m *testMaster) stat(t testing.TB, path string) *alluxiopb.FileInfo {
	t.Helper()
	fi, err := m.fs.getStatus(context.Background(), path, &alluxiopb.FileSystemMasterCommonOptions{LoadMetadataType: alluxiopb.LoadMetadataType_NEVER}, 0)
	if err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	return fi
}

// names lists the directory at path with the options o (nil: the
// defaults) and returns its entries' names.
func (m *testMaster) names(t testing.TB, path string, o *alluxiopb.FileSystemMasterCommonOptions) []string {
	t.Helper()
	var names []string
	if err := m.fs.listStatus(context.Background(), path, false, o, func(fis []*alluxiopb.FileInfo) error {
		for _, f := range fis {
			names = append(names, f.Name)
		}
		return nil
	}); err != nil {
		t.Fatalf("list %s: %v", path, err)
	}
	return names
}

func (m *testMaster) missing(t testing.TB, path string) {
	t.Helper()
	if _, err := m.st.Stat(path); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("%s is in the namespace (%v)", path, err)
	}
}

func (m *testMaster) pending() int { return len(m.st.PendingIntents()) }
