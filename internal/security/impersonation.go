package security

import (
	"slices"
	"strings"

	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// GroupMapping resolves a user's groups, primary group first; a user it
// does not know has none. It is called from many goroutines at once. A
// master passes the one mapping its permission checks use
// (authz.CachedGroups over alluxio.security.group.mapping.*), so that an
// impersonation's .groups rule and a permission check agree on a user's
// groups.
type GroupMapping interface {
	Groups(user string) []string
}

// ImpersonationPrefix starts the master keys that allow impersonation:
// alluxio.master.security.impersonation.<user>.users and .groups.
const ImpersonationPrefix = conf.ImpersonationPrefix

// Impersonation is who may act for whom:
// alluxio.master.security.impersonation.<user>.users (a comma list of
// users, or *) and .groups (a comma list of groups, or *: the impersonated
// user must be in one of them). Nothing is allowed unless configured. The
// zero value allows nothing. It is read-only after it is built, so any
// number of goroutines may use it.
type Impersonation struct {
	rules map[string]*impRule
}

type impRule struct {
	allUsers, allGroups bool
	users, groups       []string
}

// ParseImpersonation builds the policy from the key/value pairs of the
// configuration whose names start with ImpersonationPrefix; other keys are
// ignored. A name that is not <user>.users or <user>.groups is an error
// naming it.
func ParseImpersonation(props map[string]string) (*Impersonation, error) {
	p := &Impersonation{rules: map[string]*impRule{}}
	for k, v := range props {
		rest, ok := strings.CutPrefix(k, ImpersonationPrefix)
		if !ok {
			continue
		}
		user, kind, ok := cutLast(rest, ".")
		if !ok || user == "" || (kind != "users" && kind != "groups") {
			return nil, errs.New(errs.ErrInvalidArg, "%s: want %s<user>.users or %s<user>.groups", k, ImpersonationPrefix, ImpersonationPrefix)
		}
		r := p.rules[user]
		if r == nil {
			r = &impRule{}
			p.rules[user] = r
		}
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			switch {
			case item == "":
			case item == "*" && kind == "users":
				r.allUsers = true
			case item == "*":
				r.allGroups = true
			case kind == "users":
				r.users = append(r.users, item)
			default:
				r.groups = append(r.groups, item)
			}
		}
	}
	return p, nil
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+len(sep):], true
}

// Check returns nil when impersonator may act for user, else an
// ErrPermission naming both and the keys that would allow it. groups is
// asked for user's groups only when a .groups rule needs them.
func (p *Impersonation) Check(impersonator, user string, groups GroupMapping) error {
	if impersonator == user {
		return nil
	}
	var r *impRule
	if p != nil {
		r = p.rules[impersonator]
	}
	if r == nil {
		return errs.New(errs.ErrPermission, "user %s may not impersonate %s: no impersonation is configured for %s "+
			"(set %s%s.users or .groups on the masters)", impersonator, user, impersonator, ImpersonationPrefix, impersonator)
	}
	if r.allUsers || r.allGroups || slices.Contains(r.users, user) {
		return nil
	}
	if len(r.groups) > 0 && groups != nil {
		for _, g := range groups.Groups(user) {
			if slices.Contains(r.groups, g) {
				return nil
			}
		}
	}
	return errs.New(errs.ErrPermission, "user %s may not impersonate %s: %s%s.users (%s) does not name %s "+
		"and .groups (%s) holds none of its groups", impersonator, user, ImpersonationPrefix, impersonator,
		strings.Join(r.users, ","), user, strings.Join(r.groups, ","))
}
