package authz

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Entry is one named entry of an ACL: a user or group and its permission.
type Entry struct {
	Name string
	Perm Perm
}

// ACL is an inode's extended access ACL: what the mode bits cannot say.
// The owner's and others' entries are the mode's owner and other bits, and
// the mask is the mode's group bits (POSIX keeps them there so that chmod
// and tools unaware of ACLs still work). An ACL is never changed in place:
// every change builds a new one, so copies of an inode may share it.
type ACL struct {
	// Users and Groups are the named entries, sorted by name.
	Users  []Entry
	Groups []Entry
	// GroupPerm is the owning group's entry.
	GroupPerm Perm
}

// DefaultACL is a directory's default ACL: the access ACL and mode bits
// its new children start from (new directories also inherit it as their
// own default).
type DefaultACL struct {
	Owner, Group, Other Perm
	// Mask is the default mask; HasMask says whether it is set (it is
	// computed when named entries exist and no mask was given).
	Mask    Perm
	HasMask bool
	Users   []Entry
	Groups  []Entry
}

func find(es []Entry, name string) (Entry, bool) {
	i, ok := slices.BinarySearchFunc(es, name, func(e Entry, n string) int { return cmp.Compare(e.Name, n) })
	if !ok {
		return Entry{}, false
	}
	return es[i], true
}

// Kind is what an ACL entry is about.
type Kind uint8

// The kinds of ACL entries, as setfacl names them.
const (
	KindUser Kind = iota + 1
	KindGroup
	KindMask
	KindOther
)

// Spec is one entry of a setfacl command: "user:bob:rw-",
// "default:group::r-x", "mask::rwx", or, for removals, "user:bob".
type Spec struct {
	Default bool
	Kind    Kind
	// Name is the named user or group, "" for the owner's, the owning
	// group's, the mask's and others' entries.
	Name string
	Perm Perm
}

func (s Spec) String() string {
	var b strings.Builder
	if s.Default {
		b.WriteString("default:")
	}
	b.WriteString([...]string{"", "user", "group", "mask", "other"}[s.Kind])
	b.WriteString(":" + s.Name + ":" + s.Perm.String())
	return b.String()
}

