package client_test

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/election"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

func TestZooKeeperLeader(t *testing.T) {
	e := testcluster.StartZooKeeper(t, 1)
	e.WaitReady(t, time.Minute)
	ctx := t.Context()

	if _, err := client.ZooKeeperLeader(ctx, nil, "", time.Second); !errors.Is(err, client.ErrInvalidArg) {
		t.Errorf("no servers: err = %v, want ErrInvalidArg", err)
	}
	if _, err := client.ZooKeeperLeader(ctx, e.Servers(), "no-slash", 10*time.Second); !errors.Is(err, client.ErrInvalidArg) {
		t.Errorf("bad path: err = %v, want ErrInvalidArg", err)
	}
	_, err := client.ZooKeeperLeader(ctx, e.Servers(), "", 10*time.Second)
	if !errors.Is(err, client.ErrUnavailable) || !strings.Contains(err.Error(), "no primary master is registered under /alluxio/leader") {
		t.Errorf("before any election: err = %v, want ErrUnavailable saying no primary is registered", err)
	}

	// A primary publishes its address; the lookup finds it.
	const addr = "127.0.0.1:19998"
	sel, err := election.NewZooKeeper(election.ZKConfig{Servers: e.Servers(), Address: addr,
		SessionTimeout: 3 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := sel.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer sel.Stop()
	select {
	case r := <-sel.Changes():
		if !r.Primary {
			t.Fatalf("first role %+v", r)
		}
	case <-time.After(time.Minute):
		t.Fatal("the selector did not become primary")
	}
	if got, err := client.ZooKeeperLeader(ctx, e.Servers(), "/alluxio/leader", 10*time.Second); got != addr || err != nil {
		t.Errorf("ZooKeeperLeader = %q, %v; want %q", got, err, addr)
	}

	// A second znode, created later, is the newer primary.
	conn, _, err := zk.Connect(e.Servers(), 10*time.Second, zk.WithLogger(nopLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const newer = "127.0.0.1:29998"
	testcluster.WaitFor(t, time.Minute, 50*time.Millisecond, func() (bool, string) {
		_, err := conn.Create("/alluxio/leader/"+newer, nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
		return err == nil, "create: " + errString(err)
	})
	if got, err := client.ZooKeeperLeader(ctx, e.Servers(), "", 10*time.Second); got != newer || err != nil {
		t.Errorf("ZooKeeperLeader = %q, %v; want the newest, %q", got, err, newer)
	}

	// ZooKeeper gone: a clear error within the timeout.
	e.Stop(0)
	t0 := time.Now()
	_, err = client.ZooKeeperLeader(ctx, e.Servers(), "", 2*time.Second)
	took := time.Since(t0)
	t.Logf("ZooKeeper down: %v after %v", err, took.Round(time.Millisecond))
	if !errors.Is(err, client.ErrUnavailable) || !strings.Contains(err.Error(), "cannot reach ZooKeeper at "+e.Address()) {
		t.Errorf("ZooKeeper down: err = %v, want ErrUnavailable naming the servers", err)
	}
	// The bound catches a call that does not give up at its timeout, with
	// room for two busy cores under the race detector.
	if took > 10*time.Second {
		t.Errorf("ZooKeeper down: took %v with a 2s timeout", took)
	}
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// TestZooKeeperLeaderInquiries: alluxio.zookeeper.leader.inquiry.retry is
// how many times one lookup asks while no primary is registered; between
// tries it watches the leader path, so a primary that registers meanwhile
// is found by the same lookup.
func TestZooKeeperLeaderInquiries(t *testing.T) {
	e := testcluster.StartZooKeeper(t, 1)
	e.WaitReady(t, time.Minute)
	ctx := t.Context()
	for n, want := range map[int]string{1: "(asked once)", 2: "(asked 2 times)"} {
		_, err := client.ZooKeeperLeaderInquiries(ctx, e.Servers(), "", 10*time.Second, n)
		if !errors.Is(err, client.ErrUnavailable) || !strings.Contains(err.Error(), want) {
			t.Errorf("%d inquiries with no primary: err = %v, want ErrUnavailable %s", n, err, want)
		}
	}

	type answer struct {
		addr string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		addr, err := client.ZooKeeperLeaderInquiries(ctx, e.Servers(), "", 10*time.Second, 60)
		got <- answer{addr, err}
	}()
	// The lookup found nobody and now watches the leader path.
	testcluster.WaitFor(t, 30*time.Second, 20*time.Millisecond, func() (bool, string) {
		out, err := testcluster.FourLetterWord(e.Servers()[0], "wchs")
		return err == nil && !strings.Contains(out, "Total watches:0") && strings.Contains(out, "Total watches:"), out
	})
	conn, _, err := zk.Connect(e.Servers(), 10*time.Second, zk.WithLogger(nopLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const addr = "127.0.0.1:19998"
	for _, p := range []string{"/alluxio", "/alluxio/leader"} {
		if _, err := conn.Create(p, nil, 0, zk.WorldACL(zk.PermAll)); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			t.Fatal(err)
		}
	}
	if _, err := conn.Create("/alluxio/leader/"+addr, nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-got:
		if a.addr != addr || a.err != nil {
			t.Errorf("lookup during registration = %q, %v; want %q", a.addr, a.err, addr)
		}
	case <-time.After(time.Minute):
		t.Fatal("the lookup did not end")
	}
}
