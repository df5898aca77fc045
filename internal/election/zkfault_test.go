package election

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// TestZooKeeperQuorumLoss: with two of three servers gone the primary
// stops vouching for itself at once and steps down when its session
// times out; with the quorum back a primary is elected again.
func TestZooKeeperQuorumLoss(t *testing.T) {
	e := startEnsemble(t, 3)
	g := newGroup(t, e.Servers())
	g.add("a", 19998)
	g.add("b", 19997)
	first := g.waitWin(0)
	testcluster.WaitFor(t, waitLong, poll, func() (bool, string) {
		return first.m.z.Valid(), first.m.name + " is primary but not Valid"
	})

	leader := e.Leader()
	follower := (leader + 1) % 3
	t0 := time.Now()
	e.Kill(leader)
	e.Kill(follower)
	testcluster.WaitFor(t, testSession, time.Millisecond, func() (bool, string) {
		return !first.m.z.Valid(), first.m.name + " still Valid without a quorum"
	})
	invalid := time.Since(t0)
	first.m.waitDemoted(t, 3*testSession)
	demoted := time.Since(t0)
	t.Logf("quorum lost: %s Valid()=false after %v, Role{Primary:false} after %v (session timeout %v)",
		first.m.name, invalid.Round(time.Millisecond), demoted.Round(time.Millisecond), testSession)
	// Within the session timeout, and room for two busy cores under the
	// race detector: the bound catches a primary that stays on.
	if demoted > 2*testSession {
		t.Errorf("stepped down %v after the quorum was lost; want within the session timeout (%v) and a little", demoted, testSession)
	}

	t1 := time.Now()
	e.Start(leader)
	e.Start(follower)
	e.WaitReady(t, zkStart)
	second := g.waitWin(1)
	t.Logf("quorum back: %s primary after %v (epoch %d -> %d)", second.m.name,
		second.at.Sub(t1).Round(time.Millisecond), first.epoch, second.epoch)
	testcluster.WaitFor(t, waitLong, poll, func() (bool, string) {
		return second.m.z.Valid(), second.m.name + " is primary but not Valid"
	})
}

// TestZooKeeperUnreachableAtStart: Start succeeds without ZooKeeper, the
// selector says it cannot reach it (not in a tight loop), and becomes
// primary once ZooKeeper is up.
func TestZooKeeperUnreachableAtStart(t *testing.T) {
	e := startEnsemble(t, 1)
	e.Stop(0)
	g := newGroup(t, e.Servers())
	t0 := time.Now()
	m := g.add("m", 19998)                   // fails the test unless Start returns nil
	const msg = "cannot reach ZooKeeper at " // + servers + "; retrying"
	testcluster.WaitFor(t, 4*unreachableEvery, poll, func() (bool, string) {
		n := m.log.count(msg)
		return n >= 2, fmt.Sprintf("%d warnings", n)
	})
	if took := time.Since(t0); took < unreachableEvery {
		t.Errorf("two warnings within %v; want them at least %v apart", took, unreachableEvery)
	}
	if m.log.count(msg+e.Address()+"; retrying") == 0 {
		t.Errorf("the warning does not name the servers %s", e.Address())
	}

	t1 := time.Now()
	e.Start(0)
	e.WaitReady(t, zkStart)
	w := g.waitWin(0)
	t.Logf("ZooKeeper started: %s primary after %v (epoch %d)", w.m.name, w.at.Sub(t1).Round(time.Millisecond), w.epoch)
	testcluster.WaitFor(t, waitLong, poll, func() (bool, string) {
		return m.log.count("reached ZooKeeper again") > 0, "no message that ZooKeeper is reachable again"
	})
}

// The paused-primary test runs one selector in a child process (this test
// binary in helper mode) so that it can be stopped with SIGSTOP.
const (
	helperEnv        = "ELECTION_TEST_HELPER"
	helperServersEnv = "ELECTION_TEST_SERVERS"
	helperAddrEnv    = "ELECTION_TEST_ADDRESS"
)

