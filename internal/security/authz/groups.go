package authz

import (
	"fmt"
	"os/user"
	"strings"
	"sync"
	"time"
)

// GroupMapping says which groups a user belongs to, primary group first.
// It must be safe for concurrent use; an unknown user has no groups (and
// no error: like HDFS, a name the OS does not know simply gets the other
// bits).
type GroupMapping interface {
	Groups(user string) []string
}

// OSGroups asks the operating system (its user and group databases, NSS
// included) for a user's groups, as Alluxio's ShellBasedUnixGroupsMapping
// does with `id -gn; id -Gn`.
type OSGroups struct{}

// Groups lists the OS groups of name, primary first.
func (OSGroups) Groups(name string) []string {
	u, err := user.Lookup(name)
	if err != nil {
		return nil
	}
	ids, err := u.GroupIds()
	if err != nil {
		ids = []string{u.Gid}
	}
	out := make([]string, 0, len(ids))
	add := func(gid string) {
		g, err := user.LookupGroupId(gid)
		if err != nil {
			return
		}
		for _, have := range out {
			if have == g.Name {
				return
			}
		}
		out = append(out, g.Name)
	}
	add(u.Gid)
	for _, id := range ids {
		add(id)
	}
	return out
}

// StaticGroups maps the users it names to fixed groups and asks Next
// about the others, like Hadoop's
// hadoop.user.group.static.mapping.overrides: for service and test users
// the OS does not know.
type StaticGroups struct {
	Users map[string][]string
	Next  GroupMapping
}

// Groups returns the fixed groups of name, else Next's answer.
func (s StaticGroups) Groups(name string) []string {
	if g, ok := s.Users[name]; ok {
		return g
	}
	if s.Next == nil {
		return nil
	}
	return s.Next.Groups(name)
}

// ParseStaticGroups reads "user1=group1,group2;user2=;user3=group3": users
// separated by ';', each with its groups, primary first.
func ParseStaticGroups(text string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, item := range strings.Split(text, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, groups, ok := strings.Cut(item, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("group mapping %q: want user=group1,group2", item)
		}
		var gs []string
		for _, g := range strings.Split(groups, ",") {
			if g = strings.TrimSpace(g); g != "" {
				gs = append(gs, g)
			}
		}
		out[name] = gs
	}
	return out, nil
}

// CachedGroups remembers another mapping's answers for TTL
// (alluxio.security.group.mapping.cache.timeout), since asking the OS may
// take a directory server's round trip. A TTL of zero or less asks every
// time.
type CachedGroups struct {
	Next GroupMapping
	TTL  time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]cachedGroups
}

type cachedGroups struct {
	groups []string
	at     time.Time
}

// maxCachedUsers bounds the cache: past it, entries are dropped all at
// once (a cluster has far fewer users; this only guards memory against a
// flood of invented names).
const maxCachedUsers = 1 << 16

// Groups returns the cached groups of name, asking Next when they are
// missing or older than TTL.
func (c *CachedGroups) Groups(name string) []string {
	if c.TTL <= 0 {
		return c.Next.Groups(name)
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	t := now()
	c.mu.Lock()
	e, ok := c.cache[name]
	c.mu.Unlock()
	if ok && t.Sub(e.at) < c.TTL {
		return e.groups
	}
	g := c.Next.Groups(name)
	c.mu.Lock()
	if c.cache == nil || len(c.cache) >= maxCachedUsers {
		c.cache = map[string]cachedGroups{}
	}
	c.cache[name] = cachedGroups{groups: g, at: t}
	c.mu.Unlock()
	return g
}
