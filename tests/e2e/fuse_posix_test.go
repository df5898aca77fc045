package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hanwen/go-fuse/v2/posixtest"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// posixChecks are the tests of go-fuse's POSIX suite (posixtest, written
// for FUSE file systems by go-fuse's authors) that an Alluxio mount must
// pass. The others test what Alluxio's write-once files and flat
// namespace lack (docs/fuse.md): fallocate, POSIX locks across opens for
// write, links and symlinks, truncating a complete file to another length,
// extended attributes, and st_nlink 0 on a descriptor of a removed file.
var posixChecks = []string{
	"AppendWrite", "DirSeek", "DirectIO", "FdLeak", "FileBasic", "FileLarge",
	"LseekEnxioCheck", "LseekHoleSeeksToEOF", "MkdirRmdir", "OpenAt",
	"ParallelFileOpen", "ReadDirBasic", "ReadDirConsistency",
	"RenameOverwriteDestExist", "RenameOverwriteDestNoExist",
}

// TestFusePosixSuite runs go-fuse's POSIX checks against a real mount,
// each in a directory of its own.
func TestFusePosixSuite(t *testing.T) {
	requireFuse(t)
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "256MB")
	fm := mountFuse(t, m, "/")
	for _, name := range posixChecks {
		check, ok := posixtest.All[name]
		if !ok {
			t.Fatalf("go-fuse's posixtest has no %s", name)
		}
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(fm.dir, name)
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			check(t, dir)
		})
	}
}