// ParseSpecs reads setfacl's comma-separated entries. withPerm says
// whether each must carry a permission (-m, --set) or may not (-x).
func ParseSpecs(text string, withPerm bool) ([]Spec, error) {
	var out []Spec
	for _, one := range strings.Split(text, ",") {
		s, err := parseSpec(strings.TrimSpace(one), withPerm)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func parseSpec(text string, withPerm bool) (Spec, error) {
	var s Spec
	rest := text
	if r, ok := strings.CutPrefix(rest, "default:"); ok {
		s.Default, rest = true, r
	}
	parts := strings.Split(rest, ":")
	switch parts[0] {
	case "user", "u":
		s.Kind = KindUser
	case "group", "g":
		s.Kind = KindGroup
	case "mask", "m":
		s.Kind = KindMask
	case "other", "o":
		s.Kind = KindOther
	default:
		return Spec{}, fmt.Errorf("ACL entry %q: want user:, group:, mask: or other: (with default: in front for a default entry)", text)
	}
	want := 2
	if withPerm {
		want = 3
	}
	if len(parts) != want {
		form := "TYPE:NAME"
		if withPerm {
			form = "TYPE:NAME:PERMISSION"
		}
		return Spec{}, fmt.Errorf("ACL entry %q: want %s (NAME may be empty)", text, form)
	}
	s.Name = parts[1]
	if s.Name != "" && (s.Kind == KindMask || s.Kind == KindOther) {
		return Spec{}, fmt.Errorf("ACL entry %q: a %s entry has no name", text, parts[0])
	}
	if strings.ContainsAny(s.Name, " \t\n") {
		return Spec{}, fmt.Errorf("ACL entry %q: a name cannot hold spaces", text)
	}
	if withPerm {
		p, ok := ParsePerm(parts[2])
		if !ok {
			return Spec{}, fmt.Errorf("ACL entry %q: permission %q: want r, w, x or - in rwx order", text, parts[2])
		}
		s.Perm = p
	}
	return s, nil
}

// Action is what setfacl does with its entries.
type Action uint8

// The setfacl actions, as in Alluxio's SetAclAction.
const (
	// Modify adds or changes the given entries (-m).
	Modify Action = iota + 1
	// Remove removes the given named entries (-x).
	Remove
	// RemoveAll removes every extended entry, keeping the mode (-b).
	RemoveAll
	// RemoveDefault removes the default ACL (-k).
	RemoveDefault
	// Replace sets the ACL to exactly the given entries (--set).
	Replace
)

// Perms is everything about an inode's permissions an ACL change reads
// and writes.
type Perms struct {
	Mode    uint32
	ACL     *ACL
	Default *DefaultACL
}

// full is an access or default ACL with every entry spelled out, the form
// changes work on.
type full struct {
	owner, group, other, mask Perm
	hasMask                   bool
	users, groups             []Entry
}

func (f *full) extended() bool { return len(f.users) > 0 || len(f.groups) > 0 }

func accessFull(p Perms) full {
	f := full{owner: Perm(p.Mode >> 6 & 7), group: Perm(p.Mode >> 3 & 7), other: Perm(p.Mode & 7)}
	if p.ACL != nil {
		f.mask, f.hasMask, f.group = f.group, true, p.ACL.GroupPerm
		f.users, f.groups = p.ACL.Users, p.ACL.Groups
	}
	return f
}

func defaultFull(d *DefaultACL) full {
	if d == nil {
		return full{}
	}
	return full{owner: d.Owner, group: d.Group, other: d.Other, mask: d.Mask, hasMask: d.HasMask, users: d.Users, groups: d.Groups}
}

// ChangeACL returns p after setfacl's action with specs. isDir says
// whether the inode is a directory: only directories have default ACLs.
func ChangeACL(p Perms, isDir bool, action Action, specs []Spec) (Perms, error) {
	acc, def := accessFull(p), defaultFull(p.Default)
	hadDefault := p.Default != nil
	for _, s := range specs {
		if s.Default && !isDir {
			return p, fmt.Errorf("%s: only a directory has a default ACL", s)
		}
	}
	switch action {
	case RemoveAll:
		acc = full{owner: acc.owner, group: acc.mask, other: acc.other}
		if !acc.hasMask {
			acc.group = Perm(p.Mode >> 3 & 7)
		}
		hadDefault, def = false, full{}
	case RemoveDefault:
		hadDefault, def = false, full{}
	case Modify, Remove:
		maskGiven, defMaskGiven := false, false
		for _, s := range specs {
			target := &acc
			if s.Default {
				target, hadDefault = &def, true
				defMaskGiven = defMaskGiven || s.Kind == KindMask
			} else {
				maskGiven = maskGiven || s.Kind == KindMask
			}
			if err := target.apply(s, action == Remove); err != nil {
				return p, err
			}
		}
		acc.fixMask(maskGiven)
		def.fixMask(defMaskGiven)
	case Replace:
		var seen [2][5]bool
		acc, def, hadDefault = full{}, full{}, false
		for _, s := range specs {
			target, d := &acc, 0
			if s.Default {
				target, d, hadDefault = &def, 1, true
			}
			if s.Name == "" {
				seen[d][s.Kind] = true
			}
			if err := target.apply(s, false); err != nil {
				return p, err
			}
		}
		for d, ok := range seen {
			if (d == 0 || hadDefault) && (!ok[KindUser] || !ok[KindGroup] || !ok[KindOther]) {
				return p, fmt.Errorf("--set needs the owner's (user::), the group's (group::) and others' (other::) entries%s",
					map[bool]string{true: " for the default ACL too", false: ""}[d == 1])
			}
		}
		acc.fixMask(seen[0][KindMask])
		def.fixMask(seen[1][KindMask])
	default:
		return p, fmt.Errorf("unknown ACL action %d", action)
	}
	out := Perms{Mode: p.Mode &^ 0o777}
	out.Mode |= uint32(acc.owner)<<6 | uint32(acc.other)
	if acc.extended() {
		out.Mode |= uint32(acc.mask) << 3
		out.ACL = &ACL{Users: acc.users, Groups: acc.groups, GroupPerm: acc.group}
	} else {
		out.Mode |= uint32(acc.group) << 3
	}
	if hadDefault {
		out.Default = &DefaultACL{Owner: def.owner, Group: def.group, Other: def.other, Mask: def.mask, HasMask: def.hasMask,
			Users: def.users, Groups: def.groups}
	}
	return out, nil
}

// apply sets (or removes) one entry, copying the slice it changes.
func (f *full) apply(s Spec, remove bool) error {
	var list *[]Entry
	switch {
	case s.Kind == KindUser && s.Name != "":
		list = &f.users
	case s.Kind == KindGroup && s.Name != "":
		list = &f.groups
	case remove:
		return fmt.Errorf("%s: only named user and group entries can be removed (use -b to remove all)", s)
	case s.Kind == KindUser:
		f.owner = s.Perm
		return nil
	case s.Kind == KindGroup:
		f.group = s.Perm
		return nil
	case s.Kind == KindMask:
		f.mask, f.hasMask = s.Perm, true
		return nil
	default:
		f.other = s.Perm
		return nil
	}
	out := slices.DeleteFunc(slices.Clone(*list), func(e Entry) bool { return e.Name == s.Name })
	if !remove {
		out = append(out, Entry{Name: s.Name, Perm: s.Perm})
		slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.Name, b.Name) })
	}
	*list = out
	return nil
}

