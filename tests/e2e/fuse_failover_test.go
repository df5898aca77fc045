package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestFuseFailover kills the leading master (SIGKILL) while `cp` writes a
// 1 GiB file into the mount and `md5sum` reads another 1 GiB file from it:
// both finish, with the right bytes, as if nothing happened.
func TestFuseFailover(t *testing.T) {
	requireFuse(t)
	c := cluster.NewHA(t, cluster.WithJournal(cluster.JournalEmbedded))
	cluster.StartWorker(t, c.Masters[0], "worker", "3GB")
	fm := mountFuse(t, c.Masters[0], "/")
	dir := t.TempDir()
	const size = 1 << 30
	src, srcSum := filepath.Join(dir, "src"), ""
	srcSum = makeBigFile(t, src, size, 1)
	other, otherSum := filepath.Join(dir, "other"), ""
	otherSum = makeBigFile(t, other, size, 2)
	mustSh(t, "", fmt.Sprintf("cp %q %q", other, fm.path("other")))
	os.Remove(other)
	ac := c.Client(time.Minute)
	waitComplete(t, ac, "/other")

	before := c.WaitLeader()
	cp := exec.Command("cp", src, fm.path("copy"))
	md5sum := exec.Command("md5sum", fm.path("other"))
	var cpOut, sumOut bytes.Buffer
	cp.Stdout, cp.Stderr = &cpOut, &cpOut
	md5sum.Stdout, md5sum.Stderr = &sumOut, &sumOut
	if err := cp.Start(); err != nil {
		t.Fatal(err)
	}
	if err := md5sum.Start(); err != nil {
		cp.Process.Kill()
		t.Fatal(err)
	}
	cpDone, sumDone := make(chan error, 1), make(chan error, 1)
	go func() { cpDone <- cp.Wait() }()
	go func() { sumDone <- md5sum.Wait() }()
	t.Cleanup(func() { cp.Process.Kill(); md5sum.Process.Kill() })

	// Both are under way, a tenth or more of their data moved, when the
	// leader dies.
	testcluster.WaitFor(t, 5*time.Minute, 10*time.Millisecond, func() (bool, string) {
		w, r := readPos(cp.Process.Pid, fm.path("copy")), readPos(md5sum.Process.Pid, fm.path("other"))
		return w >= size/10 && r >= size/10, fmt.Sprintf("cp has written %d bytes, md5sum has read %d", w, r)
	})
	select {
	case err := <-cpDone:
		t.Fatalf("cp ended before the leader was killed: %v", err)
	case err := <-sumDone:
		t.Fatalf("md5sum ended before the leader was killed: %v", err)
	default:
	}
	before.Proc.Kill()
	t.Logf("killed the leader %s", before.Proc.Name())

	wait := func(name string, ch chan error, out *bytes.Buffer) {
		select {
		case err := <-ch:
			if err != nil {
				t.Fatalf("%s failed across the failover: %v: %s", name, err, out.String())
			}
		case <-time.After(10 * time.Minute):
			t.Fatalf("%s did not finish within 10 minutes of the failover", name)
		}
	}
	wait("cp", cpDone, &cpOut)
	wait("md5sum", sumDone, &sumOut)
	if got := strings.Fields(sumOut.String()); len(got) == 0 || got[0] != otherSum {
		t.Fatalf("md5sum across the failover: %q, want %s", sumOut.String(), otherSum)
	}
	after := c.WaitLeader()
	if after == before {
		t.Fatal("the leader did not change")
	}
	waitComplete(t, ac, "/copy")
	if got := strings.Fields(mustSh(t, "", "md5sum "+fm.path("copy"))); got[0] != srcSum {
		t.Fatalf("the copy made across the failover reads %s, want %s", got[0], srcSum)
	}
	fi, err := ac.GetStatus(context.Background(), "/copy", client.StatusOptions{})
	if err != nil || fi.Length != size {
		t.Fatalf("the master has /copy as %+v, %v", fi, err)
	}
}

// makeBigFile writes size bytes that differ in every MiB (a random MiB
// with its index in front) and returns their MD5.
func makeBigFile(t testing.TB, path string, size int64, seed uint64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := randomBytes(1<<20, seed)
	h := md5.New()
	for i := int64(0); i < size>>20; i++ {
		binary.LittleEndian.PutUint64(chunk, uint64(i))
		h.Write(chunk)
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readPos is how far process pid has read (or written) the file at path,
// from its descriptors' positions; 0 when it has no descriptor of it.
func readPos(pid int, path string) int64 {
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err != nil || target != path {
			continue
		}
		info, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", pid, fd.Name()))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(l, "pos:"); ok {
				n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				return n
			}
		}
	}
	return 0
}

// waitComplete waits until the file at path is complete: a file written
// through the mount completes when the kernel releases it, just after the
// writer's close.
func waitComplete(t testing.TB, c *client.FileSystem, path string) {
	t.Helper()
	testcluster.WaitFor(t, 5*time.Minute, 20*time.Millisecond, func() (bool, string) {
		fi, err := c.GetStatus(context.Background(), path, client.StatusOptions{})
		return err == nil && fi.Completed, fmt.Sprintf("%s: %+v %v", path, fi, err)
	})
}
