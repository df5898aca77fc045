package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestReadFallsBackWhenTheWorkerDies kills the worker that caches a file:
// reads go on through the other worker, from the under storage, and the
// master soon reports the dead worker lost.
func TestReadFallsBackWhenTheWorkerDies(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	m.Extra = append(m.Extra, "-Dalluxio.master.worker.timeout=2s", "-Dalluxio.master.lost.worker.detection.interval=500ms")
	m.Proc.Kill()
	m.Proc = testcluster.Start(t, "master-fast-lost", m.Bin, append([]string{"master"}, m.Defines()...), m.Env())
	m.WaitLeader()
	w1 := cluster.StartWorker(t, m, "worker1", "64MB")
	c := m.Client()
	data := randomBytes(3<<20, 21)
	writeFile(t, c, "/f", data, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20})
	cluster.StartWorker(t, m, "worker2", "64MB")
	w1.Proc.Kill()
	if got := readFile(t, c, "/f", "CACHE"); !bytes.Equal(got, data) {
		t.Fatal("content differs after the caching worker died")
	}
	// The capacity report lists live workers only, by host while one is
	// left: the dead one's address goes, one worker row stays.
	testcluster.WaitFor(t, 30*time.Second, 100*time.Millisecond, func() (bool, string) {
		out, code := m.Run("fsadmin", "report", "capacity")
		return code == 0 && !strings.Contains(out, w1.Address()) && strings.Count(out, "\n127.0.0.1 ") == 1, out
	})
	fi, err := c.GetStatus(context.Background(), "/f", client.StatusOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range fi.Blocks {
		for _, l := range b.Locations {
			if l.Host == "127.0.0.1" && l.RPCPort == w1.RPCPort {
				t.Fatalf("block %d still located on the dead worker", b.ID)
			}
		}
	}
}

