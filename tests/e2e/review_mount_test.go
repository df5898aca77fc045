package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestOverlappingMountsRefused: a mount whose under storage overlaps
// another mount's (the same directory spelled otherwise, a directory
// inside it or holding it, the root under storage included) or reaches the
// master's journal or a worker's storage directory is refused, says why,
// and changes nothing.
func TestOverlappingMountsRefused(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	w := cluster.StartWorker(t, m, "worker", "64MB")
	ext := filepath.Join(m.Dir, "ext")
	for _, d := range []string{ext + "/sub", m.Dir + "/underFSStorage/sub", m.Dir + "/ext2"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m.Must("fs", "mount", "/a", ext)
	before := m.Must("fs", "mount")
	for _, tt := range []struct{ ufs, why string }{
		{ext + "/", "mounted at /a already"},
		{"file://" + ext, "mounted at /a already"},
		{"file://localhost" + ext, "mounted at /a already"},
		{strings.Replace(ext, "/ext", "//ext", 1), "mounted at /a already"},
		{m.Dir + "/./ext", "mounted at /a already"},
		{m.Dir + "/ext/sub/..", "mounted at /a already"},
		{ext + "/sub", "is inside " + ext + ", mounted at /a"},
		{m.Dir + "/underFSStorage/sub", "is inside " + m.Dir + "/underFSStorage, mounted at /"},
		{m.Dir, "is a prefix of"},
		{m.Dir + "/journal", "holds the journal"},
		{m.Dir + "/journal/logs", "is inside the journal"},
		{w.Dir, "holds a storage directory of worker 127.0.0.1"},
		{filepath.Dir(w.Dir), "holds a storage directory of worker 127.0.0.1"},
		{w.Dir + "/alluxioworker", "is inside a storage directory of worker 127.0.0.1"},
	} {
		out, code := m.Run("fs", "mount", "/b", tt.ufs)
		if code == 0 || !strings.Contains(out, "cannot mount "+tt.ufs+" at /b: ") || !strings.Contains(out, tt.why) {
			t.Errorf("mount /b %s: exit %d, want a refusal saying %q:\n%s", tt.ufs, code, tt.why, out)
		}
	}
	if after := m.Must("fs", "mount"); after != before {
		t.Fatalf("refused mounts changed the mount table:\n%s\nthen\n%s", before, after)
	}
	if out, code := m.Run("fs", "ls", "/b"); code == 0 {
		t.Fatalf("/b exists after refused mounts:\n%s", out)
	}
	// A sibling directory is no overlap.
	m.Must("fs", "mount", "/c", m.Dir+"/ext2")

	// Mounts, unmounts and deletes of mount points are in the master's log.
	m.Must("fs", "unmount", "/c")
	if out, code := m.Run("fs", "rm", "-R", "/a"); code == 0 {
		t.Fatalf("rm -R of a mount point succeeded: %s", out)
	}
	for _, want := range []string{
		`msg=mounted process=master path=/a ufs=` + ext + " readonly=false user=",
		`msg="mount refused" process=master path=/b ufs=` + w.Dir + " user=",
		`msg=mounted process=master path=/c ufs=` + m.Dir + "/ext2",
		`msg=unmounted process=master path=/c user=`,
		`msg="delete of a path holding mount points refused" process=master path=/a mount_points=[/a]`,
	} {
		if !m.Proc.WaitForLog(t, want, 10*time.Second) {
			t.Errorf("the master's log lacks %q", want)
		}
	}
}

// TestMasterRefusesRootUFSHoldingItsJournal (issue 10.7): a root under
// storage that holds the master's journal (here the work directory
// itself) would show the journal as files and let `rm -R /` destroy it.
// The master does not start: its exit status, its output and its log say
// why, naming the key.
func TestMasterRefusesRootUFSHoldingItsJournal(t *testing.T) {
	t.Parallel()
	m := &cluster.Master{T: t, Bin: testcluster.Binary(t), Dir: t.TempDir(), RPCPort: testcluster.FreePort(t),
		WebPort: testcluster.FreePort(t)}
	m.Extra = []string{"-Dalluxio.master.mount.table.root.ufs=" + m.Dir}
	m.Must("format")
	m.Proc = testcluster.Start(t, "master", m.Bin, append([]string{"master"}, m.Defines()...), m.Env())
	testcluster.WaitFor(t, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		return m.Proc.Exited(), "the master still runs"
	})
	const want = "alluxio.master.mount.table.root.ufs (%s) cannot be the root under storage: it holds the journal (alluxio.master.journal.folder)"
	if out := m.Proc.Output(); m.Proc.ExitErr() == nil || !strings.Contains(out, fmt.Sprintf(want, m.Dir)) {
		t.Fatalf("master with its journal inside the root under storage: exit %v, want a refusal naming the key:\n%s", m.Proc.ExitErr(), out)
	}
	log, err := os.ReadFile(filepath.Join(m.Dir, "logs", "master.log"))
	if err != nil || !strings.Contains(string(log), `msg="cannot start"`) || !strings.Contains(string(log), fmt.Sprintf(want, m.Dir)) {
		t.Fatalf("the master's log does not say why it did not start (%v):\n%s", err, log)
	}
}
