package state

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/blockid"
)

// These scans serve the block master's once-a-second questions. They walk
// every inode (ProtectedFiles only when an entry changed the state since
// its last walk); an index kept by Apply replaces them when namespaces
// grow past a few million files.

// ProtectedFiles lists the files whose cached blocks workers must not
// evict: pinned files, and files whose data is not in the under storage yet
// (being written, MUST_CACHE, or waiting for an asynchronous persist), for
// which the cache holds the only copy.
//
// Every worker asks on every heartbeat, so the answer is kept until an
// entry is applied: an idle namespace is walked once, not once per
// heartbeat. The slice is shared by the callers, who must not change it.
func (s *State) ProtectedFiles() []int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := &s.protected
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.valid && c.seq == s.lastSeq && c.restores == s.restores {
		return c.ids
	}
	var out []int64
	for id, n := range s.byID {
		if !n.IsDir && (n.Pinned || !n.Persisted()) {
			out = append(out, id)
		}
	}
	c.ids, c.seq, c.restores, c.valid = out, s.lastSeq, s.restores, true
	return out
}

// protectedCache is ProtectedFiles' answer as of one entry. Its own lock
// lets readers that share the State's read lock fill it.
type protectedCache struct {
	mu       sync.Mutex
	valid    bool
	seq      uint64
	restores uint64
	ids      []int64
}

// ToBePersisted lists complete files waiting for an asynchronous persist.
func (s *State) ToBePersisted() []Entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Entry
	for _, n := range s.byID {
		if !n.IsDir && n.Completed && n.Persistence == journalpb.PersistenceState_TO_BE_PERSISTED && !s.hasPendingPublish(n.ID) {
			out = append(out, Entry{Path: s.pathOf(n), Inode: n.copyOut()})
		}
	}
	return out
}

// BlockLive reports whether a block id belongs to a complete file that still
// has that block, so a worker's copy of anything else can be dropped.
func (s *State) BlockLive(id int64) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, ok := s.byID[blockid.FileID(id)]
	if !ok || n.IsDir {
		return false
	}
	if !n.Completed {
		// Blocks of a file being written are live until it completes.
		return true
	}
	return n.BlockSize > 0 && int64(blockid.Index(id))*n.BlockSize < n.Length
}

// Digest is a hash of everything Apply decides (every inode's fields, the
// mount table, the pending under storage intents) with the sequence it was taken at, so replicas can be compared
// without shipping their namespaces. The retry cache is left out: it only
// answers retries.
func (s *State) Digest() (seq uint64, inodes int, sum string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	h := sha256.New()
	var walk func(n *Inode, path string)
	walk = func(n *Inode, path string) {
		c := n.copyOut()
		// The ACLs are pointers, which %+v would print as addresses.
		acl, def := c.ACL, c.DefaultACL
		c.ACL, c.DefaultACL = nil, nil
		fmt.Fprintf(h, "%s|%+v", path, c)
		if acl != nil {
			fmt.Fprintf(h, "|acl=%+v", *acl)
		}
		if def != nil {
			fmt.Fprintf(h, "|default=%+v", *def)
		}
		h.Write([]byte("\n"))
		for _, k := range n.sortedChildren() {
			walk(k, path+"/"+k.Name)
		}
	}
	walk(s.root, "")
	for _, m := range s.mounts.list() {
		fmt.Fprintf(h, "mount|%s|%s|%v|%v\n", m.AlluxioPath, m.UfsURI, m.ReadOnly, m.Shared)
	}
	for _, in := range s.intents.sorted(nil) {
		b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(in)
		fmt.Fprintf(h, "intent|%x\n", b)
	}
	fmt.Fprintf(h, "cluster|%s\n", s.clusterID)
	for _, root := range slices.Sorted(maps.Keys(s.ufsModes)) {
		fmt.Fprintf(h, "ufsmode|%s|%s\n", root, s.ufsModes[root])
	}
	for _, k := range s.keys {
		fmt.Fprintf(h, "blockkey|%d|%d|%x\n", k.ID, k.ExpiresMs, sha256.Sum256(k.Secret))
	}
	return s.lastSeq, len(s.byID), hex.EncodeToString(h.Sum(nil))
}
