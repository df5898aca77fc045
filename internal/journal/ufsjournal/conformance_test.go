package ufsjournal

import (
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/journal/journaltest"
)

// ufsCluster is masters sharing one journal folder, each with a selector
// the test drives; the others tail the folder as standbys.
type ufsCluster struct {
	dir  string
	sels []*manualSelector
	sys  []*System
}

func TestConformance(t *testing.T) {
	journaltest.Run(t, func(t *testing.T) journaltest.Cluster {
		return &ufsCluster{dir: newFolder(t), sels: make([]*manualSelector, 3), sys: make([]*System, 3)}
	})
}

func (c *ufsCluster) Members() int { return len(c.sels) }

func (c *ufsCluster) Open(t *testing.T, i int, sm journal.StateMachine) journal.System {
	t.Helper()
	c.sels[i] = newManualSelector()
	sys, err := New(Options{Folder: c.dir, StateMachine: sm, Selector: c.sels[i], TailInterval: 5 * time.Millisecond,
		Logger: testLogger(t, "m"+string(rune('0'+i))), OnFatal: func(err error) { t.Errorf("member %d: fatal: %v", i, err) }})
	if err != nil {
		t.Fatal(err)
	}
	c.sys[i] = sys
	t.Cleanup(func() { _ = sys.Stop() })
	return sys
}

// Elect grants member i the next epoch, as ZooKeeper does a new leader.
func (c *ufsCluster) Elect(t *testing.T, i int) {
	c.sels[i].set(true, 0)
	eventually(t, "member to take the journal", func() bool { return c.sys[i].Info().Role == journal.RolePrimary })
}

// Depose ends member i's term, as an expired ZooKeeper session does.
func (c *ufsCluster) Depose(t *testing.T, i int) { c.sels[i].set(false, 0) }
