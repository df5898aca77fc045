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
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// startMasterWith formats a master named name with extra defines (and formatExtra
// for the format only), and starts it.
func startMasterWith(t *testing.T, name string, extra []string, formatExtra ...string) *cluster.Master {
	t.Helper()
	ports := testcluster.FreePorts(t, 2)
	m := &cluster.Master{T: t, Bin: testcluster.Binary(t), Dir: t.TempDir(), RPCPort: ports[0], WebPort: ports[1], Extra: extra}
	if out, code := m.Run(append([]string{"format"}, formatExtra...)...); code != 0 {
		t.Fatalf("format %v failed (%d): %s", formatExtra, code, out)
	}
	m.Proc = testcluster.Start(t, name, m.Bin, append([]string{"master"}, m.Defines()...), m.Env())
	m.WaitLeader()
	return m
}

var backupURI = regexp.MustCompile(`(?m)^Backup URI\s+: (\S+)$`)

// A backup (fsadmin backup, local or into the root under storage) holds
// the whole namespace; a master formatted with
// alluxio.master.journal.init.from.backup starts with exactly it, keeps
// the cluster id, and goes on journaling after it. A damaged backup is
// refused before anything is formatted.
func TestBackupRestoresAtFormat(t *testing.T) {
	m := cluster.NewMaster(t)
	buildNamespace(t, m, "/ns")
	want := dump(t, m.Client())
	clusterID := m.Client()

	out := m.Must("fsadmin", "backup", "--local", filepath.Join(t.TempDir(), "backups"))
	local := backupURI.FindStringSubmatch(out)
	if local == nil || !strings.Contains(out, "Backup Entry Count") {
		t.Fatalf("fsadmin backup --local said:\n%s", out)
	}
	out = m.Must("fsadmin", "backup")
	inUFS := backupURI.FindStringSubmatch(out)
	root := filepath.Join(m.Dir, "underFSStorage")
	if inUFS == nil || !strings.HasPrefix(inUFS[1], root+"/alluxio_backups/") {
		t.Fatalf("fsadmin backup (into the root under storage %s) said:\n%s", root, out)
	}
	mi, err := clusterID.MasterInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	m.Proc.Stop(30 * time.Second)

	for i, from := range []string{local[1], inUFS[1]} {
		r := startMasterWith(t, fmt.Sprintf("restored%d", i), []string{"-Dalluxio.master.mount.table.root.ufs=" + root}, "-Dalluxio.master.journal.init.from.backup="+from)
		c := r.Client()
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
		r.Must("fs", "mkdir", fmt.Sprintf("/ns/after-restore-%d", i))
		r.Proc.Stop(30 * time.Second)
	}

	bad := filepath.Join(t.TempDir(), "damaged.ckpt")
	data, err := os.ReadFile(local[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	probe := &cluster.Master{T: t, Bin: testcluster.Binary(t), Dir: t.TempDir(), RPCPort: 1, WebPort: 2}
	if out, code := probe.Run("format", "-Dalluxio.master.journal.init.from.backup="+bad); code == 0 ||
		!strings.Contains(out, "alluxio.master.journal.init.from.backup") || !strings.Contains(out, bad) {
		t.Fatalf("a damaged backup: exit %d: %s", code, out)
	}
	if _, err := os.Stat(filepath.Join(probe.Dir, "journal")); !os.IsNotExist(err) {
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
	m := cluster.NewMaster(t)
	buildNamespace(t, m, "/ns")
	want := nsLines(dump(t, m.Client()))
	out := m.Must("fsadmin", "backup", "--local", filepath.Join(t.TempDir(), "backups"))
	local := backupURI.FindStringSubmatch(out)
	if local == nil {
		t.Fatalf("fsadmin backup said:\n%s", out)
	}
	m.Proc.Stop(30 * time.Second)
	c := newEmbeddedCluster(t, 0, "-Dalluxio.master.journal.init.from.backup="+local[1],
		"-Dalluxio.master.mount.table.root.ufs="+filepath.Join(m.Dir, "underFSStorage"))
	fs := c.Client(60 * time.Second)
	if got := nsLines(dump(t, fs)); got != want {
		t.Fatalf("the quorum restored:\n%s\nwant\n%s", got, want)
	}
	leader := c.WaitLeader()
	leader.Must("fs", "mkdir", "/ns/after-restore")
	c.Converge()
}

// fsadmin ufs --mode readOnly refuses changes under the store's mounts,
// the mount table shows the mode, and readWrite lifts it.
func TestUfsModeCommand(t *testing.T) {
	m := cluster.NewMaster(t)
	m.Must("fs", "mkdir", "/before")
	root := "file://" + filepath.Join(m.Dir, "underFSStorage")
	if out := m.Must("fsadmin", "ufs", "--mode", "readOnly", root); !strings.Contains(out, "readOnly") {
		t.Fatalf("fsadmin ufs said: %s", out)
	}
	out, code := m.Run("fs", "mkdir", "/after")
	if code == 0 || !strings.Contains(out, "READ_ONLY") {
		t.Fatalf("mkdir under a read-only store: exit %d: %s", code, out)
	}
	if out, code := m.Run("fsadmin", "ufs", "--mode", "sideways", root); code == 0 || !strings.Contains(out, "sideways") {
		t.Fatalf("an unknown mode: exit %d: %s", code, out)
	}
	if out, code := m.Run("fsadmin", "ufs", root); code == 0 || !strings.Contains(out, "--mode") {
		t.Fatalf("no mode: exit %d: %s", code, out)
	}
	// The mode is journaled: a restarted master keeps it.
	m.Proc.Stop(30 * time.Second)
	m.Restart()
	if _, code := m.Run("fs", "mkdir", "/after"); code == 0 {
		t.Fatal("the mode did not survive a restart")
	}
	m.Must("fsadmin", "ufs", "--mode", "readWrite", root)
	m.Must("fs", "mkdir", "/after")
}

// fsadmin report names the workers and capacity; doctor finds nothing on
// a healthy cluster and names a lost worker.
func TestReportAndDoctor(t *testing.T) {
	m := startMasterWith(t, "master", []string{"-Dalluxio.master.worker.timeout=2s", "-Dalluxio.master.lost.worker.detection.interval=500ms"})
	w := cluster.StartWorker(t, m, "worker0", "64MB")
	// The short worker timeout can lose the worker for a moment on a
	// loaded machine; it comes back with its next heartbeat.
	testcluster.WaitFor(t, 60*time.Second, 200*time.Millisecond, func() (bool, string) {
		report := m.Must("fsadmin", "report")
		for _, want := range []string{"Alluxio cluster summary:", "Live Workers: 1", "Lost Workers: 0", "Total Capacity: 64.00MB", "Tier: MEM  Size: 64.00MB"} {
			if !strings.Contains(report, want) {
				return false, fmt.Sprintf("report lacks %q:\n%s", want, report)
			}
		}
		out, code := m.Run("fsadmin", "doctor")
		return code == 0 && strings.TrimSpace(out) == "No problems found.", fmt.Sprintf("doctor on a healthy cluster: exit %d\n%s", code, out)
	})
	w.Proc.Kill()
	testcluster.WaitFor(t, 60*time.Second, 200*time.Millisecond, func() (bool, string) {
		out, code := m.Run("fsadmin", "doctor", "workers")
		return code == 1 && strings.Contains(out, "worker "+w.Address()+" is lost"), out
	})
	if out := m.Must("fsadmin", "report"); !strings.Contains(out, "Lost Workers: 1") {
		t.Fatalf("report after the worker was lost:\n%s", out)
	}
}

// validateEnv finds the ports a running master holds, passes where
// nothing does, and reaches a real ZooKeeper (and not a closed port).
func TestValidateEnv(t *testing.T) {
	m := cluster.NewMaster(t)
	out, code := m.Run("validateEnv", "master")
	if code != 1 || !strings.Contains(out, "is in use by another process") || !strings.Contains(out, "FAILED") {
		t.Fatalf("validateEnv beside a running master: exit %d:\n%s", code, out)
	}
	ports := testcluster.FreePorts(t, 5)
	free := &cluster.Master{T: t, Bin: m.Bin, Dir: t.TempDir(), RPCPort: ports[0], WebPort: ports[1], Extra: []string{
		"-Dalluxio.worker.rpc.port=" + strconv.Itoa(ports[2]), "-Dalluxio.worker.web.port=" + strconv.Itoa(ports[3]),
		"-Dalluxio.worker.tieredstore.level0.dirs.path=" + filepath.Join(t.TempDir(), "mem"),
		"-Dalluxio.worker.tieredstore.level0.dirs.quota=1MB"}}
	if out, code := free.Run("validateEnv"); code != 0 || !strings.Contains(out, "checks passed") || !strings.Contains(out, "tier MEM directory") {
		t.Fatalf("validateEnv on free ports: exit %d:\n%s", code, out)
	}
	zk := testcluster.StartZooKeeper(t, 1)
	zk.WaitReady(t, 90*time.Second)
	withZK := append(free.Extra, "-Dalluxio.zookeeper.enabled=true", "-Dalluxio.zookeeper.address="+zk.Address(),
		"-Dalluxio.master.journal.type=UFS")
	free.Extra = withZK
	if out, code := free.Run("validateEnv", "master"); code != 0 || !strings.Contains(out, "is reachable: OK") {
		t.Fatalf("validateEnv with ZooKeeper up: exit %d:\n%s", code, out)
	}
	free.Extra = append(withZK, "-Dalluxio.zookeeper.address=127.0.0.1:"+strconv.Itoa(ports[4]), "-Dalluxio.zookeeper.connection.timeout=2s")
	if out, code := free.Run("validateEnv", "master"); code != 1 || !strings.Contains(out, "is reachable: FAILED") {
		t.Fatalf("validateEnv with ZooKeeper down: exit %d:\n%s", code, out)
	}
}
