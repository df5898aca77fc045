package testcluster_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// zkLogger sends the client's log to t until the test ends; the client's
// goroutines may still log while it closes.
type zkLogger struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func newZKLogger(t testing.TB) *zkLogger {
	l := &zkLogger{t: t}
	t.Cleanup(func() {
		l.mu.Lock()
		l.done = true
		l.mu.Unlock()
	})
	return l
}

func (l *zkLogger) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Logf("[zk client] "+format, args...)
	}
}

func connectZK(t *testing.T, e *testcluster.ZKEnsemble) *zk.Conn {
	t.Helper()
	conn, _, err := zk.Connect(e.Servers(), 10*time.Second, zk.WithLogger(newZKLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn
}

func TestZooKeeperEnsembleSurvivesOneFailure(t *testing.T) {
	t.Parallel()
	start := time.Now()
	e := testcluster.StartZooKeeper(t, 3)
	e.WaitReady(t, waitLong)
	t.Logf("ensemble of 3 ready after %v", time.Since(start))
	if got := strings.Count(e.Address(), ",") + 1; got != 3 {
		t.Fatalf("Address() = %q", e.Address())
	}

	conn := connectZK(t, e)
	want := []byte("hello")
	testcluster.WaitFor(t, waitLong, 100*time.Millisecond, func() (bool, string) {
		_, err := conn.Create("/testcluster", want, 0, zk.WorldACL(zk.PermAll))
		return err == nil || errors.Is(err, zk.ErrNodeExists), fmt.Sprintf("create: %v", err)
	})
	read := func() (bool, string) {
		got, _, err := conn.Get("/testcluster")
		if err != nil {
			return false, fmt.Sprintf("get: %v", err)
		}
		return bytes.Equal(got, want), fmt.Sprintf("get = %q, want %q", got, want)
	}
	testcluster.WaitFor(t, waitLong, 100*time.Millisecond, read)

	// Losing the leader costs an election, not the service.
	leader := e.Leader()
	if leader < 0 {
		t.Fatal("no leader after WaitReady")
	}
	e.Kill(leader)
	t0 := time.Now()
	testcluster.WaitFor(t, waitLong, 100*time.Millisecond, read)
	e.WaitReady(t, waitLong)
	t.Logf("zk%d (leader) killed; reads again after %v", leader+1, time.Since(t0))

	// A second loss leaves one server of three: no quorum, no writes.
	second := (leader + 1) % 3
	survivor := 3 - leader - second
	e.Kill(second)
	t0 = time.Now()
	testcluster.WaitFor(t, waitLong, 100*time.Millisecond, func() (bool, string) {
		mode, err := e.Mode(survivor)
		return err != nil, fmt.Sprintf("zk%d still serves as %s", survivor+1, mode)
	})
	t.Logf("zk%d stopped serving %v after losing quorum", survivor+1, time.Since(t0))
	result := make(chan error, 1)
	go func() {
		_, err := conn.Set("/testcluster", []byte("without quorum"), -1)
		result <- err
	}()
	// The write either fails or hangs until a quorum is back; it cannot
	// succeed. A bounded observation window is the only way to see "hangs".
	select {
	case err := <-result:
		if err == nil {
			t.Fatal("write succeeded without a quorum")
		}
		t.Logf("write without quorum failed: %v", err)
	case <-time.After(3 * time.Second):
		t.Log("write without quorum still pending after 3s")
	}

	// One server back restores the quorum.
	e.Start(second)
	t0 = time.Now()
	e.WaitReady(t, waitLong)
	testcluster.WaitFor(t, waitLong, 100*time.Millisecond, func() (bool, string) {
		_, err := conn.Set("/testcluster", []byte("again"), -1)
		return err == nil, fmt.Sprintf("set: %v", err)
	})
	want = []byte("again")
	testcluster.WaitFor(t, waitLong, 100*time.Millisecond, read)
	t.Logf("zk%d restarted; writes again after %v (test total %v)", second+1, time.Since(t0), time.Since(start))
}

func TestZooKeeperStandalonePauseResume(t *testing.T) {
	t.Parallel()
	e := testcluster.StartZooKeeper(t, 1)
	e.WaitReady(t, waitLong)
	if mode, err := e.Mode(0); err != nil || mode != "standalone" {
		t.Fatalf("Mode(0) = %q, %v; want standalone", mode, err)
	}
	if e.Leader() != 0 {
		t.Fatalf("Leader() = %d", e.Leader())
	}

	// A paused server accepts connections (the kernel does) but answers
	// nothing, so the four-letter word times out.
	e.Pause(0)
	if out, err := testcluster.FourLetterWord(e.Servers()[0], "ruok"); err == nil {
		t.Fatalf("paused server answered %q", out)
	}
	e.Resume(0)
	e.WaitReady(t, waitLong)

	e.Stop(0)
	if _, err := e.Mode(0); err == nil {
		t.Fatal("stopped server answers")
	}
	e.Start(0)
	e.WaitReady(t, waitLong)
	conn := connectZK(t, e)
	testcluster.WaitFor(t, waitLong, 100*time.Millisecond, func() (bool, string) {
		_, err := conn.Create("/after-restart", nil, 0, zk.WorldACL(zk.PermAll))
		return err == nil, fmt.Sprintf("create: %v", err)
	})
}

// A server on a Net's peer gateway is reached at that address, so hosts
// on the peer network can use it.
func TestZooKeeperOnPeerGateway(t *testing.T) {
	t.Parallel()
	nt := testcluster.NewNet(t, 1) // skips, or fails under CI, without namespaces
	e := testcluster.StartZooKeeperOn(t, 1, nt.PeerGateway())
	e.WaitReady(t, waitLong)
	if got := e.Servers()[0]; !strings.HasPrefix(got, nt.PeerGateway()+":") {
		t.Fatalf("Servers() = %q, want the gateway %s", got, nt.PeerGateway())
	}
	conn := connectZK(t, e)
	if _, err := conn.Create("/on-gateway", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
}
