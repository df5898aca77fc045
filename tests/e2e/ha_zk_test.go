package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// writer keeps writing small files with content until stopped, recording
// the ones acknowledged.
type writer struct {
	c       *client.FileSystem
	prefix  string
	mu      sync.Mutex
	acked   map[string][]byte
	failed  int
	errs    []string
	stop    chan struct{}
	done    chan struct{}
	written int
}

func startWriter(c *client.FileSystem, prefix string) *writer {
	w := &writer{c: c, prefix: prefix, acked: map[string][]byte{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for i := 0; i < 100000; i++ {
			select {
			case <-w.stop:
				return
			default:
			}
			path := fmt.Sprintf("%s/f%05d", w.prefix, i)
			data := randomBytes(1000+i%5000, uint64(i)+1000)
			err := writeAck(w.c, path, data, "CACHE_THROUGH")
			w.mu.Lock()
			if err == nil {
				w.acked[path] = data
			} else {
				if w.failed < 5 {
					w.errs = append(w.errs, err.Error())
				}
				w.failed++
			}
			w.written++
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *writer) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked)
}

// waitMore waits until n more writes were acknowledged.
func (w *writer) waitMore(t *testing.T, n int) {
	t.Helper()
	target := w.count() + n
	testcluster.WaitFor(t, 90*time.Second, 20*time.Millisecond, func() (bool, string) {
		return w.count() >= target, fmt.Sprintf("%d of %d acknowledged", w.count(), target)
	})
}

func (w *writer) finish() {
	close(w.stop)
	<-w.done
}

// verify reads back every acknowledged file.
func (w *writer) verify(t *testing.T, c *client.FileSystem) {
	t.Helper()
	for path, data := range w.acked {
		if got := readFile(t, c, path, "NO_CACHE"); !bytes.Equal(got, data) {
			t.Fatalf("acknowledged %s reads back wrong (%d bytes, want %d)", path, len(got), len(data))
		}
	}
}

func TestZKFailoverLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	failoverUnderWrites(t, newZKCluster(t, 2, "3s"))
}

// failoverUnderWrites kills the leader three times while a client writes
// files with content; every acknowledged file must survive, with its
// content, on masters that all agree.
func failoverUnderWrites(t *testing.T, c *cluster.HA) {
	fs := c.Client(60 * time.Second)
	// A MUST_CACHE file lives only in the workers: it must survive the
	// failovers through the workers registering with each new leader.
	cached := randomBytes(3<<20, 99)
	if err := writeAck(fs, "/cached-only", cached, "MUST_CACHE"); err != nil {
		t.Fatal(err)
	}
	w := startWriter(fs, "/load")
	for round := 0; round < 3; round++ {
		w.waitMore(t, 20)
		old := c.WaitLeader()
		old.Proc.Kill()
		w.waitMore(t, 20) // the new leader takes writes
		if nl := c.WaitLeader(); nl == old {
			t.Fatal("the killed master is still the leader")
		}
		old.Proc.Restart(t) // back as a standby
	}
	w.finish()
	t.Logf("writes: %d acknowledged, %d failed; first errors: %q", len(w.acked), w.failed, w.errs)
	w.verify(t, fs)
	c.Converge()
	if got := readFile(t, fs, "/cached-only", "NO_CACHE"); !bytes.Equal(got, cached) {
		t.Fatal("a MUST_CACHE file was lost across failovers")
	}
	if c.ZK != nil {
		// With the shared folder, standbys write the checkpoints.
		var byStandby bool
		for _, m := range c.Masters {
			if strings.Contains(m.Proc.Output(), "checkpoint written") {
				byStandby = true
			}
		}
		if cks, _ := filepath.Glob(filepath.Join(c.Shared, "journal", "checkpoints", "*.ckpt")); len(cks) == 0 || !byStandby {
			t.Fatalf("no checkpoint written by a standby (%d checkpoint files)", len(cks))
		}
		report := c.Masters[0].Must("fsadmin", "report")
		if !bytesContains(report, "Zookeeper Enabled: true") || !bytesContains(report, c.ZK.Servers()[0]) {
			t.Fatalf("fsadmin report does not show ZooKeeper:\n%s", report)
		}
	}
	out := c.Masters[0].Must("fs", "masterInfo")
	if !bytesContains(out, "Current leader master: ") || !bytesContains(out, "All masters: [") {
		t.Fatalf("masterInfo output: %s", out)
	}
}

func bytesContains(s, sub string) bool { return bytes.Contains([]byte(s), []byte(sub)) }