// TestCorruptCachedBlockIsReadAgain damages a cached block file while its
// worker is down: the restarted worker detects it and the read comes from
// the under storage, right.
func TestCorruptCachedBlockIsReadAgain(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	w := cluster.StartWorker(t, m, "worker", "64MB")
	c := m.ClientWith(client.Config{NoShortCircuit: true})
	data := randomBytes(2<<20, 22)
	writeFile(t, c, "/c", data, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20})
	fi, err := c.GetStatus(context.Background(), "/c", client.StatusOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.Proc.Stop(10 * time.Second)
	blockFile := filepath.Join(w.Dir, "alluxioworker", strconv.FormatInt(fi.BlockIDs[0], 10))
	b, err := os.ReadFile(blockFile)
	if err != nil {
		t.Fatal(err)
	}
	b[100] ^= 0xff
	if err := os.WriteFile(blockFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	w.Proc.Restart(t)
	w.WaitRegistered()
	if got := readFile(t, c, "/c", "CACHE"); !bytes.Equal(got, data) {
		t.Fatal("read the damaged block instead of the under storage copy")
	}
	if n := w.Metric(t, "alluxio_worker_corrupt_blocks_total"); n != 1 {
		t.Fatalf("corrupt blocks counted: %v, want 1", n)
	}
}

// TestClientDyingMidWriteLeavesNoCompleteFile kills a copyFromLocal that
// is half way through: the file is never complete.
func TestClientDyingMidWriteLeavesNoCompleteFile(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(m.Bin, append([]string{"fs", "copyFromLocal", "--writeType", "MUST_CACHE", fifo, "/half"}, m.Defines()...)...)
	cmd.Env = append(os.Environ(), m.Env()...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pipe, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	if _, err := pipe.Write(randomBytes(3<<20, 23)); err != nil {
		t.Fatal(err)
	}
	c := m.Client()
	testcluster.WaitFor(t, 30*time.Second, 20*time.Millisecond, func() (bool, string) {
		_, err := c.GetStatus(context.Background(), "/half", client.StatusOptions{LoadType: "NEVER"})
		return err == nil, fmt.Sprint(err)
	})
	cmd.Process.Kill()
	cmd.Wait()
	fi, err := c.GetStatus(context.Background(), "/half", client.StatusOptions{})
	if err == nil && fi.Completed {
		t.Fatalf("a write killed half way left a complete file of %d bytes", fi.Length)
	}
	if out, code := m.Run("fs", "cat", "/half"); code == 0 {
		t.Fatalf("cat of the half-written file succeeded: %d bytes", len(out))
	}
}

// TestLocalCommand runs `alluxio local` and uses it from another process.
func TestLocalCommand(t *testing.T) {
	t.Parallel()
	ports := testcluster.FreePorts(t, 9)
	home := t.TempDir()
	addrs := func(ps []int) string {
		var out []string
		for _, p := range ps {
			out = append(out, "localhost:"+strconv.Itoa(p))
		}
		return strings.Join(out, ",")
	}
	defs := []string{
		"-Dalluxio.master.rpc.addresses=" + addrs(ports[0:3]),
		"-Dalluxio.master.embedded.journal.addresses=" + addrs(ports[3:6]),
		// Any free web port each: master i would take the base + 1000·i.
		"-Dalluxio.master.web.port=0",
		"-Dalluxio.worker.rpc.port=" + strconv.Itoa(ports[7]), "-Dalluxio.worker.web.port=" + strconv.Itoa(ports[8]),
		"-Dalluxio.worker.tieredstore.level0.dirs.path=" + filepath.Join(home, "mem"),
		"-Dalluxio.proxy.web.port=" + strconv.Itoa(ports[6]),
	}
	env := []string{"HOME=" + home, "ALLUXIO_CONF_DIR=" + filepath.Join(home, "conf")}
	bin := testcluster.Binary(t)
	p := testcluster.Start(t, "local", bin, append([]string{"local"}, defs...), env)
	if !p.WaitForLog(t, "local cluster ready", 60*time.Second) {
		t.Fatal("alluxio local did not start")
	}
	run := func(args ...string) string {
		cmd := exec.Command(bin, append(args, "-Dalluxio.master.rpc.addresses="+addrs(ports[0:3]))...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("alluxio %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("fs", "mkdir", "/hello")
	run("fs", "chmod", "777", "/hello") // shared with gina below
	src := filepath.Join(home, "src.txt")
	os.WriteFile(src, []byte("hello, alluxio\n"), 0o644)
	run("fs", "copyFromLocal", src, "/hello/src.txt")
	if out := run("fs", "cat", "/hello/src.txt"); out != "hello, alluxio\n" {
		t.Fatalf("cat: %q", out)
	}
	// It serves the S3 API too, on localhost: an object put there is a
	// file owned by the access key.
	s3url := fmt.Sprintf("http://localhost:%d", ports[6])
	s3c := sdk(s3url, "gina", "x")
	if _, err := s3c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String("hello"), Key: aws.String("from s3"),
		Body: strings.NewReader("through the S3 API\n")}); err != nil {
		t.Fatalf("S3 put to alluxio local: %v", err)
	}
	if out := run("fs", "cat", "/hello/from s3"); out != "through the S3 API\n" {
		t.Fatalf("cat of the object: %q", out)
	}
	if out := run("fs", "ls", "/hello/from s3"); !strings.Contains(out, "gina") {
		t.Fatalf("the object is not owned by the access key:\n%s", out)
	}
	if out := run("fs", "masterInfo"); strings.Count(out, "localhost:") < 4 {
		t.Fatalf("masterInfo does not list the leader and all three masters:\n%s", out)
	}
	if err := p.Stop(30 * time.Second); err != nil {
		t.Fatalf("alluxio local did not stop cleanly: %v", err)
	}
	if _, err := os.Stat(filepath.Join(home, ".alluxio", "local", "journal", "master2")); err != nil {
		t.Fatalf("no journal under the default work dir: %v", err)
	}
}
