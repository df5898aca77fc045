package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestWebUIInABrowser drives the web UI of a 3-master cluster with a
// worker in headless Chromium: every page loads without a script or load
// error and is saved as a screenshot; Browse leads into a directory and a
// file whose details and first and last KiB match what the CLI says; a
// standby names the leader and links to it; and after the leader is
// killed with SIGKILL the pages name the new one.
func TestWebUIInABrowser(t *testing.T) {
	// Elections slower than the default's half a second, so that a loaded
	// machine does not move the leader while the test reads its pages;
	// the kill below still elects a new one within seconds.
	c := newEmbeddedCluster(t, 1, "-Dalluxio.master.embedded.journal.election.timeout.min=3s",
		"-Dalluxio.master.embedded.journal.election.timeout.max=6s")
	leader := c.WaitLeader()
	b := testcluster.NewBrowser(t)

	// A file of numbered lines, longer than twice a KiB, so head and tail
	// differ.
	var sb strings.Builder
	for i := 0; sb.Len() < 5000; i++ {
		fmt.Fprintf(&sb, "line %04d of the file the browser reads <&>\n", i)
	}
	local := filepath.Join(t.TempDir(), "file.txt")
	if err := os.WriteFile(local, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	leader.Must("fs", "mkdir", "/web/dir/sub")
	leader.Must("fs", "copyFromLocal", local, "/web/dir/file.txt")
	leader.Must("fs", "mkdir", "/web/dir/another")

	base := func(m *cluster.Master) string { return fmt.Sprintf("http://127.0.0.1:%d", m.WebPort) }
	addr := func(m *cluster.Master) string { return fmt.Sprintf("127.0.0.1:%d", m.RPCPort) }
	for _, p := range []struct{ path, name string }{
		{"/", "overview"}, {"/browse", "browse"}, {"/workers", "workers"}, {"/mounts", "mounts"},
		{"/config", "configuration"}, {"/metrics/", "metrics"}, {"/logs", "logs"},
	} {
		b.Visit(base(leader)+p.path, "master-"+p.name)
	}
	leader = leaderShown(t, b, c, nil)
	b.Visit(base(leader)+"/", "master-overview")
	if got := b.Text("#live-workers"); got != "1" {
		t.Fatalf("live workers: %q", got)
	}
	if got := b.Text("#cluster-id"); len(got) != 36 {
		t.Fatalf("cluster id %q", got)
	}
	roles := b.Texts("#masters td:nth-child(2)")
	slices.Sort(roles)
	if strings.Join(roles, ",") != "PRIMARY,STANDBY,STANDBY" {
		t.Fatalf("the Overview's masters have roles %q", roles)
	}
	count := strings.Fields(strings.Split(strings.TrimSpace(leader.Must("fs", "count", "/")), "\n")[1])
	if files, dirs := b.Text("#files"), b.Text("#directories"); files != count[0] || dirs != count[1] {
		t.Fatalf("the Overview counts %s files and %s directories; fs count / says %v", files, dirs, count)
	}
	if tiers := b.Texts("#capacity td:first-child"); strings.Join(tiers, ",") != "MEM,Total" {
		t.Fatalf("the Overview's capacity rows: %q", tiers)
	}
	b.Visit(base(leader)+"/workers", "master-workers")
	if got := b.Texts("#workers td:nth-child(2)"); len(got) != 1 || got[0] != "LIVE" {
		t.Fatalf("the Workers page's states: %q", got)
	}
	if got := b.Texts("#workers td:first-child a"); len(got) != 1 || got[0] != c.Workers[0].Address() {
		t.Fatalf("the Workers page lists %q, want %s", got, c.Workers[0].Address())
	}

	// Browse: root, then /web, then /web/dir, by clicking.
	b.Visit(base(leader)+"/browse", "browse-root")
	b.Click(`a.entry[href="/browse?path=%2Fweb"]`)
	b.Screenshot("browse-web")
	b.Click(`a.entry[href="/browse?path=%2Fweb%2Fdir"]`)
	b.Screenshot("browse-web-dir")
	var cliNames []string
	for _, line := range strings.Split(strings.TrimSpace(leader.Must("fs", "ls", "/web/dir")), "\n") {
		f := strings.Fields(line)
		cliNames = append(cliNames, filepath.Base(f[len(f)-1]))
	}
	var webNames []string
	for _, n := range b.Texts("a.entry") {
		webNames = append(webNames, strings.TrimSuffix(n, "/"))
	}
	if strings.Join(webNames, ",") != strings.Join(cliNames, ",") {
		t.Fatalf("Browse shows %v, fs ls %v", webNames, cliNames)
	}

	b.Click(`a.entry[href="/browse?path=%2Fweb%2Fdir%2Ffile.txt"]`)
	b.Screenshot("browse-file")
	stat := leader.Must("fs", "stat", "/web/dir/file.txt")
	size := strconv.Itoa(sb.Len())
	if got := b.Text("#file-size"); !strings.HasPrefix(got, size+" ") || !strings.Contains(stat, size) {
		t.Fatalf("the file's size: web %q, want %s; fs stat:\n%s", got, size, stat)
	}
	for _, id := range []string{"#file-owner", "#file-persistence"} {
		if got := b.Text(id); got == "" || !strings.Contains(stat, got) {
			t.Fatalf("%s is %q, which fs stat does not say:\n%s", id, got, stat)
		}
	}
	if got := b.Texts("#blocks td:last-child"); len(got) != 1 || !strings.Contains(got[0], "(MEM)") {
		t.Fatalf("block locations: %q", got)
	}
	b.Click("#view-head")
	b.Screenshot("browse-file-head")
	if got, want := b.Text("#file-content"), leader.Must("fs", "head", "/web/dir/file.txt"); got != want {
		t.Fatalf("the first KiB: web %q, fs head %q", got, want)
	}
	b.Click("#view-tail")
	b.Screenshot("browse-file-tail")
	if got, want := b.Text("#file-content"), leader.Must("fs", "tail", "/web/dir/file.txt"); got != want {
		t.Fatalf("the last KiB: web %q, fs tail %q", got, want)
	}

	// The worker's pages, and where the file's block is.
	w := c.Workers[0]
	wbase := fmt.Sprintf("http://127.0.0.1:%d", w.WebPort)
	for _, p := range []struct{ path, name string }{
		{"/", "overview"}, {"/blocks", "blocks"}, {"/config", "configuration"}, {"/metrics/", "metrics"}, {"/logs", "logs"},
	} {
		b.Visit(wbase+p.path, "worker-"+p.name)
	}
	b.Visit(wbase+"/blocks?path=%2Fweb%2Fdir%2Ffile.txt", "worker-blocks-of-file")
	if got := b.Texts("#file-blocks td:last-child"); len(got) != 1 || got[0] != "yes (MEM)" {
		t.Fatalf("the worker's blocks of the file: %q", got)
	}
	b.Visit(wbase+"/", "worker-overview")
	if got := b.Text("#block-count"); got != "1" {
		t.Fatalf("the worker's block count: %q", got)
	}

	// A standby says so and links to the leader.
	leader = leaderShown(t, b, c, nil)
	var standby *cluster.Master
	for _, m := range c.Masters {
		if m != leader {
			standby = m
			break
		}
	}
	b.Visit(base(standby)+"/browse", "standby-browse")
	if got := b.Text("#leader"); got != addr(leader) {
		t.Fatalf("the standby names leader %q, want %q", got, addr(leader))
	}
	b.Click("#leader-link")
	if got := b.Location(); got != base(leader)+"/" {
		t.Fatalf("the standby's link leads to %s, want %s/", got, base(leader))
	}

	// kill -9 the leader: the pages of the survivors name the new one.
	leader.Proc.Kill()
	next := leaderShown(t, b, c, leader)
	b.Visit(base(next)+"/browse?path=%2Fweb%2Fdir", "browse-after-failover")
	if n := len(b.Texts("a.entry")); n != len(cliNames) {
		t.Fatalf("after the failover Browse shows %d entries, want %d", n, len(cliNames))
	}
}

// leaderShown waits until the web UI of every running master names the
// same leader, the master whose /healthz says it is primary (and which is
// not old), and returns it. Each page it looks at is saved.
func leaderShown(t *testing.T, b *testcluster.Browser, c *cluster.HA, old *cluster.Master) *cluster.Master {
	t.Helper()
	var leader *cluster.Master
	testcluster.WaitFor(t, 90*time.Second, 200*time.Millisecond, func() (bool, string) {
		leader = c.WaitLeader()
		if leader == old {
			return false, "the old leader still leads"
		}
		want := fmt.Sprintf("127.0.0.1:%d", leader.RPCPort)
		for i, m := range c.Masters {
			if m.Proc.Exited() {
				continue
			}
			sel := "#leader"
			if m == leader {
				sel = "#leader-address"
			}
			b.Visit(fmt.Sprintf("http://127.0.0.1:%d/", m.WebPort), fmt.Sprintf("leader-shown-by-master%d", i))
			if got := b.Text(sel); got != want {
				return false, fmt.Sprintf("master%d names leader %q, /healthz says %s", i, got, want)
			}
		}
		return true, ""
	})
	return leader
}
