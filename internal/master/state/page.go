package state

import (
	"container/heap"
	"strings"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// ListPage returns up to limit children of the directory at path whose
// names sort after after, in name order, and whether more follow. It
// copies only the children it returns, so paging through a directory of
// millions (the web UI's Browse) costs one pass over the names per page
// and never holds the whole listing. A file gives itself, as List does.
func (s *State) ListPage(path, after string, limit int) ([]Entry, bool, error) {
	if limit <= 0 {
		return nil, false, errs.New(errs.ErrInvalidArg, "page size %d must be positive", limit)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, err := s.lookup(path)
	if err != nil {
		return nil, false, err
	}
	dirPath := s.pathOf(n)
	if !n.IsDir {
		return []Entry{{Path: dirPath, Inode: n.copyOut()}}, false, nil
	}
	// The limit smallest names after the cursor: a max-heap of the best so
	// far, whose top is evicted by anything smaller.
	var h nameHeap
	more := false
	for name, c := range n.children {
		if name <= after {
			continue
		}
		if h.Len() < limit {
			heap.Push(&h, c)
			continue
		}
		more = true
		if strings.Compare(name, h[0].Name) < 0 {
			h[0] = c
			heap.Fix(&h, 0)
		}
	}
	out := make([]Entry, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		c := heap.Pop(&h).(*Inode)
		out[i] = Entry{Path: fspath.Join(dirPath, c.Name), Inode: c.copyOut()}
	}
	return out, more, nil
}

// nameHeap is a max-heap of inodes by name.
type nameHeap []*Inode

func (h nameHeap) Len() int           { return len(h) }
func (h nameHeap) Less(i, j int) bool { return h[i].Name > h[j].Name }
func (h nameHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nameHeap) Push(x any)        { *h = append(*h, x.(*Inode)) }
func (h *nameHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
