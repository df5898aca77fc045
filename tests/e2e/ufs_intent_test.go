package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/failpoint"
	"github.com/alluxio-go/alluxio/tests/testcluster"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// The under storage never runs ahead of the journal, and a deposed leader
// never changes it: a leader whose delete committed is paused (by the
// pause-before-ufs-change failpoint) before it removes the under storage
// copy, and cut off from the other masters (or stopped, where the test
// cannot make network namespaces) meanwhile. The new leader must finish
// the committed delete; a new file is then written at the same path; and
// when the old leader wakes up it must leave the under storage alone, or
// it would remove the new file's copy.

func TestDeposedLeaderLeavesUnderStorageToSuccessorEmbedded(t *testing.T) {
	t.Parallel()
	deposedLeaderLeavesUnderStorage(t, "embedded")
}

func TestDeposedLeaderLeavesUnderStorageToSuccessorZK(t *testing.T) {
	t.Parallel()
	deposedLeaderLeavesUnderStorage(t, "zk")
}

// pauseFor is how long the paused leader waits: long enough for the cut,
// an election, the successor's delete and a new write, all of which the
// test waits for with deadlines of their own, and for the old leader to
// notice it is cut off.
const pauseFor = 30 * time.Second

func deposedLeaderLeavesUnderStorage(t *testing.T, journal string) {
	bin := testcluster.BinaryWithTags(t, "failpoints")
	env := []string{fmt.Sprintf("ALLUXIO_FAILPOINTS=%s=%s:DELETE:/victim", failpoint.PauseBeforeUFSChange, pauseFor)}
	cc := cluster.NewHA(t, cluster.WithJournal(journal), cluster.WithWorkers(1, "256MB"), cluster.WithBinary(bin),
		cluster.WithEnv(env...), cluster.WithNet(cluster.NetIfAvailable))
	fs := cc.ClientWith(client.Config{RetryMaxDuration: 90 * time.Second, RPCTimeout: 10 * time.Second})
	ctx := context.Background()
	ufs := filepath.Join(cc.Shared, "ufs")
	through := client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20, Recursive: true}
	writeFile(t, fs, "/victim/f", []byte("old"), through)
	writeFile(t, fs, "/victim/kept", []byte("kept"), through)

	old := cc.WaitLeader()
	li := cc.Index(old)
	deleted := make(chan error, 1)
	go func() { deleted <- fs.Delete(ctx, "/victim/f", client.DeleteOptions{}) }()
	if !old.Proc.WaitForLog(t, "failpoint: pausing before an under storage change", 60*time.Second) {
		t.Fatal("the leader did not pause after committing the delete")
	}
	if _, err := os.Stat(filepath.Join(ufs, "victim", "f")); err != nil {
		t.Fatalf("the under storage copy went before the paused leader's change: %v", err)
	}
	if cc.Net != nil {
		cc.Net.CutPeer(li)
	} else {
		t.Logf("%s: the leader is stopped instead of cut off", cc.NoNet)
		if err := old.Proc.Pause(); err != nil {
			t.Fatal(err)
		}
	}
	var successor *cluster.Master
	testcluster.WaitFor(t, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		for _, m := range cc.Others(old) {
			if h := m.Health(); h.OK && h.Role == "PRIMARY" {
				successor = m
				return true, ""
			}
		}
		return false, "no leader among the others"
	})
	// The delete committed, so the successor carries it out.
	testcluster.WaitFor(t, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		_, err := os.Stat(filepath.Join(ufs, "victim", "f"))
		return errors.Is(err, os.ErrNotExist), fmt.Sprintf("the under storage copy is still there (%v)", err)
	})
	if !successor.Proc.WaitForLog(t, "finishing the under storage changes the previous primary left pending", 10*time.Second) {
		t.Fatal("the successor did not say it finished its predecessor's change")
	}
	if err := <-deleted; err != nil {
		t.Fatalf("the committed delete was not acknowledged: %v", err)
	}
	// A new file at the same path, which the old leader must not remove
	// when it wakes up. It wakes still cut off, so it has not heard of
	// the successor's delete nor of the new file: only the fence before
	// every under storage change stops it.
	writeFile(t, fs, "/victim/f", []byte("new"), through)
	if cc.Net == nil {
		if err := old.Proc.Resume(); err != nil {
			t.Fatal(err)
		}
	}
	if !old.Proc.WaitForLog(t, "failpoint: pause over", pauseFor+30*time.Second) {
		t.Fatal("the old leader's pause did not end")
	}
	const (
		steppedBack = "not the primary any more: the under storage change is left to the next one"
		didIt       = "under storage change done, but not journaled done"
	)
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		out := old.Proc.Output()
		return strings.Contains(out, steppedBack) || strings.Contains(out, didIt), "the old leader's attempt"
	})
	got, err := os.ReadFile(filepath.Join(ufs, "victim", "f"))
	if err != nil || !bytes.Equal(got, []byte("new")) {
		t.Fatalf("the new file's under storage copy after the old leader woke: %q, %v", got, err)
	}
	if !strings.Contains(old.Proc.Output(), steppedBack) {
		t.Fatal("the old leader did not step back from its change")
	}
	cc.Heal() // the cut-off leader rejoins
	if got := readFile(t, fs, "/victim/f", "NO_CACHE"); !bytes.Equal(got, []byte("new")) {
		t.Fatalf("reading the new file: %q", got)
	}
	// Namespace and under storage agree on the directory.
	entries, err := os.ReadDir(filepath.Join(ufs, "victim"))
	if err != nil {
		t.Fatal(err)
	}
	var inUfs []string
	for _, e := range entries {
		inUfs = append(inUfs, e.Name())
	}
	infos, err := fs.ListStatus(ctx, "/victim", false, client.StatusOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var inAlluxio []string
	for _, fi := range infos {
		inAlluxio = append(inAlluxio, fi.Name)
		if fi.UfsPending != "" || fi.UfsError != "" {
			t.Errorf("%s: pending %q, error %q", fi.Path, fi.UfsPending, fi.UfsError)
		}
	}
	if fmt.Sprint(inUfs) != fmt.Sprint(inAlluxio) {
		t.Fatalf("the under storage has %v, the namespace %v", inUfs, inAlluxio)
	}
}
