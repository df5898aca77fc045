package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

func TestEmbeddedFailoverLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	failoverUnderWrites(t, newEmbeddedCluster(t, 2))
}

func TestEmbeddedPausedLeaderIsFenced(t *testing.T) {
	t.Parallel()
	pausedLeaderIsFenced(t, newEmbeddedCluster(t, 1))
}

// TestEmbeddedFullRestartAndWipedFollower restarts every master at once,
// then wipes a follower's journal: it rejoins through a snapshot.
func TestEmbeddedFullRestartAndWipedFollower(t *testing.T) {
	t.Parallel()
	c := newEmbeddedCluster(t, 1, "-Dalluxio.master.journal.checkpoint.period.entries=50")
	fs := c.Client(60 * time.Second)
	for i := 0; i < 120; i++ {
		if _, err := fs.CreateDirectory(context.Background(), fmt.Sprintf("/d%03d", i), client.CreateDirectoryOptions{WriteType: "MUST_CACHE"}); err != nil {
			t.Fatal(err)
		}
	}
	data := randomBytes(2<<20, 31)
	if err := writeAck(fs, "/file", data, "CACHE_THROUGH"); err != nil {
		t.Fatal(err)
	}
	c.Converge()
	for _, m := range c.Masters {
		m.Proc.Kill()
	}
	for _, m := range c.Masters {
		m.Proc.Restart(t)
	}
	c.WaitLeader()
	c.Converge()
	if got := readFile(t, fs, "/file", "NO_CACHE"); string(got) != string(data) {
		t.Fatal("content differs after a full restart")
	}
	leader := c.WaitLeader()
	var follower *cluster.Master
	for _, m := range c.Masters {
		if m != leader {
			follower = m
			break
		}
	}
	follower.Proc.Kill()
	if err := os.RemoveAll(follower.Dir + "/journal"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 60; i++ {
		if _, err := fs.CreateDirectory(context.Background(), fmt.Sprintf("/e%03d", i), client.CreateDirectoryOptions{WriteType: "MUST_CACHE"}); err != nil {
			t.Fatal(err)
		}
	}
	follower.Proc.Restart(t)
	c.Converge()
	d, err := follower.Digest()
	if err != nil || d.Inodes < 180 {
		t.Fatalf("wiped follower holds %d inodes (%v), want all of them", d.Inodes, err)
	}
}

// TestEmbeddedQuorumAdministration drives fsadmin journal quorum: info,
// elect, remove and add, and their refusals.
func TestEmbeddedQuorumAdministration(t *testing.T) {
	t.Parallel()
	c := newEmbeddedCluster(t, 0)
	m0 := c.Masters[0]
	info := m0.Must("fsadmin", "journal", "quorum", "info")
	if strings.Count(info, "AVAILABLE") != 3 || !strings.Contains(info, "Quorum size\t: 3") {
		t.Fatalf("quorum info:\n%s", info)
	}
	journalOf := func(m *cluster.Master) string {
		for _, d := range m.Extra {
			if p, ok := strings.CutPrefix(d, "-Dalluxio.master.embedded.journal.port="); ok {
				return "127.0.0.1:" + p
			}
		}
		t.Fatal("no journal port")
		return ""
	}
	leader := c.WaitLeader()
	var target *cluster.Master
	for _, m := range c.Masters {
		if m != leader {
			target = m
			break
		}
	}
	m0.Must("fsadmin", "journal", "quorum", "elect", "-address", journalOf(target))
	testcluster.WaitFor(t, 30*time.Second, 20*time.Millisecond, func() (bool, string) {
		return c.WaitLeader() == target, "leadership not transferred"
	})
	for _, bad := range [][]string{
		{"fsadmin", "journal", "quorum", "elect", "-address", "127.0.0.1:1"},
		{"fsadmin", "journal", "quorum", "remove", "-address", "127.0.0.1:1"},
		{"fsadmin", "journal", "quorum", "elect"},
	} {
		if out, code := m0.Run(bad...); code == 0 {
			t.Errorf("alluxio %v succeeded: %s", bad, out)
		}
	}
	var victim *cluster.Master
	for _, m := range c.Masters {
		if m != target {
			victim = m
			break
		}
	}
	m0.Must("fsadmin", "journal", "quorum", "remove", "-address", journalOf(victim))
	victim.Proc.Kill()
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		out, _ := target.Run("fsadmin", "journal", "quorum", "info")
		return strings.Contains(out, "Quorum size\t: 2"), out
	})
	fs := c.Client(30 * time.Second)
	if _, err := fs.CreateDirectory(context.Background(), "/two-members", client.CreateDirectoryOptions{}); err != nil {
		t.Fatalf("write with two members: %v", err)
	}
	// Back in, as a new member with an empty journal.
	os.RemoveAll(victim.Dir + "/journal")
	victim.Proc = testcluster.Start(t, "rejoined", victim.Bin, append([]string{"master", "--join"}, victim.Defines()...), victim.Env())
	target.Must("fsadmin", "journal", "quorum", "add", "-address", journalOf(victim), "-rpcAddress", fmt.Sprintf("127.0.0.1:%d", victim.RPCPort))
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		out, _ := target.Run("fsadmin", "journal", "quorum", "info")
		return strings.Contains(out, "Quorum size\t: 3") && strings.Count(out, "AVAILABLE") == 3, out
	})
	c.Converge()
}
