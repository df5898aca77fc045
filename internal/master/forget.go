package master

import (
	"sync"

	"github.com/alluxio-go/alluxio/internal/failpoint"
)

// forgetful is the bug planted by failpoint.ForgetRetriesAcrossLeaders: a
// master that knows only the outcomes of the operations it proposed since
// it last became primary, as if the retry cache were a leader's own memory
// and not part of the replicated state. A retry that reaches it after a
// failover runs again. It is nil (and costs nothing) unless the failpoint
// is on.
type forgetful struct {
	mu   sync.Mutex
	mine map[string]bool
}

func newForgetful() *forgetful {
	if !failpoint.Enabled(failpoint.ForgetRetriesAcrossLeaders) {
		return nil
	}
	return &forgetful{mine: map[string]bool{}}
}

// forgets reports whether the outcome of opID, which the state knows,
// is to be forgotten: it was decided under another leader.
func (f *forgetful) forgets(opID string) bool {
	if f == nil || opID == "" {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.mine[opID]
}

// proposed remembers that this leader proposed opID.
func (f *forgetful) proposed(opID string) {
	if f == nil || opID == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.mine) > 1<<20 {
		clear(f.mine)
	}
	f.mine[opID] = true
}

// reset forgets everything, on becoming primary.
func (f *forgetful) reset() {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.mine)
}
