package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestPersistThatCanNeverSucceedIsMarkedFailed (issue 10.5): an
// ASYNC_THROUGH file whose path the under storage can hold, but not the
// temporary name its copy is written under (the whole path is then longer
// than the operating system allows, ENAMETOOLONG), used to stay
// TO_BE_PERSISTED for ever, the worker warning every 2 s. The worker now
// says why the persist failed, and the master marks the file failed once,
// with the reason, which fs stat shows.
func TestPersistThatCanNeverSucceedIsMarkedFailed(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	c := m.Client()
	root := filepath.Join(m.Dir, "underFSStorage")
	// Short enough that the master can look the path up; too long once the
	// name ".alluxio_ufs_tmp_<file id>" replaces "f".
	const name = "f"
	dirLen := 4095 - len(root) - 1 - len(name) - 1
	var dir strings.Builder
	for dir.Len() < dirLen {
		dir.WriteString("/" + strings.Repeat("d", min(200, dirLen-dir.Len()-1)))
	}
	path := dir.String() + "/" + name
	writeFile(t, c, path, []byte("async"), client.CreateFileOptions{WriteType: "ASYNC_THROUGH", Recursive: true})
	var fi *client.FileInfo
	testcluster.WaitFor(t, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		var err error
		fi, err = c.GetStatus(context.Background(), path, client.StatusOptions{})
		if err != nil {
			return false, err.Error()
		}
		return fi.PersistenceState == "NOT_PERSISTED", fi.PersistenceState
	})
	if !strings.Contains(fi.UfsError, "file name too long") {
		t.Fatalf("the reason is not shown: %q", fi.UfsError)
	}
	out := m.Must("fs", "stat", path)
	if !strings.Contains(out, "Under storage change failed: ") || !strings.Contains(out, "file name too long") {
		t.Fatalf("fs stat does not say why:\n%s", out)
	}
	if n := strings.Count(m.Proc.Output(), "persist failed for good"); n != 1 {
		t.Fatalf("the master reported the failure %d times", n)
	}
}
