package fuse

import (
	"os"
	"os/user"
	"strconv"
	"sync"
)

// owners turns the owner and group names the master keeps into the uid
// and gid the kernel shows, and back for chown. Lookups of the local user
// database are cached: ls -l asks for every file.
type owners struct {
	translate bool
	uid, gid  uint32 // the mounting process's, shown without translation
	mu        sync.Mutex
	uids      map[string]uint32
	gids      map[string]uint32
	names     map[uint32]string
}

func newOwners(translate bool) *owners {
	return &owners{translate: translate, uid: uint32(os.Getuid()), gid: uint32(os.Getgid()),
		uids: map[string]uint32{}, gids: map[string]uint32{}, names: map[uint32]string{}}
}

// userName is the local user name of uid, or the uid in decimal when the
// system does not know it (a name no impersonation rule lists by accident).
func (o *owners) userName(uid uint32) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if n, ok := o.names[uid]; ok {
		return n
	}
	id := strconv.FormatUint(uint64(uid), 10)
	n := id
	if u, err := user.LookupId(id); err == nil {
		n = u.Username
	}
	o.names[uid] = n
	return n
}

// ids returns the uid and gid to show for an owner and a group. Without
// translation (Alluxio's default) every file is the mounting process's;
// with it, names the local system does not know show as that too, unless
// they are numbers.
func (o *owners) ids(owner, group string) (uint32, uint32) {
	if !o.translate {
		return o.uid, o.gid
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	uid, ok := o.uids[owner]
	if !ok {
		uid = lookupID(owner, o.uid, func(n string) (string, error) {
			u, err := user.Lookup(n)
			if err != nil {
				return "", err
			}
			return u.Uid, nil
		})
		o.uids[owner] = uid
	}
	gid, ok := o.gids[group]
	if !ok {
		gid = lookupID(group, o.gid, func(n string) (string, error) {
			g, err := user.LookupGroup(n)
			if err != nil {
				return "", err
			}
			return g.Gid, nil
		})
		o.gids[group] = gid
	}
	return uid, gid
}

func lookupID(name string, def uint32, lookup func(string) (string, error)) uint32 {
	if name == "" {
		return def
	}
	s, err := lookup(name)
	if err != nil {
		s = name // a numeric owner, as chown to an unknown uid records it
	}
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(n)
	}
	return def
}

// userName is the name chown records for uid: the local user's name, or
// the number when the system knows no such user.
func userName(uid uint32) string {
	s := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(s); err == nil {
		return u.Username
	}
	return s
}

// groupName is userName for groups.
func groupName(gid uint32) string {
	s := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(s); err == nil {
		return g.Name
	}
	return s
}
