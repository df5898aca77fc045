package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// cliAs runs the CLI with m's configuration changed by edit (which gets and
// returns the -D flags), and returns the combined output and exit code.
func cliAs(t testing.TB, m *cluster.Master, edit func([]string) []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(m.Bin, append(args, edit(m.Defines())...)...)
	cmd.Env = append(os.Environ(), m.Env()...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), 0
}

// onlyThisMaster is the configuration of a user who knows one master: its
// address alone, no master list and no ZooKeeper (as `alluxio local`'s
// users have: localhost:19998).
func onlyThisMaster(defs []string) []string {
	var out []string
	for _, d := range defs {
		if strings.HasPrefix(d, "-Dalluxio.master.rpc.addresses=") || strings.HasPrefix(d, "-Dalluxio.zookeeper.") {
			continue
		}
		out = append(out, d)
	}
	return append(out, "-Dalluxio.zookeeper.enabled=false", "-Dalluxio.user.rpc.retry.max.duration=60s")
}

func unchanged(defs []string) []string { return defs }

func rpcAddr(m *cluster.Master) string { return fmt.Sprintf("127.0.0.1:%d", m.RPCPort) }

// fsLeader runs `alluxio fs leader` and returns what it printed.
func fsLeader(t testing.TB, via *cluster.Master, edit func([]string) []string) string {
	t.Helper()
	out, code := cliAs(t, via, edit, "fs", "leader")
	if code != 0 {
		t.Fatalf("alluxio fs leader (via %s): exit %d: %s", rpcAddr(via), code, out)
	}
	return strings.TrimSpace(out)
}

// wantLeaderFromEach checks that `fs leader` names want whichever live
// master the user's configuration points at.
func wantLeaderFromEach(t *testing.T, c *cluster.HA, want *cluster.Master, when string) {
	t.Helper()
	for _, m := range c.Masters {
		if m.Proc.Exited() {
			continue
		}
		if got := fsLeader(t, m, onlyThisMaster); got != rpcAddr(want) {
			t.Errorf("%s: alluxio fs leader configured with %s printed %q, want the leader %s", when, rpcAddr(m), got, rpcAddr(want))
		}
	}
}

// TestFsLeaderEmbeddedFailoverDemo is the seed's failover demonstration
// through the CLI, with the embedded journal: fs leader, move leadership
// (quorum elect, then kill -9 of the leader), fs leader again names the new
// one — whichever master the user's configuration names.
func TestFsLeaderEmbeddedFailoverDemo(t *testing.T) {
	t.Parallel()
	c := newEmbeddedCluster(t, 0)
	leader := c.WaitLeader()
	wantLeaderFromEach(t, c, leader, "at start")

	var target *cluster.Master
	for _, m := range c.Masters {
		if m != leader {
			target = m
			break
		}
	}
	c.Masters[0].Must("fsadmin", "journal", "quorum", "elect", "-address", embeddedAddr(t, target))
	testcluster.WaitFor(t, 30*time.Second, 20*time.Millisecond, func() (bool, string) {
		return c.WaitLeader() == target, "leadership not transferred to " + rpcAddr(target)
	})
	wantLeaderFromEach(t, c, target, "after quorum elect")

	target.Proc.Kill()
	var survivor *cluster.Master
	for _, m := range c.Masters {
		if m != target {
			survivor = m
			break
		}
	}
	// Asked at once, the CLI must wait out the election, not name the
	// dead master.
	got := fsLeader(t, survivor, onlyThisMaster)
	next := c.WaitLeader()
	if got != rpcAddr(next) || got == rpcAddr(target) {
		t.Errorf("right after kill -9 of %s: fs leader printed %q, want the new leader %s", rpcAddr(target), got, rpcAddr(next))
	}
	wantLeaderFromEach(t, c, next, "after kill -9 of the leader")
}

// TestFsLeaderZooKeeperFailoverDemo is the same demonstration with
// ZooKeeper: the killed leader's znode lingers until its session expires,
// and fs leader must not name it meanwhile.
func TestFsLeaderZooKeeperFailoverDemo(t *testing.T) {
	t.Parallel()
	c := newZKCluster(t, 0, "5s")
	leader := c.WaitLeader()
	if got := fsLeader(t, leader, unchanged); got != rpcAddr(leader) {
		t.Errorf("at start: fs leader through ZooKeeper printed %q, want %s", got, rpcAddr(leader))
	}
	wantLeaderFromEach(t, c, leader, "at start")

	leader.Proc.Kill()
	var survivor *cluster.Master
	for _, m := range c.Masters {
		if m != leader {
			survivor = m
			break
		}
	}
	got := fsLeader(t, survivor, unchanged)
	next := c.WaitLeader()
	if got != rpcAddr(next) || got == rpcAddr(leader) {
		t.Errorf("right after kill -9 of %s: fs leader through ZooKeeper printed %q, want the new leader %s", rpcAddr(leader), got, rpcAddr(next))
	}
	wantLeaderFromEach(t, c, next, "after kill -9 of the leader")
}

// embeddedAddr is m's embedded journal address, from its flags.
func embeddedAddr(t testing.TB, m *cluster.Master) string {
	t.Helper()
	for _, d := range m.Extra {
		if p, ok := strings.CutPrefix(d, "-Dalluxio.master.embedded.journal.port="); ok {
			return "127.0.0.1:" + p
		}
	}
	t.Fatal("no embedded journal port")
	return ""
}