// fixMask recomputes the mask as POSIX's setfacl does when none was given:
// the union of the group class (named users, the owning group, named
// groups), so that the change grants what it names.
func (f *full) fixMask(given bool) {
	if given {
		return
	}
	if !f.extended() {
		// Without named entries the ACL is the mode alone: no mask.
		f.mask, f.hasMask = 0, false
		return
	}
	m := f.group
	for _, e := range f.users {
		m |= e.Perm
	}
	for _, e := range f.groups {
		m |= e.Perm
	}
	f.mask, f.hasMask = m, true
}

// Inherit gives a new child of a directory with default ACL d its
// permissions: mode is the mode the creator asked for; each of the child's
// classes gets d's entry limited by mode's bits for that class, and a new
// directory keeps d as its own default.
func Inherit(d *DefaultACL, mode uint32, isDir bool) Perms {
	f := defaultFull(d)
	out := Perms{Mode: mode &^ 0o777}
	out.Mode |= uint32(f.owner&Perm(mode>>6&7))<<6 | uint32(f.other&Perm(mode&7))
	groupClass := Perm(mode >> 3 & 7)
	if f.extended() {
		f.fixMask(f.hasMask)
		out.Mode |= uint32(f.mask&groupClass) << 3
		out.ACL = &ACL{Users: f.users, Groups: f.groups, GroupPerm: f.group}
	} else {
		g := f.group & groupClass
		if f.hasMask {
			g &= f.mask
		}
		out.Mode |= uint32(g) << 3
	}
	if isDir {
		out.Default = d
	}
	return out
}

// Lines lists an inode's ACL as getfacl prints it (after its "# file"
// header): the access entries, then the default ones. Entries the mask
// limits get "#effective:" with what they grant.
func Lines(p Perms) []string {
	acc := accessFull(p)
	out := listFull(acc, "", p.ACL != nil)
	if p.Default != nil {
		out = append(out, listFull(defaultFull(p.Default), "default:", true)...)
	}
	return out
}

func listFull(f full, prefix string, withMask bool) []string {
	masked := func(line string, p Perm) string {
		if withMask && f.hasMask && p&^f.mask != 0 {
			return line + "\t#effective:" + (p & f.mask).String()
		}
		return line
	}
	out := []string{prefix + "user::" + f.owner.String()}
	for _, e := range f.users {
		out = append(out, masked(prefix+"user:"+e.Name+":"+e.Perm.String(), e.Perm))
	}
	out = append(out, masked(prefix+"group::"+f.group.String(), f.group))
	for _, e := range f.groups {
		out = append(out, masked(prefix+"group:"+e.Name+":"+e.Perm.String(), e.Perm))
	}
	if withMask && f.hasMask {
		out = append(out, prefix+"mask::"+f.mask.String())
	}
	return append(out, prefix+"other::"+f.other.String())
}
