package state

import (
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// retryCache remembers the outcome of the last N client operations. It is
// part of the replicated state (and of checkpoints), so a retry that reaches
// a new primary after a failover is answered the same way. Eviction is first
// in, first out: deterministic on every replica.
type retryCache struct {
	size  int
	m     map[string]Result
	order []string
	head  int
}

func newRetryCache(size int) *retryCache {
	return &retryCache{size: size, m: make(map[string]Result)}
}

func (c *retryCache) get(id string) (Result, bool) {
	r, ok := c.m[id]
	return r, ok
}

func (c *retryCache) put(id string, r Result) {
	if _, ok := c.m[id]; ok {
		return
	}
	if len(c.order) < c.size {
		c.order = append(c.order, id)
	} else {
		delete(c.m, c.order[c.head])
		c.order[c.head] = id
		c.head = (c.head + 1) % c.size
	}
	c.m[id] = r
}

// each visits the remembered outcomes oldest first.
func (c *retryCache) each(fn func(id string, r Result)) {
	n := len(c.order)
	for i := 0; i < n; i++ {
		id := c.order[(c.head+i)%n]
		fn(id, c.m[id])
	}
}

func outcomeToProto(id string, r Result) *journalpb.RetryOutcome {
	o := &journalpb.RetryOutcome{OpId: id, InodeId: r.InodeID}
	if r.Err != nil {
		o.ErrorCode = errs.Code(r.Err)
		o.ErrorMessage = errs.Message(r.Err)
	}
	return o
}

func outcomeFromProto(o *journalpb.RetryOutcome) Result {
	r := Result{InodeID: o.InodeId}
	if o.ErrorCode != "" {
		r.Err = errs.FromCode(o.ErrorCode, o.ErrorMessage)
	}
	return r
}
