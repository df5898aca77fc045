package ufsjournal

import (
	"os"
	"path/filepath"
	"time"

	"github.com/alluxio-go/alluxio/internal/journal"
)

// writeCheckpoint writes the state machine's checkpoint into the folder and
// then deletes what it makes redundant: segments wholly below it, older
// checkpoints but one, and epoch markers no segment needs. The file appears
// under its final name only once complete and synced.
func writeCheckpoint(dir string, sm journal.StateMachine) (uint64, string, error) {
	tmp, err := os.CreateTemp(filepath.Join(dir, tmpDir), "ckpt-*")
	if err != nil {
		return 0, "", err
	}
	defer os.Remove(tmp.Name())
	last, err := sm.WriteCheckpoint(tmp, time.Now().UnixMilli())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, "", err
	}
	final := filepath.Join(dir, checkpointsDir, checkpointName(last+1))
	if err := os.Rename(tmp.Name(), final); err != nil {
		return 0, "", err
	}
	if err := syncDir(filepath.Join(dir, checkpointsDir)); err != nil {
		return 0, "", err
	}
	return last, final, collectGarbage(dir)
}

func collectGarbage(dir string) error {
	l, err := list(dir)
	if err != nil || len(l.checkpoints) == 0 {
		return err
	}
	covered := l.checkpoints[len(l.checkpoints)-1].next
	// Keep the previous checkpoint and the segments after it as a fallback
	// should the newest checkpoint turn out unreadable.
	keepFrom := covered
	if len(l.checkpoints) >= 2 {
		keepFrom = l.checkpoints[len(l.checkpoints)-2].next
	}
	for _, ck := range l.checkpoints[:max(0, len(l.checkpoints)-2)] {
		os.Remove(ck.path)
	}
	oldestEpoch := l.maxEpoch()
	for _, s := range l.segments {
		if s.end != 0 && s.end <= keepFrom {
			os.Remove(s.path)
			continue
		}
		oldestEpoch = min(oldestEpoch, s.epoch)
	}
	for _, e := range l.epochs {
		if e < oldestEpoch {
			os.Remove(filepath.Join(dir, epochsDir, hex16(e)))
		}
	}
	return nil
}

// Seed writes sm's checkpoint into a freshly formatted journal folder, so
// the masters start from it (alluxio format with
// alluxio.master.journal.init.from.backup): the first primary's entries
// follow its last sequence.
func Seed(dir string, sm journal.StateMachine) error {
	_, _, err := writeCheckpoint(dir, sm)
	return err
}
