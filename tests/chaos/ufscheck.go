package chaos

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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

// setup creates dirs (the groups of every epoch, and the fence fault's
// directories), persisted, so the under storage holds them from the start.
func setup(t testing.TB, fs *client.FileSystem, dirs []string) {
	t.Helper()
	for _, d := range dirs {
		if _, err := fs.CreateDirectory(context.Background(), d,
			client.CreateDirectoryOptions{Recursive: true, WriteType: "CACHE_THROUGH"}); err != nil {
			t.Fatal(err)
		}
	}
}

// checkedDirs are the directories of a run whose under storage is
// checked: the groups of every epoch and, when the fence fault runs, its
// directories.
func checkedDirs(epochs int, fence bool) []string {
	var dirs []string
	for g := 0; g < epochs*model.Groups; g++ {
		dirs = append(dirs, fmt.Sprintf("/chaos/g%d", g))
	}
	if fence {
		dirs = append(dirs, faults.PausedDir, faults.StageDir)
	}
	return dirs
}

// nsFile is what the namespace says of a name of a group.
type nsFile struct {
	ID                int64
	IsDir, Completed  bool
	Length            int64
	Persistence       string
	UfsModMs          int64
	UfsFingerprint    string
	UfsPending, Error string
}

func nsFileOf(fi *client.FileInfo) nsFile {
	return nsFile{ID: fi.ID, IsDir: fi.IsDir, Completed: fi.Completed, Length: fi.Length, Persistence: fi.PersistenceState,
		UfsModMs: fi.UfsModMs(), UfsFingerprint: fi.UfsFingerprint(), UfsPending: fi.UfsPending, Error: fi.UfsError}
}

// mayPublish reports whether f may still publish a copy: it is being
// written, or waits for its persist or its publish.
func (f nsFile) mayPublish() bool {
	return !f.IsDir && (!f.Completed || f.Persistence == "TO_BE_PERSISTED")
}

// ufsWait bounds how long the check waits for the under storage to settle
// after healing: for publishes and deletes still pending, and for the
// primary's sweep (alluxio.underfs.cleanup.interval, set short in a run)
// to remove what dead writers left.
const ufsWait = 2 * time.Minute