// TestZKPausedLeaderIsFenced pauses the leader mid-write: once it resumes
// after a new leader took writes, it answers no write and nothing it wrote
// later is ever applied.
func TestZKPausedLeaderIsFenced(t *testing.T) {
	t.Parallel()
	pausedLeaderIsFenced(t, newZKCluster(t, 1, "2s"))
}

// pausedLeaderIsFenced pauses the leader while a client writes, lets a new
// leader take writes, then resumes the old one: it must take no write, and
// nothing it wrote after the pause may ever be applied.
func pausedLeaderIsFenced(t *testing.T, c *cluster.HA) {
	fs := c.Client(60 * time.Second)
	w := startWriter(fs, "/p")
	w.waitMore(t, 10)
	old := c.WaitLeader()
	if err := old.Proc.Pause(); err != nil {
		t.Fatal(err)
	}
	testcluster.WaitFor(t, 60*time.Second, 20*time.Millisecond, func() (bool, string) {
		for _, m := range c.Masters {
			if m != old {
				if h := m.Health(); h.OK && h.Role == "PRIMARY" {
					return true, ""
				}
			}
		}
		return false, "no new leader"
	})
	w.waitMore(t, 20)
	old.Proc.Resume()
	// Straight to the old leader, with no retry and no following of
	// hints: it must refuse, not write.
	cc, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", old.RPCPort), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	rctx, cancel := context.WithTimeout(rpcmeta.WithUser(context.Background(), "tester"), 30*time.Second)
	defer cancel()
	_, err = pb.NewFileSystemMasterClientServiceClient(cc).CreateDirectory(rctx,
		&pb.CreateDirectoryRequest{Path: "/written-by-the-deposed", OpId: "deposed-1", WriteType: "MUST_CACHE"})
	if err == nil {
		t.Fatal("the deposed leader accepted a write after resuming")
	}
	t.Logf("the deposed leader answered: %v", err)
	w.waitMore(t, 10)
	w.finish()
	w.verify(t, fs)
	if _, err := fs.GetStatus(context.Background(), "/written-by-the-deposed", client.StatusOptions{LoadType: "NEVER"}); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the deposed leader's write is visible: %v", err)
	}
	c.Converge()
}

func TestZKGracefulHandover(t *testing.T) {
	t.Parallel()
	c := newZKCluster(t, 1, "5s")
	fs := c.Client(30 * time.Second)
	if err := writeAck(fs, "/before", []byte("x"), "CACHE_THROUGH"); err != nil {
		t.Fatal(err)
	}
	old := c.WaitLeader()
	start := time.Now()
	if err := old.Proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := writeAck(fs, "/after", []byte("y"), "CACHE_THROUGH"); err != nil {
		t.Fatal(err)
	}
	t.Logf("graceful handover: first write on the new leader %v after SIGTERM", time.Since(start))
	if nl := c.WaitLeader(); nl == old {
		t.Fatal("the stopped master is still the leader")
	}
	if err := old.Proc.Wait(); err != nil {
		t.Fatalf("the stopped master exited with %v", err)
	}
	if !old.Proc.WaitForLog(t, "stopped", time.Second) {
		t.Fatal("no clean stop logged")
	}
}

// TestZKQuorumLossAndReturn: without a ZooKeeper quorum the leader stops
// taking writes and clients get a clear error; with the quorum back
// service resumes with nothing lost.
func TestZKQuorumLossAndReturn(t *testing.T) {
	t.Parallel()
	c := newZKCluster(t, 1, "2s")
	fs := c.Client(30 * time.Second)
	if err := writeAck(fs, "/kept", []byte("kept"), "CACHE_THROUGH"); err != nil {
		t.Fatal(err)
	}
	c.ZK.Kill(0)
	if err := writeAck(fs, "/one-zk-down", []byte("ok"), "CACHE_THROUGH"); err != nil {
		t.Fatalf("one ZooKeeper server down must not matter: %v", err)
	}
	c.ZK.Kill(1)
	short := c.Client(3 * time.Second)
	testcluster.WaitFor(t, 30*time.Second, 100*time.Millisecond, func() (bool, string) {
		_, err := short.CreateDirectory(context.Background(), fmt.Sprintf("/nq-%d", time.Now().UnixNano()), client.CreateDirectoryOptions{})
		return errors.Is(err, client.ErrUnavailable), fmt.Sprintf("write without quorum: %v", err)
	})
	c.ZK.Start(0)
	c.ZK.Start(1)
	if err := writeAck(fs, "/after-quorum", []byte("back"), "CACHE_THROUGH"); err != nil {
		t.Fatalf("no service after the quorum returned: %v", err)
	}
	for _, p := range []string{"/kept", "/one-zk-down", "/after-quorum"} {
		if _, err := fs.GetStatus(context.Background(), p, client.StatusOptions{}); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	c.Converge()
}
