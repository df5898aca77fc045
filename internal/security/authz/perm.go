package authz

import (
	"slices"
	"strings"
)

// Perm is a set of the three POSIX permissions.
type Perm uint8

// The permissions, as in a mode's octal digit.
const (
	Exec  Perm = 1
	Write Perm = 2
	Read  Perm = 4
	All        = Read | Write | Exec
)

// String is the permission as ls shows it: "rwx", "-w-", "---".
func (p Perm) String() string {
	b := []byte("---")
	if p&Read != 0 {
		b[0] = 'r'
	}
	if p&Write != 0 {
		b[1] = 'w'
	}
	if p&Exec != 0 {
		b[2] = 'x'
	}
	return string(b)
}

// ParsePerm reads "rwx", "r-x", "---" (exactly three characters), or the
// shorter forms setfacl takes ("rw", "x", "").
func ParsePerm(s string) (Perm, bool) {
	if len(s) == 3 && strings.Trim(s, "rwx-") == "" {
		var p Perm
		for i, want := range "rwx" {
			switch rune(s[i]) {
			case want:
				p |= Perm(4 >> i)
			case '-':
			default:
				return 0, false
			}
		}
		return p, true
	}
	var p Perm
	for _, c := range s {
		var bit Perm
		switch c {
		case 'r':
			bit = Read
		case 'w':
			bit = Write
		case 'x':
			bit = Exec
		default:
			return 0, false
		}
		if p&bit != 0 {
			return 0, false
		}
		p |= bit
	}
	return p, true
}

// Sticky is the sticky bit of a mode: in a directory that has it, only
// the owner of an entry, the owner of the directory or a superuser may
// delete or rename the entry.
const Sticky uint32 = 0o1000

// ModeString is a mode as ls shows it, without the file type: nine
// characters, the last one 't' or 'T' when the sticky bit is set.
func ModeString(mode uint32) string {
	s := Perm(mode>>6&7).String() + Perm(mode>>3&7).String() + Perm(mode&7).String()
	if mode&Sticky != 0 {
		last := byte('T')
		if mode&1 != 0 {
			last = 't'
		}
		s = s[:8] + string(last)
	}
	return s
}

// User is the one asking: its name, the groups it belongs to, and whether
// it is a superuser (the user that runs the masters, or a member of the
// supergroup), for whom every check passes.
type User struct {
	Name   string
	Groups []string
	Super  bool
}

// InGroup reports whether u belongs to group g.
func (u User) InGroup(g string) bool { return slices.Contains(u.Groups, g) }

// Node is what a check needs of one inode: a copy, or a view the caller
// keeps unchanged while it checks.
type Node struct {
	// Name is the inode's name, "" for the root.
	Name  string
	Owner string
	Group string
	// Mode holds the permission bits and the sticky bit. With an ACL its
	// group bits are the ACL's mask, as in POSIX.
	Mode uint32
	// ACL is the extended access ACL, nil for none.
	ACL *ACL
	// File marks an inode that is no directory: a path through it names
	// nothing.
	File bool
}

// Allowed reports whether u may do want to n, by POSIX's order: the owner
// by the owner bits; a named user by its entry (masked); a member of the
// owning group or of a named group when one of those entries grants all of
// want (masked); everyone else by the other bits.
func Allowed(u User, n Node, want Perm) bool {
	if u.Super {
		return true
	}
	if u.Name == n.Owner {
		return Perm(n.Mode>>6)&want == want
	}
	if n.ACL == nil {
		if u.InGroup(n.Group) {
			return Perm(n.Mode>>3)&want == want
		}
		return Perm(n.Mode)&want == want
	}
	mask := Perm(n.Mode >> 3 & 7)
	if e, ok := find(n.ACL.Users, u.Name); ok {
		return e.Perm&mask&want == want
	}
	member := false
	if u.InGroup(n.Group) {
		member = true
		if n.ACL.GroupPerm&mask&want == want {
			return true
		}
	}
	for _, e := range n.ACL.Groups {
		if u.InGroup(e.Name) {
			member = true
			if e.Perm&mask&want == want {
				return true
			}
		}
	}
	if member {
		return false
	}
	return Perm(n.Mode)&want == want
}
