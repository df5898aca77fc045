package authz

import (
	"fmt"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// Path is what a check knows of the path an operation names: the inodes
// along it, root first, as far as they exist.
type Path struct {
	// Path is the operation's path, as denials name it.
	Path  string
	Nodes []Node
	// Exists says whether the last of Nodes is the inode at Path itself
	// (else it is the deepest ancestor that exists).
	Exists bool
}

// Target is the inode at Path, when it exists.
func (p Path) Target() (Node, bool) {
	if !p.Exists || len(p.Nodes) == 0 {
		return Node{}, false
	}
	return p.Nodes[len(p.Nodes)-1], true
}

// Parent is the directory an entry at Path is made in or removed from: the
// parent when it exists, else the deepest ancestor that does (HDFS checks
// mkdir -p there).
func (p Path) Parent() (Node, bool) {
	n := len(p.Nodes)
	if p.Exists {
		n--
	}
	if n <= 0 {
		return Node{}, false
	}
	return p.Nodes[n-1], true
}

// Check allows the operation when u may traverse to Path (execute on every
// ancestor), has parent on the parent (see Parent) and self on the inode
// itself when it exists. It checks in that order and returns the first
// denial, in Alluxio's words. A path through a file (reached through
// directories u may search) is left to fail as a missing one.
func Check(u User, p Path, parent, self Perm) error {
	if u.Super {
		return nil
	}
	ancestors := len(p.Nodes)
	if p.Exists {
		ancestors--
	}
	for _, n := range p.Nodes[:max(ancestors, 0)] {
		if n.File {
			// Nothing is below a file: the operation fails as POSIX
			// says (not a directory, no such file), not with a denial
			// of a search no one can make in a file.
			return nil
		}
		if !Allowed(u, n, Exec) {
			return Denied(u, Exec, p.Path, n)
		}
	}
	if parent != 0 {
		if n, ok := p.Parent(); ok && !Allowed(u, n, parent) {
			return Denied(u, parent, p.Path, n)
		}
	}
	if self != 0 {
		if n, ok := p.Target(); ok && !Allowed(u, n, self) {
			return Denied(u, self, p.Path, n)
		}
	}
	return nil
}

// Denied is the denial of want on n for u, in Alluxio's shape.
func Denied(u User, want Perm, path string, n Node) error {
	name := n.Name
	if name == "" {
		name = "/"
	}
	return errs.Bare(errs.ErrPermission, fmt.Sprintf(
		"Permission denied: user=%s, access=%s, path=%s: failed at %s, inode owner=%s, inode group=%s, inode mode=%s",
		u.Name, want, path, name, n.Owner, n.Group, ModeString(n.Mode)))
}

// CheckSticky allows removing or renaming child out of dir unless dir has
// the sticky bit and u owns neither (nor is a superuser).
func CheckSticky(u User, path string, dir, child Node) error {
	if u.Super || dir.Mode&Sticky == 0 || u.Name == dir.Owner || u.Name == child.Owner {
		return nil
	}
	return errs.Bare(errs.ErrPermission, fmt.Sprintf(
		"Permission denied by sticky bit: user=%s, path=%s, parent owner=%s, inode owner=%s", u.Name, path, dir.Owner, child.Owner))
}

// CheckOwner allows what only n's owner or a superuser may do (chmod,
// chgrp, setfacl).
func CheckOwner(u User, path string, n Node) error {
	if u.Super || u.Name == n.Owner {
		return nil
	}
	return errs.Bare(errs.ErrPermission, fmt.Sprintf("Permission denied: user=%s is not the owner of path=%s", u.Name, path))
}

// CheckSuper allows what only a superuser may do (chown, mount).
func CheckSuper(u User, what string) error {
	if u.Super {
		return nil
	}
	return errs.Bare(errs.ErrPermission, fmt.Sprintf("Permission denied: user=%s is not a super user or in super group (%s)", u.Name, what))
}

// CheckGroup allows the owner to give n to group only when the owner
// belongs to it (HDFS's chgrp rule); a superuser may give any group.
func CheckGroup(u User, path, group string) error {
	if u.Super || u.InGroup(group) {
		return nil
	}
	return errs.Bare(errs.ErrPermission, fmt.Sprintf("Permission denied: user=%s is not a member of group=%s (chgrp of path=%s)", u.Name, group, path))
}
