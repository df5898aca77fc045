package master

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// TestWaitPrimaryOnPrimary: WaitPrimary (which startTestMaster waits with)
// returns only once the master serves, and at once afterwards.
func TestWaitPrimaryOnPrimary(t *testing.T) {
	s := startTestMaster(t)
	if !s.IsPrimary() {
		t.Fatal("WaitPrimary returned before the master served as primary")
	}
	if err := s.WaitPrimary(context.Background()); err != nil {
		t.Fatalf("WaitPrimary on a primary: %v", err)
	}
}

// TestWaitPrimaryReleasedByStop: a master that cannot win an election (an
// embedded journal whose two peers never start) keeps its waiters waiting
// until it is stopped, and then tells them it stopped.
func TestWaitPrimaryReleasedByStop(t *testing.T) {
	var addrs []string
	for _, p := range testcluster.FreePorts(t, 3) {
		addrs = append(addrs, net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	}
	dir := t.TempDir()
	cfg := &Config{
		Hostname: "127.0.0.1", BindHost: "127.0.0.1", JournalType: "EMBEDDED", JournalFolder: dir + "/journal",
		RootUFS: dir + "/ufs", RetryCacheSize: 100, TTLCheckInterval: time.Hour,
		DefaultBlockSize: 64 << 20, LoadType: "ONCE", SyncInterval: -1, Umask: 0o22, SuperUser: "root",
		ElectionTimeoutMin: 100 * time.Millisecond, ElectionTimeoutMax: 200 * time.Millisecond,
		RPCAddresses:      []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"},
		EmbeddedAddresses: addrs, EmbeddedPort: portOf(t, addrs[0]),
	}
	s, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- s.WaitPrimary(context.Background()) }()
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(context.Background()) })
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A waiter released early would have answered nil, not ErrUnavailable.
	select {
	case err := <-waited:
		if !errors.Is(err, errs.ErrUnavailable) {
			t.Fatalf("WaitPrimary after Stop answered %v, want ErrUnavailable", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Stop did not release WaitPrimary")
	}
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return a.Port
}
