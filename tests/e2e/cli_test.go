package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestCLIDataCommands runs the CLI's data and metadata commands against a
// master and a worker and checks what each printed and what it did: cp
// (Alluxio to Alluxio, and to and from the local file system), free, load,
// persist, location, head, tail, stat, count, du, pin/unpin, chgrp,
// setTtl/unsetTtl, version, mount/unmount with fsadmin report ufs, and
// formatWorker.
func TestCLIDataCommands(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	// Room for a few blocks of the CLI's default size (64MB).
	w := cluster.StartWorker(t, m, "worker", "400MB")
	c := m.Client()
	ctx := context.Background()
	stat := func(p string) *client.FileInfo {
		t.Helper()
		fi, err := c.GetStatus(ctx, p, client.StatusOptions{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return fi
	}
	data := randomBytes(2<<20+100, 61)
	writeFile(t, c, "/cli/src", data, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20, Recursive: true})

	// cp within Alluxio, out to a local file and back in.
	m.Must("fs", "cp", "/cli/src", "/cli/copy")
	if got := readFile(t, c, "/cli/copy", "NO_CACHE"); !bytes.Equal(got, data) {
		t.Error("cp /cli/src /cli/copy: the copy differs")
	}
	local := filepath.Join(t.TempDir(), "out")
	m.Must("fs", "cp", "/cli/src", "file://"+local)
	if got, err := os.ReadFile(local); err != nil || !bytes.Equal(got, data) {
		t.Errorf("cp to file://: %d bytes, %v", len(got), err)
	}
	m.Must("fs", "cp", "file://"+local, "/cli/back")
	if got := readFile(t, c, "/cli/back", "NO_CACHE"); !bytes.Equal(got, data) {
		t.Error("cp from file://: the copy differs")
	}

	// head and tail: the first and last bytes, 1KB unless -c says.
	if out := m.Must("fs", "head", "-c", "100", "/cli/src"); out != string(data[:100]) {
		t.Errorf("head -c 100: %d bytes, not the first 100", len(out))
	}
	if out := m.Must("fs", "tail", "-c", "100", "/cli/src"); out != string(data[len(data)-100:]) {
		t.Errorf("tail -c 100: %d bytes, not the last 100", len(out))
	}
	if out := m.Must("fs", "head", "/cli/src"); out != string(data[:1024]) {
		t.Errorf("head: %d bytes, not the first 1KB", len(out))
	}
	if out := m.Must("fs", "tail", "/cli/src"); out != string(data[len(data)-1024:]) {
		t.Errorf("tail: %d bytes, not the last 1KB", len(out))
	}

	// free drops the cached copy, load brings it back; location and du
	// show where it is.
	fi := stat("/cli/src")
	if out := m.Must("fs", "location", "/cli/src"); !strings.HasPrefix(out, fmt.Sprintf("/cli/src with file id %d is on nodes: \n", fi.ID)) ||
		strings.Count(out, "127.0.0.1") != len(fi.Blocks) {
		t.Errorf("location of a cached file of %d blocks:\n%s", len(fi.Blocks), out)
	}
	if out := m.Must("fs", "free", "/cli/src"); !strings.Contains(out, "/cli/src was successfully freed") {
		t.Errorf("free: %q", out)
	}
	if fi := stat("/cli/src"); fi.InAlluxioPercent != 0 {
		t.Errorf("after free, %d%% in Alluxio", fi.InAlluxioPercent)
	}
	if out := m.Must("fs", "location", "/cli/src"); strings.Contains(out, "127.0.0.1") {
		t.Errorf("location of a freed file names a worker:\n%s", out)
	}
	if out := m.Must("fs", "du", "/cli/src"); !strings.Contains(out, strconv.Itoa(len(data))) || !strings.Contains(out, "0%") {
		t.Errorf("du of a freed file:\n%s", out)
	}
	if out := m.Must("fs", "load", "/cli/src"); !strings.Contains(out, "/cli/src loaded") {
		t.Errorf("load: %q", out)
	}
	if fi := stat("/cli/src"); fi.InAlluxioPercent != 100 {
		t.Errorf("after load, %d%% in Alluxio", fi.InAlluxioPercent)
	}
	if out := m.Must("fs", "du", "-s", "/cli"); !strings.Contains(out, strconv.Itoa(3*len(data))) || !strings.Contains(out, "100%") {
		t.Errorf("du -s /cli of three cached copies of %d bytes:\n%s", len(data), out)
	}

	// persist a file that lives only in Alluxio.
	cached := randomBytes(5000, 62)
	writeFile(t, c, "/cli/cached", cached, client.CreateFileOptions{WriteType: "MUST_CACHE", BlockSize: 1 << 20})
	if out := m.Must("fs", "persist", "/cli/cached"); !strings.Contains(out, "persisted file /cli/cached with size 5000") {
		t.Errorf("persist: %q", out)
	}
	if got, err := os.ReadFile(filepath.Join(m.UFS(), "cli", "cached")); err != nil || !bytes.Equal(got, cached) {
		t.Errorf("persist: the under storage copy is %d bytes (%v)", len(got), err)
	}
	if fi := stat("/cli/cached"); fi.PersistenceState != "PERSISTED" {
		t.Errorf("persist: state %s", fi.PersistenceState)
	}

	// stat and count.
	fi = stat("/cli/src")
	out := m.Must("fs", "stat", "/cli/src")
	if !strings.HasPrefix(out, "/cli/src is a file path.\n") || !strings.Contains(out, fmt.Sprint(fi.ID)) ||
		!strings.Contains(out, fmt.Sprint(fi.Length)) || strings.Count(out, "BlockInfo{id=") != len(fi.BlockIDs) {
		t.Errorf("stat of file id %d, %d bytes, %d blocks:\n%s", fi.ID, fi.Length, len(fi.BlockIDs), out)
	}
	if out := m.Must("fs", "stat", "-f", "%N %z %u", "/cli/src"); strings.TrimSpace(out) != fmt.Sprintf("src %d %s", len(data), fi.Owner) {
		t.Errorf("stat -f: %q", out)
	}
	m.Must("fs", "mkdir", "/cli/sub")
	if out := m.Must("fs", "count", "/cli"); len(strings.Fields(lastLine(out))) != 3 ||
		strings.Join(strings.Fields(lastLine(out)), " ") != fmt.Sprintf("4 2 %d", 3*len(data)+len(cached)) {
		t.Errorf("count /cli (4 files, 2 folders):\n%s", out)
	}

	// pin/unpin, chgrp, setTtl/unsetTtl.
	m.Must("fs", "pin", "/cli/src")
	if !stat("/cli/src").Pinned {
		t.Error("pin: not pinned")
	}
	m.Must("fs", "unpin", "/cli/src")
	if stat("/cli/src").Pinned {
		t.Error("unpin: still pinned")
	}
	m.Must("fs", "chgrp", "staff", "/cli/src")
	if fi := stat("/cli/src"); fi.Group != "staff" {
		t.Errorf("chgrp staff: group %q", fi.Group)
	}
	m.Must("fs", "setTtl", "/cli/src", "1h")
	if fi := stat("/cli/src"); fi.TTL != time.Hour {
		t.Errorf("setTtl 1h: ttl %v", fi.TTL)
	}
	m.Must("fs", "unsetTtl", "/cli/src")
	if fi := stat("/cli/src"); fi.TTL >= 0 {
		t.Errorf("unsetTtl: ttl %v", fi.TTL)
	}

	// version: the binary's, and the one the master reports.
	v := strings.TrimSpace(m.Must("version"))
	ver, ok := strings.CutPrefix(v, "Alluxio version: ")
	if !ok || ver == "" {
		t.Errorf("version: %q", v)
	}
	if rep := m.Must("fsadmin", "report"); !strings.Contains(rep, "Version: "+ver) {
		t.Errorf("version %q is not the one the master reports:\n%s", ver, rep)
	}

	// report ufs: the root mount and one more.
	extra := filepath.Join(t.TempDir(), "extra")
	if err := os.MkdirAll(extra, 0o755); err != nil {
		t.Fatal(err)
	}
	m.Must("fs", "mount", "/cli/mnt", extra)
	rep := m.Must("fsadmin", "report", "ufs")
	if !strings.Contains(rep, m.UFS()) || !strings.Contains(rep, extra) || !strings.Contains(rep, "/cli/mnt") {
		t.Errorf("report ufs does not list both mounts (%s on /, %s on /cli/mnt):\n%s", m.UFS(), extra, rep)
	}
	if out := m.Must("fs", "unmount", "/cli/mnt"); strings.TrimSpace(out) != "Unmounted /cli/mnt" {
		t.Errorf("unmount: %q", out)
	}
	if rep := m.Must("fsadmin", "report", "ufs"); strings.Contains(rep, extra) {
		t.Errorf("report ufs after the unmount still lists %s:\n%s", extra, rep)
	}

	// formatWorker empties a stopped worker's storage: it comes back with
	// no blocks, and reads come from the under storage.
	if err := w.Proc.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	out, code := testcluster.RunCLI(t, m.Bin, append([]string{"formatWorker"}, w.Args()[1:]...), m.Env())
	if code != 0 || !strings.Contains(out, "Formatted worker storage "+w.Dir) {
		t.Fatalf("formatWorker: exit %d: %s", code, out)
	}
	if entries, _ := os.ReadDir(filepath.Join(w.Dir, "alluxioworker")); len(entries) != 0 {
		t.Errorf("formatWorker left %d entries in the block folder", len(entries))
	}
	w.Proc.Restart(t)
	w.WaitRegistered()
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		fi := stat("/cli/src")
		return fi.InAlluxioPercent == 0, fmt.Sprintf("%d%% in Alluxio after formatWorker", fi.InAlluxioPercent)
	})
	if got := readFile(t, c, "/cli/src", "NO_CACHE"); !bytes.Equal(got, data) {
		t.Error("after formatWorker the file reads wrong")
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