// checkUnderStorage compares the final namespace with the root under
// storage, seen through view, until they agree or ufsWait passes; it
// returns what is wrong then. lost lists complete files whose copy there
// is missing or is not the file (other bytes, or not the copy whose
// fingerprint, or length and modification time, the master recorded at
// publish, which readers check it by): acknowledged data that only a
// worker's cache still holds, if any. extra lists names only the under
// storage has: a file or directory a later metadata load would bring
// back, a copy written but never published that no file may publish any
// more (underfs.TempPath names whose file is gone or done), an unfinished
// write of a dead writer (the local store's temporary files), an open
// upload for a name that no file being written holds (S3). Each is space
// nobody will reclaim, or worse, and fails the run.
//
// waited lists what the first look found wrong when a later one found it
// right: what the run had to wait for (pending changes, the sweeps).
func checkUnderStorage(fs *client.FileSystem, view ufsView, dirs []string) (lost, extra, waited []string) {
	deadline := time.Now().Add(ufsWait)
	for first := true; ; first = false {
		lost, extra = nil, nil
		for _, dir := range dirs {
			l, e := checkGroup(fs, view, dir)
			lost, extra = append(lost, l...), append(extra, e...)
		}
		if len(lost)+len(extra) == 0 || time.Now().After(deadline) {
			if len(lost)+len(extra) != 0 {
				waited = nil
			}
			return lost, extra, waited
		}
		if first {
			waited = append(slices.Clone(lost), extra...)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func checkGroup(fs *client.FileSystem, view ufsView, dir string) (lost, extra []string) {
	never := time.Duration(-1)
	infos, err := fs.ListStatus(context.Background(), dir, false, client.StatusOptions{SyncInterval: &never, LoadType: "NEVER"})
	if err != nil {
		return []string{fmt.Sprintf("listing %s: %v", dir, err)}, nil
	}
	ns := map[string]nsFile{}
	for _, fi := range infos {
		ns[fi.Name] = nsFileOf(fi)
	}
	rel := dir[1:]
	objs, err := view.list(rel)
	if err != nil {
		return []string{fmt.Sprintf("under storage %s: %v", dir, err)}, nil
	}
	staged, err := view.staged(rel)
	if err != nil {
		return []string{fmt.Sprintf("uploads under %s: %v", dir, err)}, nil
	}
	return compareGroup(dir, ns, objs, func(name string) ([]byte, error) { return view.read(rel + "/" + name) }, staged)
}

// compareGroup compares what the namespace has in dir with what the
// under storage holds there (objs, and the names open uploads are for);
// read reads a file of it. See checkUnderStorage.
func compareGroup(dir string, ns map[string]nsFile, objs map[string]ufsObject, read func(name string) ([]byte, error),
	staged []string) (lost, extra []string) {
	writing := map[int64]bool{}
	for _, f := range ns {
		if f.mayPublish() {
			writing[f.ID] = true
		}
	}
	for _, name := range faults.SortedKeys(objs) {
		id, isTemp := underfs.TempFileID(name)
		switch {
		case isTemp && writing[id]:
		case isTemp:
			extra = append(extra, fmt.Sprintf("%s/%s: a copy of file %d that no file will publish", dir, name, id))
		case underfs.IsTemp(name) || strings.HasPrefix(name, local.TempPrefix):
			extra = append(extra, fmt.Sprintf("%s/%s: an unfinished write a dead writer left", dir, name))
		case !inNS(ns, name):
			extra = append(extra, fmt.Sprintf("%s/%s is in the under storage only", dir, name))
		}
	}
	for _, name := range staged {
		if f, ok := ns[name]; !ok || !f.mayPublish() {
			extra = append(extra, fmt.Sprintf("%s/%s: an open upload that no file will publish", dir, name))
		}
	}
	for _, name := range faults.SortedKeys(ns) {
		o, ok := objs[name]
		var obj *ufsObject
		if ok {
			obj = &o
		}
		if s := checkCopy(ns[name], dir+"/"+name, obj, func() ([]byte, error) { return read(name) }); s != "" {
			lost = append(lost, s)
		}
	}
	return lost, extra
}

// checkCopy says what is wrong with the under storage copy o of the file
// f at path ("" when nothing).
func checkCopy(f nsFile, path string, o *ufsObject, read func() ([]byte, error)) string {
	switch {
	case f.IsDir && o == nil:
		return fmt.Sprintf("directory %s is not in the under storage", path)
	case f.IsDir && !o.IsDir:
		return fmt.Sprintf("directory %s is a file in the under storage", path)
	case f.IsDir || !f.Completed:
		return ""
	case o == nil:
		return fmt.Sprintf("complete file %s (id %d, %d bytes, %s%s) is not in the under storage", path, f.ID, f.Length, f.Persistence,
			pendingOrFailed(f))
	case o.IsDir:
		return fmt.Sprintf("complete file %s (id %d) is a directory in the under storage", path, f.ID)
	}
	b, err := read()
	switch {
	case err != nil:
		return fmt.Sprintf("%s in the under storage: %v", path, err)
	case model.Verify(b) == "corrupt" || int64(len(b)) != f.Length:
		return fmt.Sprintf("%s (id %d): the under storage holds %d bytes (%s), the namespace says %d", path, f.ID, len(b), model.Verify(b), f.Length)
	case f.UfsFingerprint != "" && o.Fingerprint != f.UfsFingerprint:
		return fmt.Sprintf("%s (id %d): the under storage copy has fingerprint %q, the master published %q: readers refuse it",
			path, f.ID, o.Fingerprint, f.UfsFingerprint)
	case f.UfsFingerprint != "":
	case f.UfsModMs == 0:
		return fmt.Sprintf("%s (id %d): no publish time recorded, so a reader cannot tell a replaced copy", path, f.ID)
	case o.ModMs != f.UfsModMs:
		return fmt.Sprintf("%s (id %d): the under storage copy was modified at %d ms, the master published the one of %d ms: readers refuse it",
			path, f.ID, o.ModMs, f.UfsModMs)
	}
	return ""
}

func inNS(ns map[string]nsFile, name string) bool { _, ok := ns[name]; return ok }

func pendingOrFailed(f nsFile) string {
	switch {
	case f.UfsPending != "":
		return ", pending: " + f.UfsPending
	case f.Error != "":
		return ", failed: " + f.Error
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

// sweptFromLogs counts, from the masters' logs in dir, the unpublished
// copies the sweeps removed and the unfinished writes the stores' own
// cleanups removed (internal/master/leftovers.go).
func sweptFromLogs(t testing.TB, dir string) (copies, writes int) {
	lines, err := testcluster.LogLines(dir, "master", "removed an under storage copy that no file will publish")
	if err != nil {
		t.Errorf("chaos: reading the masters' logs: %v", err)
	}
	copies = len(lines)
	lines, err = testcluster.LogLines(dir, "master", "removed what dead writers left unfinished")
	if err != nil {
		t.Errorf("chaos: reading the masters' logs: %v", err)
	}
	for _, l := range lines {
		if _, v, ok := strings.Cut(l, " removed="); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			writes += n
		}
	}
	return copies, writes
}
