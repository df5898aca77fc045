package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOverlappingMountsRefused: a mount whose under storage overlaps
// another mount's (the same directory spelled otherwise, a directory
// inside it or holding it, the root under storage included) or reaches the
// master's journal or a worker's storage directory is refused, says why,
// and changes nothing.
func TestOverlappingMountsRefused(t *testing.T) {
	t.Parallel()
	m := newMaster(t)
	w := startWorker(t, m, "worker", "64MB")
	ext := filepath.Join(m.dir, "ext")
	for _, d := range []string{ext + "/sub", m.dir + "/underFSStorage/sub", m.dir + "/ext2"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m.must("fs", "mount", "/a", ext)
	before := m.must("fs", "mount")
	for _, tt := range []struct{ ufs, why string }{
		{ext + "/", "mounted at /a already"},
		{"file://" + ext, "mounted at /a already"},
		{"file://localhost" + ext, "mounted at /a already"},
		{strings.Replace(ext, "/ext", "//ext", 1), "mounted at /a already"},
		{m.dir + "/./ext", "mounted at /a already"},
		{m.dir + "/ext/sub/..", "mounted at /a already"},
		{ext + "/sub", "is inside " + ext + ", mounted at /a"},
		{m.dir + "/underFSStorage/sub", "is inside " + m.dir + "/underFSStorage, mounted at /"},
		{m.dir, "is a prefix of"},
		{m.dir + "/journal", "holds the journal"},
		{m.dir + "/journal/logs", "is inside the journal"},
		{w.dir, "holds a storage directory of worker 127.0.0.1"},
		{filepath.Dir(w.dir), "holds a storage directory of worker 127.0.0.1"},
		{w.dir + "/alluxioworker", "is inside a storage directory of worker 127.0.0.1"},
	} {
		out, code := m.run("fs", "mount", "/b", tt.ufs)
		if code == 0 || !strings.Contains(out, "cannot mount "+tt.ufs+" at /b: ") || !strings.Contains(out, tt.why) {
			t.Errorf("mount /b %s: exit %d, want a refusal saying %q:\n%s", tt.ufs, code, tt.why, out)
		}
	}
	if after := m.must("fs", "mount"); after != before {
		t.Fatalf("refused mounts changed the mount table:\n%s\nthen\n%s", before, after)
	}
	if out, code := m.run("fs", "ls", "/b"); code == 0 {
		t.Fatalf("/b exists after refused mounts:\n%s", out)
	}
	// A sibling directory is no overlap.
	m.must("fs", "mount", "/c", m.dir+"/ext2")

	// Mounts, unmounts and deletes of mount points are in the master's log.
	m.must("fs", "unmount", "/c")
	if out, code := m.run("fs", "rm", "-R", "/a"); code == 0 {
		t.Fatalf("rm -R of a mount point succeeded: %s", out)
	}
	for _, want := range []string{
		`msg=mounted process=master path=/a ufs=` + ext + " readonly=false user=",
		`msg="mount refused" process=master path=/b ufs=` + w.dir + " user=",
		`msg=mounted process=master path=/c ufs=` + m.dir + "/ext2",
		`msg=unmounted process=master path=/c user=`,
		`msg="delete of a path holding mount points refused" process=master path=/a mount_points=[/a]`,
	} {
		if !m.proc.WaitForLog(t, want, 10*time.Second) {
			t.Errorf("the master's log lacks %q", want)
		}
	}
}
