package security

import (
	"fmt"
	"os/user"
)

// OSGroups is the GroupMapping of the operating system: a user's primary
// group first, then the others it belongs to. A user the OS does not know
// is in no group. It caches nothing: callers on a hot path (permission
// checks) wrap it in a cache of alluxio.security.group.mapping.cache.timeout.
type OSGroups struct{}

// Groups implements GroupMapping.
func (OSGroups) Groups(name string) ([]string, error) {
	u, err := user.Lookup(name)
	if err != nil {
		if _, unknown := err.(user.UnknownUserError); unknown {
			return nil, nil
		}
		return nil, fmt.Errorf("groups of %s: %w", name, err)
	}
	ids, err := u.GroupIds()
	if err != nil {
		return nil, fmt.Errorf("groups of %s: %w", name, err)
	}
	out := make([]string, 0, len(ids))
	add := func(gid string) {
		if g, err := user.LookupGroupId(gid); err == nil {
			out = append(out, g.Name)
		}
	}
	add(u.Gid)
	for _, id := range ids {
		if id != u.Gid {
			add(id)
		}
	}
	return out, nil
}