// helperMain runs a selector and prints its roles, each change of Valid,
// and "RESUMED" with a fresh Valid when it notices it was stopped.
func helperMain() int {
	z, err := NewZooKeeper(ZKConfig{
		Servers:        strings.Split(os.Getenv(helperServersEnv), ","),
		SessionTimeout: testSession,
		Address:        os.Getenv(helperAddrEnv),
		Logger:         slog.New(slog.NewTextHandler(os.Stdout, nil)),
	})
	if err == nil {
		err = z.Start(context.Background())
	}
	if err != nil {
		fmt.Println("helper:", err)
		return 1
	}
	tick := time.NewTicker(5 * time.Millisecond)
	last, valid := time.Now(), false
	for {
		select {
		case r, ok := <-z.Changes():
			if !ok {
				return 0
			}
			fmt.Printf("ROLE primary=%v epoch=%d\n", r.Primary, r.Epoch)
		case <-tick.C:
			v := z.Valid()
			now := time.Now()
			gap := now.Sub(last)
			last = now
			if gap > testSession/2 {
				// v may predate the stop; ask again.
				valid = z.Valid()
				fmt.Printf("RESUMED after %v valid=%v\n", gap.Round(time.Millisecond), valid)
				continue
			}
			if v != valid {
				fmt.Printf("VALID %v\n", v)
				valid = v
			}
		}
	}
}

var roleLine = regexp.MustCompile(`ROLE primary=(true|false) epoch=(\d+)`)

// epochs returns the epochs of the child's Role{Primary: true} lines.
func epochs(out string) []uint64 {
	var es []uint64
	for _, m := range roleLine.FindAllStringSubmatch(out, -1) {
		if m[1] == "true" {
			e, _ := strconv.ParseUint(m[2], 10, 64)
			es = append(es, e)
		}
	}
	return es
}

// TestZooKeeperPausedPrimary: a primary stopped (SIGSTOP) past its session
// timeout is replaced; when it resumes it never claims to be Valid, steps
// down at once, and can win a later term with a higher epoch.
func TestZooKeeperPausedPrimary(t *testing.T) {
	e := startEnsemble(t, 1)
	p := testcluster.Start(t, "paused", os.Args[0], []string{"-test.run=^$"},
		[]string{helperEnv + "=1", helperServersEnv + "=" + e.Address(), helperAddrEnv + "=127.0.0.1:19990"})
	if !p.WaitForLog(t, "VALID true", waitLong) {
		t.Fatal("the child did not become a valid primary")
	}
	childEpoch := epochs(p.Output())[0]
	g := newGroup(t, e.Servers())
	b := g.add("b", 19997)
	testcluster.WaitFor(t, waitLong, poll, func() (bool, string) {
		return b.z.Leader() == "127.0.0.1:19990", "b does not see the child as leader yet: " + b.z.Leader()
	})

	if err := p.Pause(); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	w := g.waitWin(0)
	t.Logf("child paused: b primary after %v (epoch %d -> %d)", w.at.Sub(t0).Round(time.Millisecond), childEpoch, w.epoch)
	if w.epoch <= childEpoch {
		t.Errorf("b's epoch %d is not above the paused primary's %d", w.epoch, childEpoch)
	}

	t1 := time.Now()
	if err := p.Resume(); err != nil {
		t.Fatal(err)
	}
	if !p.WaitForLog(t, "ROLE primary=false", 5*time.Second) {
		t.Fatal("the resumed primary did not step down promptly")
	}
	t.Logf("child resumed: Role{Primary:false} after %v", time.Since(t1).Round(time.Millisecond))
	if !p.WaitForLog(t, "RESUMED", 5*time.Second) {
		t.Fatal("the child did not notice it was stopped")
	}
	out := p.Output()
	after := out[strings.Index(out, "RESUMED"):]
	if !strings.HasPrefix(after[:strings.IndexByte(after, '\n')], "RESUMED") ||
		!strings.Contains(after[:strings.IndexByte(after, '\n')], "valid=false") {
		t.Errorf("the child was Valid right after it resumed: %q", after[:strings.IndexByte(after, '\n')])
	}
	if i := strings.Index(after, "VALID true"); i >= 0 && !strings.Contains(after[:i], "ROLE primary=true") {
		t.Errorf("the resumed child claimed Valid before a new term:\n%s", after)
	}

	// With b gone, the child leads again, in a newer term.
	g.stop(b)
	if !p.WaitForLogCount("ROLE primary=true", 2, waitLong) {
		t.Fatalf("the child did not become primary again:\n%s", p.Output())
	}
	if es := epochs(p.Output()); es[1] <= w.epoch {
		t.Errorf("the child's new epoch %d is not above b's %d", es[1], w.epoch)
	}
}
