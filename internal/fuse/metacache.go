package fuse

import (
	"container/list"
	"strings"
	"sync"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

// metaCache keeps file attributes by Alluxio path for a while, so stat
// calls do not each cost a master round trip
// (alluxio.user.metadata.cache.*). It holds only what exists; this mount's
// own changes drop or replace what they touch, and everything else is
// at most Expiration old. A nil *metaCache caches nothing.
type metaCache struct {
	max    int
	ttl    time.Duration
	now    func() time.Time
	mu     sync.Mutex
	byPath map[string]*list.Element
	lru    *list.List // of *metaEntry, most recent first
}

type metaEntry struct {
	path    string
	info    *client.FileInfo
	expires time.Time
}

func newMetaCache(c MetadataCacheConfig) *metaCache {
	if !c.Enabled {
		return nil
	}
	return &metaCache{max: c.MaxSize, ttl: c.Expiration, now: time.Now, byPath: map[string]*list.Element{}, lru: list.New()}
}

// get returns the cached attributes of path, if fresh.
func (c *metaCache) get(path string) *client.FileInfo {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byPath[path]
	if !ok {
		return nil
	}
	e := el.Value.(*metaEntry)
	if c.now().After(e.expires) {
		c.lru.Remove(el)
		delete(c.byPath, path)
		return nil
	}
	c.lru.MoveToFront(el)
	return e.info
}

// put remembers info as path's attributes, evicting the least recently
// used entry beyond the size bound. A file still being written is not
// kept: its length changes until it completes.
func (c *metaCache) put(path string, info *client.FileInfo) {
	if c == nil || info == nil || (!info.IsDir && !info.Completed) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	exp := c.now().Add(c.ttl)
	if el, ok := c.byPath[path]; ok {
		e := el.Value.(*metaEntry)
		e.info, e.expires = info, exp
		c.lru.MoveToFront(el)
		return
	}
	c.byPath[path] = c.lru.PushFront(&metaEntry{path: path, info: info, expires: exp})
	for c.lru.Len() > c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.byPath, old.Value.(*metaEntry).path)
	}
}

// drop forgets path.
func (c *metaCache) drop(path string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byPath[path]; ok {
		c.lru.Remove(el)
		delete(c.byPath, path)
	}
}

// touched records that path, a cached directory, was modified at mod by
// this mount (a file made in it): its attributes stay cached, with that
// modification time if it is later than theirs, and expire when they
// would have.
func (c *metaCache) touched(path string, mod time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byPath[path]
	if !ok {
		return
	}
	e := el.Value.(*metaEntry)
	if !e.info.IsDir || !mod.After(e.info.Modified) {
		return
	}
	// Callers may hold the old attributes: they are not changed.
	info := *e.info
	info.Modified = mod
	e.info = &info
}

// dropTree forgets path and everything below it (a renamed or deleted
// directory). It walks the whole cache, which is bounded by max.
func (c *metaCache) dropTree(path string) {
	if c == nil {
		return
	}
	prefix := strings.TrimSuffix(path, "/") + "/"
	c.mu.Lock()
	defer c.mu.Unlock()
	for p, el := range c.byPath {
		if p == path || strings.HasPrefix(p, prefix) {
			c.lru.Remove(el)
			delete(c.byPath, p)
		}
	}
}

// len is the number of entries, for tests.
func (c *metaCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
