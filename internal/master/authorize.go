package master

import (
	"context"
	"slices"

	"google.golang.org/grpc/metadata"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"
	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/security/authz"
)

// The master checks permissions in one place: mutate (after prepare,
// under the operation's path locks, before anything is journaled) and the
// read handlers, through authorize. Checks read the applied state and the
// caller only, never a clock or the under storage, so the replicas need
// not repeat them: a journaled entry was allowed.

// authorizer holds the permission settings: alluxio.security.
// authorization.permission.{enabled,supergroup}, the superuser (the user
// that runs the masters) and the group mapping, the process's only one:
// the authenticator's impersonation rules and the audit log use it too.
type authorizer struct {
	enabled    bool
	superUser  string
	superGroup string
	groups     authz.GroupMapping
}

func newAuthorizer(cfg *Config) *authorizer {
	var g authz.GroupMapping = &authz.CachedGroups{Next: authz.OSGroups{}, TTL: cfg.GroupCacheTimeout}
	if len(cfg.StaticGroups) > 0 {
		g = authz.StaticGroups{Users: cfg.StaticGroups, Next: g}
	}
	return &authorizer{enabled: cfg.PermissionEnabled, superUser: cfg.SuperUser, superGroup: cfg.SuperGroup, groups: g}
}

// anonymous is the user of a client call that names none: it gets what
// the other bits give.
const anonymous = "anonymous"

// callerName is the user ctx's call acts as. ok is false for the master's
// own work (no client call) and for NOSASL, where nothing is checked.
func callerName(ctx context.Context) (string, bool) {
	if id, ok := security.FromContext(ctx); ok {
		return id.User, id.Authenticated()
	}
	if u := rpcmeta.User(ctx); u != "" {
		return u, true
	}
	if _, ok := metadata.FromIncomingContext(ctx); ok {
		return anonymous, true
	}
	return "", false
}

// caller is who a call comes from, found once per call.
type caller struct {
	authz.User
	// name is the user the call names ("" for the master's own work and
	// NOSASL), which capabilities are signed for.
	name string
	// checked says whether permissions are checked for the call.
	checked bool
}

// caller is the caller of ctx with its groups.
func (a *authorizer) caller(ctx context.Context) caller {
	name, ok := callerName(ctx)
	c := caller{name: name}
	if !ok || !a.enabled {
		return c
	}
	c.User = authz.User{Name: name, Groups: a.groups.Groups(name)}
	c.Super = name == a.superUser || (a.superGroup != "" && slices.Contains(c.Groups, a.superGroup))
	c.checked = true
	return c
}

// ownerGroup is who owns what ctx's caller creates: the caller and its
// primary group (its name when it has none), as in Alluxio.
func (a *authorizer) ownerGroup(ctx context.Context) (string, string) {
	name, ok := callerName(ctx)
	if !ok || name == "" {
		return a.superUser, a.superUser
	}
	if g := a.groups.Groups(name); len(g) > 0 {
		return name, g[0]
	}
	return name, name
}

// need is one permission an operation needs on one path.
type need struct {
	path string
	// parent is wanted on the directory the entry is made in or removed
	// from, self on the inode itself; execute on every ancestor always.
	parent, self authz.Perm
	// sticky: removing or renaming the entry out of its parent, which a
	// sticky directory allows only to the entry's or its own owner.
	sticky bool
	// owner: only the owner of the inode (of every inode below it, with
	// subtree) or a superuser.
	owner   bool
	subtree bool
	// below is wanted on every directory at and below path (HDFS's
	// subAccess): rwx for a recursive delete of a directory with entries,
	// r-x for a recursive listing.
	below authz.Perm
	// super names what only a superuser may do, "" for nothing.
	super string
	// ifMissing limits parent to a path that does not exist yet (mkdir
	// -p of a directory that exists needs only to reach it).
	ifMissing bool
	// group, when set, is a group the caller gives the inode (chgrp): it
	// must belong to it.
	group string
}

