package faults

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/failpoint"
	"github.com/alluxio-go/alluxio/tests/chaos/model"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// The fence fault works in a directory of its own, outside the workload's
// groups: FenceDir/q holds files written without a pause, FenceDir/p
// those whose under storage changes the masters pause before (the
// failpoint's path prefix is PausedDir + "/", so creating PausedDir
// itself does not pause).
const (
	FenceDir  = "/chaos-fence"
	PausedDir = FenceDir + "/p"
	StageDir  = FenceDir + "/q"
)

// PauseFor is how long a master pauses between committing an entry under
// PausedDir and carrying out its under storage change: longer than a cut
// plus an election, so the master is deposed while it waits (a demotion
// ends the pause early). The fence must then stop it.
const PauseFor = 20 * time.Second

// PauseFailpoint is the ALLUXIO_FAILPOINTS item that makes the masters
// pause before every under storage change under PausedDir; the binary
// must be built with -tags failpoints.
func PauseFailpoint() string {
	return fmt.Sprintf("%s=%s:*:%s/", failpoint.PauseBeforeUFSChange, PauseFor, PausedDir)
}

const pausedLog = "failpoint: pausing before an under storage change"

// fenceOps numbers the files of fence faults, unique within a process.
var fenceOps atomic.Int64

// cutPausedLeader starts an operation under PausedDir (a publish, a delete
// or a rename, by pick), waits until the master that committed it says it
// pauses before the under storage change, and cuts that master off the
// peer network (stops it with SIGSTOP without network namespaces) for
// at least hold. The successor finishes the change and answers the
// retried call; then a new file takes the name the paused master would
// delete or move, and the master wakes (PauseFor after it paused) to a
// namespace that moved on. The under storage check at the end of the run
// covers FenceDir, so a change the deposed master made anyway (the new
// file's copy deleted or moved) fails the run.
type cutPausedLeader struct{}

func (cutPausedLeader) Name() string { return "cut-paused-leader" }
func (cutPausedLeader) Applies(e Env) string {
	if !e.PauseUFS {
		return "the masters do not pause before under storage changes (no failpoints build)"
	}
	return ""
}
func (cutPausedLeader) Hold(e Env) (time.Duration, time.Duration) { return cutLeader{}.Hold(e) }

