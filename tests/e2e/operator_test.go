package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// startMasterWith formats a master named name with extra defines (and formatExtra
// for the format only), and starts it.
func startMasterWith(t *testing.T, name string, extra []string, formatExtra ...string) *master {
	t.Helper()
	ports := testcluster.FreePorts(t, 2)
	m := &master{t: t, bin: testcluster.Binary(t), dir: t.TempDir(), rpcPort: ports[0], webPort: ports[1], extra: extra}
	if out, code := m.run(append([]string{"format"}, formatExtra...)...); code != 0 {
		t.Fatalf("format %v failed (%d): %s", formatExtra, code, out)
	}
	m.proc = testcluster.Start(t, name, m.bin, append([]string{"master"}, m.defines()...), m.env())
	m.waitLeader()
	return m
}

var backupURI = regexp.MustCompile(`(?m)^Backup URI\s+: (\S+)$`)

// A backup (fsadmin backup, local or into the root under storage) holds
// the whole namespace; a master formatted with
// alluxio.master.journal.init.from.backup starts with exactly it, keeps
// the cluster id, and goes on journaling after it. A damaged backup is
// refused before anything is formatted.
func TestBackupRestoresAtFormat(t *testing.T) {
	m := newMaster(t)
	buildNamespace(t, m, "/ns")
	want := dump(t, m.client())
	clusterID := m.client()

	out := m.must("fsadmin", "backup", "--local", filepath.Join(t.TempDir(), "backups"))
	local := backupURI.FindStringSubmatch(out)
	if local == nil || !strings.Contains(out, "Backup Entry Count") {
		t.Fatalf("fsadmin backup --local said:\n%s", out)
	}
	out = m.must("fsadmin", "backup")
	inUFS := backupURI.FindStringSubmatch(out)
	root := filepath.Join(m.dir, "underFSStorage")
	if inUFS == nil || !strings.HasPrefix(inUFS[1], root+"/alluxio_backups/") {
		t.Fatalf("fsadmin backup (into the root under storage %s) said:\n%s", root, out)
	}
	mi, err := clusterID.MasterInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	m.proc.Stop(30 * time.Second)

	for i, from := range []string{local[1], inUFS[1]} {
		r := startMasterWith(t, fmt.Sprintf("restored%d", i), []string{"-Dalluxio.master.mount.table.root.ufs=" + root}, "-Dalluxio.master.journal.init.from.backup="+from)
		c := r.client()
		// The restored master also sees the backup folder the second
		// backup made in the root under storage: compare below /ns.
		if got := nsLines(dump(t, c)); got != nsLines(want) {
			t.Fatalf("restored from %s:\n%s\nwant\n%s", from, got, nsLines(want))
		}
		rmi, err := c.MasterInfo(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if rmi.Statuses[0].ClusterID != mi.Statuses[0].ClusterID || rmi.Statuses[0].ClusterID == "" {
			t.Fatalf("cluster id %q after the restore, was %q", rmi.Statuses[0].ClusterID, mi.Statuses[0].ClusterID)
		}
		if rmi.Statuses[0].LastApplied < mi.Statuses[0].LastApplied {
			t.Fatalf("the restored journal is at %d, the backup covered %d", rmi.Statuses[0].LastApplied, mi.Statuses[0].LastApplied)
		}
		r.must("fs", "mkdir", fmt.Sprintf("/ns/after-restore-%d", i))
		r.proc.Stop(30 * time.Second)
	}

	bad := filepath.Join(t.TempDir(), "damaged.ckpt")
	data, err := os.ReadFile(local[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	probe := &master{t: t, bin: testcluster.Binary(t), dir: t.TempDir(), rpcPort: 1, webPort: 2}
	if out, code := probe.run("format", "-Dalluxio.master.journal.init.from.backup="+bad); code == 0 ||
		!strings.Contains(out, "alluxio.master.journal.init.from.backup") || !strings.Contains(out, bad) {
		t.Fatalf("a damaged backup: exit %d: %s", code, out)
	}
	if _, err := os.Stat(filepath.Join(probe.dir, "journal")); !os.IsNotExist(err) {
		t.Fatalf("a refused restore formatted the journal anyway (%v)", err)
	}
}

// nsLines keeps the lines of a dump about /ns and the mounts.
func nsLines(d string) string {
	var out []string
	for _, l := range strings.Split(d, "\n") {
		if strings.HasPrefix(l, "/ns") || strings.HasPrefix(l, "mount /ns") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Three embedded-journal masters formatted from one backup form a quorum
// with the backup's namespace.
func TestBackupRestoresAnEmbeddedQuorum(t *testing.T) {
	m := newMaster(t)
	buildNamespace(t, m, "/ns")
	want := nsLines(dump(t, m.client()))
	out := m.must("fsadmin", "backup", "--local", filepath.Join(t.TempDir(), "backups"))
	local := backupURI.FindStringSubmatch(out)
	if local == nil {
		t.Fatalf("fsadmin backup said:\n%s", out)
	}
	m.proc.Stop(30 * time.Second)
	c := newEmbeddedCluster(t, 0, "-Dalluxio.master.journal.init.from.backup="+local[1],
		"-Dalluxio.master.mount.table.root.ufs="+filepath.Join(m.dir, "underFSStorage"))
	fs := c.client(60 * time.Second)
	if got := nsLines(dump(t, fs)); got != want {
		t.Fatalf("the quorum restored:\n%s\nwant\n%s", got, want)
	}
	leader := c.waitLeader()
	leader.must("fs", "mkdir", "/ns/after-restore")
	c.converge()
}

// fsadmin ufs --mode readOnly refuses changes under the store's mounts,
// the mount table shows the mode, and readWrite lifts it.
func TestUfsModeCommand(t *testing.T) {
	m := newMaster(t)
	m.must("fs", "mkdir", "/before")
	root := "file://" + filepath.Join(m.dir, "underFSStorage")
	if out := m.must("fsadmin", "ufs", "--mode", "readOnly", root); !strings.Contains(out, "readOnly") {
		t.Fatalf("fsadmin ufs said: %s", out)
	}
	out, code := m.run("fs", "mkdir", "/after")
	if code == 0 || !strings.Contains(out, "READ_ONLY") {
		t.Fatalf("mkdir under a read-only store: exit %d: %s", code, out)
	}
	if out, code := m.run("fsadmin", "ufs", "--mode", "sideways", root); code == 0 || !strings.Contains(out, "sideways") {
		t.Fatalf("an unknown mode: exit %d: %s", code, out)
	}
	if out, code := m.run("fsadmin", "ufs", root); code == 0 || !strings.Contains(out, "--mode") {
		t.Fatalf("no mode: exit %d: %s", code, out)
	}
	// The mode is journaled: a restarted master keeps it.
	m.proc.Stop(30 * time.Second)
	m.restart()
	if _, code := m.run("fs", "mkdir", "/after"); code == 0 {
		t.Fatal("the mode did not survive a restart")
	}
	m.must("fsadmin", "ufs", "--mode", "readWrite", root)
	m.must("fs", "mkdir", "/after")
}

// fsadmin report names the workers and capacity; doctor finds nothing on
// a healthy cluster and names a lost worker.
func TestReportAndDoctor(t *testing.T) {
	m := startMasterWith(t, "master", []string{"-Dalluxio.master.worker.timeout=2s", "-Dalluxio.master.lost.worker.detection.interval=500ms"})
	w := startWorker(t, m, "worker0", "64MB")
	report := m.must("fsadmin", "report")
	for _, want := range []string{"Alluxio cluster summary:", "Live Workers: 1", "Lost Workers: 0", "Total Capacity: 64.00MB", "Tier: MEM  Size: 64.00MB"} {
		if !strings.Contains(report, want) {
			t.Fatalf("report lacks %q:\n%s", want, report)
		}
	}
	if out := m.must("fsadmin", "doctor"); strings.TrimSpace(out) != "No problems found." {
		t.Fatalf("doctor on a healthy cluster:\n%s", out)
	}
	w.proc.Kill()
	testcluster.WaitFor(t, 60*time.Second, 200*time.Millisecond, func() (bool, string) {
		out, code := m.run("fsadmin", "doctor", "workers")
		return code == 1 && strings.Contains(out, "worker "+w.address()+" is lost"), out
	})
	if out := m.must("fsadmin", "report"); !strings.Contains(out, "Lost Workers: 1") {
		t.Fatalf("report after the worker was lost:\n%s", out)
	}
}

// validateEnv finds the ports a running master holds, passes where
// nothing does, and reaches a real ZooKeeper (and not a closed port).
func TestValidateEnv(t *testing.T) {
	m := newMaster(t)
	out, code := m.run("validateEnv", "master")
	if code != 1 || !strings.Contains(out, "is in use by another process") || !strings.Contains(out, "FAILED") {
		t.Fatalf("validateEnv beside a running master: exit %d:\n%s", code, out)
	}
	ports := testcluster.FreePorts(t, 5)
	free := &master{t: t, bin: m.bin, dir: t.TempDir(), rpcPort: ports[0], webPort: ports[1], extra: []string{
		"-Dalluxio.worker.rpc.port=" + strconv.Itoa(ports[2]), "-Dalluxio.worker.web.port=" + strconv.Itoa(ports[3]),
		"-Dalluxio.worker.tieredstore.level0.dirs.path=" + filepath.Join(t.TempDir(), "mem"),
		"-Dalluxio.worker.tieredstore.level0.dirs.quota=1MB"}}
	if out, code := free.run("validateEnv"); code != 0 || !strings.Contains(out, "checks passed") || !strings.Contains(out, "tier MEM directory") {
		t.Fatalf("validateEnv on free ports: exit %d:\n%s", code, out)
	}
	zk := testcluster.StartZooKeeper(t, 1)
	zk.WaitReady(t, 90*time.Second)
	withZK := append(free.extra, "-Dalluxio.zookeeper.enabled=true", "-Dalluxio.zookeeper.address="+zk.Address(),
		"-Dalluxio.master.journal.type=UFS")
	free.extra = withZK
	if out, code := free.run("validateEnv", "master"); code != 0 || !strings.Contains(out, "is reachable: OK") {
		t.Fatalf("validateEnv with ZooKeeper up: exit %d:\n%s", code, out)
	}
	free.extra = append(withZK, "-Dalluxio.zookeeper.address=127.0.0.1:"+strconv.Itoa(ports[4]), "-Dalluxio.zookeeper.connection.timeout=2s")
	if out, code := free.run("validateEnv", "master"); code != 1 || !strings.Contains(out, "is reachable: FAILED") {
		t.Fatalf("validateEnv with ZooKeeper down: exit %d:\n%s", code, out)
	}
}