// authorize allows the operation described by needs for c, or returns
// the first denial.
func (fs *fileSystem) authorize(c caller, needs ...need) error {
	if !c.checked || c.Super {
		return nil
	}
	u := c.User
	for _, nd := range needs {
		if nd.super != "" {
			if err := authz.CheckSuper(u, nd.super); err != nil {
				return err
			}
		}
		p := fs.st.PermPath(nd.path)
		parent := nd.parent
		if nd.ifMissing && p.Exists {
			parent = 0
		}
		if err := authz.Check(u, p, parent, nd.self); err != nil {
			return err
		}
		target, exists := p.Target()
		if nd.sticky && exists {
			if dir, ok := p.Parent(); ok {
				if err := authz.CheckSticky(u, nd.path, dir, target); err != nil {
					return err
				}
			}
		}
		if nd.owner && exists {
			if err := fs.checkOwners(u, nd.path, target, nd.subtree); err != nil {
				return err
			}
		}
		if nd.below != 0 && exists {
			if err := fs.checkBelow(u, nd.path, nd.below); err != nil {
				return err
			}
		}
		if nd.group != "" {
			if err := authz.CheckGroup(u, nd.path, nd.group); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkBelow requires want on every directory at and below path. An empty
// directory needs nothing (it is removed with its parent's permission).
func (fs *fileSystem) checkBelow(u authz.User, path string, want authz.Perm) error {
	var denied error
	_ = fs.st.Walk(path, func(p string, in *state.Inode) {
		if denied != nil || !in.IsDir || (want&authz.Write != 0 && in.HasNoChildren()) {
			return
		}
		n := authz.Node{Name: in.Name, Owner: in.Owner, Group: in.Group, Mode: in.Mode, ACL: in.ACL}
		if !authz.Allowed(u, n, want) {
			denied = authz.Denied(u, want, p, n)
		}
	})
	return denied
}

// checkOwners requires u to own n (and, with subtree, everything below).
func (fs *fileSystem) checkOwners(u authz.User, path string, n authz.Node, subtree bool) error {
	if err := authz.CheckOwner(u, path, n); err != nil || !subtree {
		return err
	}
	var denied error
	_ = fs.st.Walk(path, func(p string, in *state.Inode) {
		if denied == nil && in.Owner != u.Name {
			denied = authz.CheckOwner(u, p, authz.Node{Owner: in.Owner})
		}
	})
	return denied
}

// removeNeed is what a delete needs: write and execute on the parent (the
// sticky bit respected) and, recursively, on every directory below with
// entries, as HDFS asks, so that nobody removes what others keep in
// directories he may not change.
func removeNeed(path string, recursive bool) need {
	nd := need{path: path, parent: authz.Write | authz.Exec, sticky: true}
	if recursive {
		nd.below = authz.All
	}
	return nd
}

// setAttributeNeeds is what a SetAttribute needs, as in HDFS: chmod and
// chgrp the owner (of everything below, with -R), chgrp a group the owner
// belongs to, chown a superuser, the other attributes write permission.
func setAttributeNeeds(path string, req *alluxiopb.SetAttributeRequest) []need {
	out := []need{{path: path}}
	if req.Mode != nil || req.Group != nil {
		out = append(out, need{path: path, owner: true, subtree: req.Recursive})
	}
	if req.Group != nil {
		out = append(out, need{path: path, group: *req.Group})
	}
	if req.Owner != nil {
		out = append(out, need{path: path, super: "chown " + path})
	}
	if req.Pinned != nil || req.Ttl != nil || req.TtlAction != nil || req.ModificationTimeMs != nil || len(req.Xattr) > 0 || req.XattrReplaceAll {
		out = append(out, need{path: path, self: authz.Write})
	}
	return out
}

// authorizeRead allows a read of path: execute on the ancestors and, for
// a listing of a directory, read on it (on every directory below, for a
// recursive one).
func (fs *fileSystem) authorizeRead(c caller, path string, list, recursive bool) error {
	if !list {
		return fs.authorize(c, need{path: path})
	}
	if n, err := fs.st.Stat(path); err == nil && n.IsDir {
		nd := need{path: path, self: authz.Read | authz.Exec}
		if recursive {
			nd.below = authz.Read | authz.Exec
		}
		return fs.authorize(c, nd)
	}
	return fs.authorize(c, need{path: path})
}