func (cutPausedLeader) Inject(t testing.TB, c *cluster.HA, _ *cluster.Master, hold time.Duration, pick int) string {
	// The paused call's client waits for the paused master's answer: a
	// client that gave up would cancel the call, and with it the pause.
	opFS := c.ClientWith(client.Config{RetryMaxDuration: 2 * time.Minute, RPCTimeout: PauseFor + 30*time.Second})
	fs := c.ClientWith(client.Config{RetryMaxDuration: 90 * time.Second, RPCTimeout: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	n := fenceOps.Add(1)
	name := fmt.Sprintf("f%d", n)
	paused, staged := PausedDir+"/"+name, StageDir+"/"+name
	kind := []string{"publish", "delete", "rename"}[pick%3]
	if kind != "publish" {
		// Not paused: q is outside the prefix, and a rename's intent is
		// under its source.
		if err := writeFence(ctx, fs, staged); err != nil {
			t.Errorf("chaos: cut-paused-leader: writing %s: %v", staged, err)
			return "setup failed"
		}
		if err := fs.Rename(ctx, staged, paused); err != nil {
			t.Errorf("chaos: cut-paused-leader: renaming %s to %s: %v", staged, paused, err)
			return "setup failed"
		}
	}
	base := make([]int, len(c.Masters))
	for i, m := range c.Masters {
		base[i] = m.Proc.LogCount(pausedLog)
	}
	done := make(chan error, 1)
	go func() {
		switch kind {
		case "publish":
			done <- writeFence(ctx, opFS, paused)
		case "delete":
			done <- opFS.Delete(ctx, paused, client.DeleteOptions{})
		default:
			done <- opFS.Rename(ctx, paused, paused+".r")
		}
	}()
	who := -1
	testcluster.WaitFor(t, 60*time.Second, 20*time.Millisecond, func() (bool, string) {
		for i, m := range c.Masters {
			if m.Proc.LogCount(pausedLog) > base[i] {
				who = i
				return true, ""
			}
		}
		select {
		case err := <-done:
			t.Fatalf("chaos: cut-paused-leader: the %s of %s ended (%v) without a master pausing before its under storage "+
				"change: is the binary built with -tags failpoints and %s set?", kind, paused, err, PauseFailpoint())
		default:
		}
		return false, fmt.Sprintf("no master paused before the %s of %s", kind, paused)
	})
	pausedAt := time.Now()
	m := c.Masters[who]
	how := "off the peer network"
	if c.Net != nil {
		c.Net.CutPeer(who)
	} else {
		how = "stopped (SIGSTOP)"
		if err := m.Proc.Pause(); err != nil {
			t.Errorf("chaos: pausing master%d: %v", who, err)
		}
	}
	again := ""
	if kind != "publish" {
		again = ", " + writeAgain(ctx, fs, kind, paused, staged, pausedAt)
	}
	// The fault's length, from the schedule: not a wait for a condition.
	time.Sleep(hold - time.Since(pausedAt))
	hold = max(hold, time.Since(pausedAt))
	if c.Net != nil {
		c.Net.HealPeer(who)
	} else if err := m.Proc.Resume(); err != nil {
		t.Errorf("chaos: resuming master%d: %v", who, err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		t.Errorf("chaos: cut-paused-leader: the %s of %s did not end 2m after master%d came back", kind, paused, who)
		cancel()
		err = <-done
	}
	answer := "ok"
	if err != nil {
		answer = err.Error()
		// Only an error that leaves the outcome open may come back: the
		// operation committed before the pause.
		if !errors.Is(err, client.ErrUnavailable) && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("chaos: cut-paused-leader: the %s of %s, committed before master%d paused, answered %v", kind, paused, who, err)
		}
	}
	return fmt.Sprintf("master%d paused before the %s of %s, %s %.1fs%s; answer: %s", who, kind, paused, how, hold.Seconds(), again, answer)
}

// writeAgain waits until the successor shows the paused master's delete or
// rename of paused done, and puts a new file there (written in StageDir and
// moved, so no pause): if the paused master woke and made its change
// unfenced, the new file's copy would go, and the under storage check
// would find the file lost. It says what it did, and whether that was
// before the pause ended.
func writeAgain(ctx context.Context, fs *client.FileSystem, kind, paused, staged string, pausedAt time.Time) string {
	deadline := pausedAt.Add(PauseFor)
	// Whether the namespace shows the change: the delete's name gone, the
	// rename's destination there. A create there then waits for the
	// change's under storage side on the successor.
	shown := func() (bool, error) {
		if kind == "delete" {
			_, err := fs.GetStatus(ctx, paused, client.StatusOptions{})
			return errors.Is(err, client.ErrNotFound), err
		}
		_, err := fs.GetStatus(ctx, paused+".r", client.StatusOptions{})
		return err == nil, err
	}
	for {
		ok, err := shown()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Sprintf("the %s did not show within the pause (%v)", kind, err)
		}
		// Polling the namespace, not a wait for time to pass.
		time.Sleep(100 * time.Millisecond)
	}
	if err := writeFence(ctx, fs, staged); err != nil {
		return fmt.Sprintf("writing %s again failed: %v", staged, err)
	}
	if err := fs.Rename(ctx, staged, paused); err != nil {
		return fmt.Sprintf("moving %s to %s again failed: %v", staged, paused, err)
	}
	when := "before"
	if time.Now().After(deadline) {
		when = "AFTER"
	}
	return fmt.Sprintf("%s written again %.1fs after the pause began, %s it ended", paused, time.Since(pausedAt).Seconds(), when)
}

// writeFence writes a CACHE_THROUGH file with content the under storage
// check can verify.
func writeFence(ctx context.Context, fs *client.FileSystem, path string) error {
	opts := client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20}
	info, err := fs.CreateFile(ctx, path, opts)
	if err != nil {
		return err
	}
	w, err := fs.OpenWriter(ctx, info, opts)
	if err != nil {
		return err
	}
	if _, err := w.Write(model.Content(path)); err != nil {
		w.Cancel()
		return err
	}
	return w.Close()
}
