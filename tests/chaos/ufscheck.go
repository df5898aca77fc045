package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/underfs/local"
	"github.com/alluxio-go/alluxio/tests/chaos/faults"
	"github.com/alluxio-go/alluxio/tests/chaos/model"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// setup creates the groups of every epoch, persisted, so the under
// storage holds them from the start.
func setup(t testing.TB, fs *client.FileSystem, epochs int) {
	t.Helper()
	for g := 0; g < epochs*model.Groups; g++ {
		if _, err := fs.CreateDirectory(context.Background(), fmt.Sprintf("/chaos/g%d", g),
			client.CreateDirectoryOptions{Recursive: true, WriteType: "CACHE_THROUGH"}); err != nil {
			t.Fatal(err)
		}
	}
}

// checkUnderStorage compares the final namespace with the root under
// storage folder ufs. lost lists complete files whose copy there is
// missing or is not the file (other bytes, or not the copy whose length and
// modification time the master recorded at publish, which readers check
// it by): acknowledged data that only a worker's cache still holds, if
// any. extra lists names only the under storage has, which a later
// metadata load would bring back. leaked lists copies written but never
// published (underfs.IsTemp) and the local store's unfinished writes:
// loads skip them, and the master drops them only on a best-effort basis
// (publish.go), so they are wasted space, reported but no wrong answer.
func checkUnderStorage(fs *client.FileSystem, ufs string, epochs int) (lost, extra, leaked []string) {
	never := time.Duration(-1)
	for g := 0; g < epochs*model.Groups; g++ {
		dir := fmt.Sprintf("/chaos/g%d", g)
		infos, err := fs.ListStatus(context.Background(), dir, false, client.StatusOptions{SyncInterval: &never, LoadType: "NEVER"})
		if err != nil {
			lost = append(lost, fmt.Sprintf("listing %s: %v", dir, err))
			continue
		}
		inAlluxio := map[string]*client.FileInfo{}
		for _, fi := range infos {
			inAlluxio[fi.Name] = fi
		}
		ufsDir := filepath.Join(ufs, "chaos", fmt.Sprintf("g%d", g))
		entries, err := os.ReadDir(ufsDir)
		if err != nil {
			lost = append(lost, fmt.Sprintf("under storage %s: %v", dir, err))
			continue
		}
		inUFS := map[string]os.DirEntry{}
		for _, e := range entries {
			if underfs.IsTemp(e.Name()) || strings.HasPrefix(e.Name(), local.TempPrefix) {
				leaked = append(leaked, fmt.Sprintf("%s/%s", dir, e.Name()))
				continue
			}
			inUFS[e.Name()] = e
			if inAlluxio[e.Name()] == nil {
				extra = append(extra, fmt.Sprintf("%s/%s is in the under storage only", dir, e.Name()))
			}
		}
		for _, name := range faults.SortedKeys(inAlluxio) {
			if s := checkCopy(inAlluxio[name], dir+"/"+name, filepath.Join(ufsDir, name), inUFS[name]); s != "" {
				lost = append(lost, s)
			}
		}
	}
	return lost, extra, leaked
}

// checkCopy says what is wrong with the under storage copy at p of the
// file fi ("" when nothing).
func checkCopy(fi *client.FileInfo, path, p string, e os.DirEntry) string {
	switch {
	case fi.IsDir && e == nil:
		return fmt.Sprintf("directory %s is not in the under storage", path)
	case fi.IsDir && !e.IsDir():
		return fmt.Sprintf("directory %s is a file in the under storage", path)
	case fi.IsDir || !fi.Completed:
		return ""
	case e == nil:
		return fmt.Sprintf("complete file %s (id %d, %d bytes) is not in the under storage", path, fi.ID, fi.Length)
	}
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Sprintf("%s in the under storage: %v", path, err)
	}
	b, err := os.ReadFile(p)
	switch {
	case err != nil:
		return fmt.Sprintf("%s in the under storage: %v", path, err)
	case model.Verify(b) == "corrupt" || int64(len(b)) != fi.Length:
		return fmt.Sprintf("%s (id %d): the under storage holds %d bytes (%s), the namespace says %d", path, fi.ID, len(b), model.Verify(b), fi.Length)
	case fi.UfsModMs() == 0:
		return fmt.Sprintf("%s (id %d): no publish time recorded, so a reader cannot tell a replaced copy", path, fi.ID)
	case st.ModTime().UnixMilli() != fi.UfsModMs():
		return fmt.Sprintf("%s (id %d): the under storage copy was modified at %d ms, the master published the one of %d ms: readers refuse it",
			path, fi.ID, st.ModTime().UnixMilli(), fi.UfsModMs())
	}
	return ""
}

// reportLogs fails the test for each line of a master or worker log in dir
// that shows a panic, a fatal error or a data race.
func reportLogs(t testing.TB, dir string) {
	problems, err := testcluster.ScanLogs(dir)
	if err != nil {
		t.Errorf("chaos: scanning logs: %v", err)
	}
	for i, p := range problems {
		if i == 20 {
			t.Errorf("chaos: ... and %d more such lines", len(problems)-i)
			break
		}
		t.Errorf("chaos: %s", p)
	}
}
