//go:build unix

package local

import (
	"os"
	"os/user"
	"strconv"
	"sync"
	"syscall"
)

// idNames caches id-to-name lookups, which can mean a call to LDAP through
// NSS, because List asks for the same few ids once per entry. Names of
// accounts seldom change, so entries never expire.
type idNames struct {
	mu     sync.Mutex
	users  map[uint32]string
	groups map[uint32]string
}

// owner returns the names of the owner and group of info, or their ids in
// decimal when this machine does not know them.
func (c *idNames) owner(info os.FileInfo) (string, string) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return "", ""
	}
	return c.name(&c.users, st.Uid, lookupUserName), c.name(&c.groups, st.Gid, lookupGroupName)
}

func (c *idNames) name(cache *map[uint32]string, id uint32, lookup func(string) (string, error)) string {
	c.mu.Lock()
	n, ok := (*cache)[id]
	c.mu.Unlock()
	if ok {
		return n
	}
	// Look up unlocked: a slow directory service must not stall other
	// listings. Two goroutines may both look the same id up; both agree.
	n = strconv.FormatUint(uint64(id), 10)
	if name, err := lookup(n); err == nil {
		n = name
	}
	c.mu.Lock()
	if *cache == nil {
		*cache = map[uint32]string{}
	}
	(*cache)[id] = n
	c.mu.Unlock()
	return n
}

func lookupUserName(uid string) (string, error) {
	u, err := user.LookupId(uid)
	if err != nil {
		return "", err
	}
	return u.Username, nil
}

func lookupGroupName(gid string) (string, error) {
	g, err := user.LookupGroupId(gid)
	if err != nil {
		return "", err
	}
	return g.Name, nil
}

// lookupUID returns the uid of a user name or decimal id, or -1.
func lookupUID(name string) int {
	if u, err := user.Lookup(name); err == nil {
		return atoiOr(u.Uid, -1)
	}
	return atoiOr(name, -1)
}

// lookupGID returns the gid of a group name or decimal id, or -1.
func lookupGID(name string) int {
	if g, err := user.LookupGroup(name); err == nil {
		return atoiOr(g.Gid, -1)
	}
	return atoiOr(name, -1)
}

func atoiOr(s string, def int) int {
	n, err := strconv.ParseUint(s, 10, 31)
	if err != nil {
		return def
	}
	return int(n)
}
