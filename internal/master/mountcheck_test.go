package master

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/conf"
)

// TestRootUFSMustNotReachTheClusterOwnDirs (issue 10.7): the root under
// storage may not hold, or lie inside, the journal, the metastore or a
// worker storage directory the configuration sets; a master with such a
// configuration does not start, and says which key is wrong. Sibling
// directories, the layout of `alluxio local`, are fine, as is an object
// store.
func TestRootUFSMustNotReachTheClusterOwnDirs(t *testing.T) {
	work := t.TempDir()
	ssd := t.TempDir()
	base := map[string]string{
		"alluxio.work.dir":                    work,
		"alluxio.master.journal.folder":       work + "/journal",
		"alluxio.master.metastore.dir":        work + "/metastore",
		conf.TierKey(0, "dirs.path"):          "/dev/shm/alluxio-x," + ssd,
		"alluxio.worker.tieredstore.levels":   "1",
		"alluxio.master.mount.table.root.ufs": work + "/underFSStorage",
	}
	for _, tt := range []struct{ root, want string }{
		{work + "/underFSStorage", ""},
		{"file://" + work + "/ufs", ""},
		{"s3://bucket/data/alluxio", ""},
		{ssd + "2", ""},
		{work, "it holds the journal (alluxio.master.journal.folder) (" + work + "/journal)"},
		{"file://" + work + "/", "it holds the journal"},
		{work + "/journal/raft", "it is inside the journal (alluxio.master.journal.folder)"},
		{work + "/metastore", "it holds the metastore (alluxio.master.metastore.dir)"},
		{work + "/metastore/x", "it is inside the metastore (alluxio.master.metastore.dir)"},
		{filepath.Dir(work), "it holds the journal"},
		{ssd + "/ufs", "it is inside a worker storage directory (alluxio.worker.tieredstore.level0.dirs.path) (" + ssd + ")"},
		{"/dev/shm", "it holds a worker storage directory (alluxio.worker.tieredstore.level0.dirs.path) (/dev/shm/alluxio-x)"},
	} {
		p := conf.New()
		for k, v := range base {
			p.Set(k, v)
		}
		p.Set("alluxio.master.mount.table.root.ufs", tt.root)
		cfg, err := ConfigFromProperties(p)
		if err != nil {
			t.Fatal(err)
		}
		err = checkRootUFS(cfg)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("root %s: refused: %v", tt.root, err)
		case tt.want == "" && err == nil:
		case err == nil:
			t.Errorf("root %s: accepted, want a refusal saying %q", tt.root, tt.want)
		case !strings.Contains(err.Error(), "alluxio.master.mount.table.root.ufs ("+tt.root+") cannot be the root under storage: ") ||
			!strings.Contains(err.Error(), tt.want):
			t.Errorf("root %s: %v; want it to name the key and say %q", tt.root, err, tt.want)
		}
		if _, nerr := New(cfg, nil); (nerr != nil) != (tt.want != "") {
			t.Errorf("root %s: New gave %v", tt.root, nerr)
		}
	}
}

// TestDefaultWorkerDirsAreNotTheMasters: worker storage directories only
// the defaults name describe no worker on the master's machine, so they
// do not refuse a root under storage.
func TestDefaultWorkerDirsAreNotTheMasters(t *testing.T) {
	p := conf.New()
	p.Set("alluxio.work.dir", t.TempDir())
	def, err := p.Get(conf.TierKey(0, "dirs.path"))
	if err != nil {
		t.Fatal(err)
	}
	p.Set("alluxio.master.mount.table.root.ufs", def)
	cfg, err := ConfigFromProperties(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkRootUFS(cfg); err != nil {
		t.Fatalf("root %s (the default worker directory): %v", def, err)
	}
}
