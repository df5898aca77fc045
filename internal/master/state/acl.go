package state

import (
	"slices"
	"strings"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/security/authz"
)

// This file holds ACLs: setfacl's entry, what new inodes inherit from
// their parent's default ACL, and the checkpoint form.

var aclActions = map[journalpb.AclAction]authz.Action{
	journalpb.AclAction_ACL_MODIFY: authz.Modify, journalpb.AclAction_ACL_REMOVE: authz.Remove,
	journalpb.AclAction_ACL_REMOVE_ALL: authz.RemoveAll, journalpb.AclAction_ACL_REMOVE_DEFAULT: authz.RemoveDefault,
	journalpb.AclAction_ACL_REPLACE: authz.Replace,
}

// applySetAcl changes the ACLs of op.Path (and everything below it when
// recursive, where default entries apply to directories only). The entry
// is checked whole first: it applies to every inode or to none.
func (s *State) applySetAcl(op *journalpb.SetAcl, t int64) Result {
	n, err := s.lookup(op.Path)
	if err != nil {
		return Result{Err: err}
	}
	action, ok := aclActions[op.Action]
	if !ok {
		return Result{Err: errs.New(errs.ErrInvalidArg, "setfacl %s: unknown action %s", op.Path, op.Action)}
	}
	var specs []authz.Spec
	if len(op.Entries) > 0 {
		withPerm := action != authz.Remove
		for _, text := range op.Entries {
			sp, err := authz.ParseSpecs(text, withPerm)
			if err != nil {
				return Result{Err: errs.New(errs.ErrInvalidArg, "setfacl %s: %v", op.Path, err)}
			}
			specs = append(specs, sp...)
		}
	}
	type change struct {
		n *Inode
		p authz.Perms
	}
	var changes []change
	var walkErr error
	var walk func(n *Inode, top bool)
	walk = func(n *Inode, top bool) {
		sp := specs
		if !n.IsDir && !top {
			// A recursive change gives files the access entries only.
			sp = nil
			for _, x := range specs {
				if !x.Default {
					sp = append(sp, x)
				}
			}
		}
		p, err := authz.ChangeACL(authz.Perms{Mode: n.Mode, ACL: n.ACL, Default: n.DefaultACL}, n.IsDir, action, sp)
		if err != nil && walkErr == nil {
			walkErr = errs.New(errs.ErrInvalidArg, "setfacl %s: %v", s.pathOf(n), err)
		}
		changes = append(changes, change{n, p})
		if op.Recursive {
			for _, c := range n.sortedChildren() {
				walk(c, false)
			}
		}
	}
	walk(n, true)
	if walkErr != nil {
		return Result{Err: walkErr}
	}
	for _, c := range changes {
		c.n.Mode, c.n.ACL, c.n.DefaultACL = c.p.Mode, c.p.ACL, c.p.Default
		c.n.ModMs = t
	}
	return Result{InodeID: n.ID}
}

// inherit gives a new inode the access ACL (and, to a directory, the
// default ACL) its parent's default ACL says, its mode limited by it.
func inherit(parent, n *Inode) {
	if parent.DefaultACL == nil {
		return
	}
	p := authz.Inherit(parent.DefaultACL, n.Mode, n.IsDir)
	n.Mode, n.ACL, n.DefaultACL = p.Mode, p.ACL, p.Default
}

func entriesToProto(es []authz.Entry) []*journalpb.AclEntry {
	out := make([]*journalpb.AclEntry, len(es))
	for i, e := range es {
		out[i] = &journalpb.AclEntry{Name: e.Name, Perm: uint32(e.Perm)}
	}
	return out
}

func entriesFromProto(es []*journalpb.AclEntry) []authz.Entry {
	if len(es) == 0 {
		return nil
	}
	out := make([]authz.Entry, len(es))
	for i, e := range es {
		out[i] = authz.Entry{Name: e.GetName(), Perm: authz.Perm(e.GetPerm() & 7)}
	}
	// Checks look names up by binary search.
	slices.SortFunc(out, func(a, b authz.Entry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func aclToProto(a *authz.ACL) *journalpb.Acl {
	if a == nil {
		return nil
	}
	return &journalpb.Acl{Users: entriesToProto(a.Users), Groups: entriesToProto(a.Groups), GroupPerm: uint32(a.GroupPerm)}
}

func aclFromProto(p *journalpb.Acl) *authz.ACL {
	if p == nil {
		return nil
	}
	return &authz.ACL{Users: entriesFromProto(p.Users), Groups: entriesFromProto(p.Groups), GroupPerm: authz.Perm(p.GroupPerm & 7)}
}

func defaultACLToProto(d *authz.DefaultACL) *journalpb.DefaultAcl {
	if d == nil {
		return nil
	}
	return &journalpb.DefaultAcl{Owner: uint32(d.Owner), Group: uint32(d.Group), Other: uint32(d.Other), Mask: uint32(d.Mask),
		HasMask: d.HasMask, Users: entriesToProto(d.Users), Groups: entriesToProto(d.Groups)}
}

func defaultACLFromProto(p *journalpb.DefaultAcl) *authz.DefaultACL {
	if p == nil {
		return nil
	}
	return &authz.DefaultACL{Owner: authz.Perm(p.Owner & 7), Group: authz.Perm(p.Group & 7), Other: authz.Perm(p.Other & 7),
		Mask: authz.Perm(p.Mask & 7), HasMask: p.HasMask, Users: entriesFromProto(p.Users), Groups: entriesFromProto(p.Groups)}
}

// PermPath is what a permission check needs of path: the inodes along
// it, root first, as far as they exist.
func (s *State) PermPath(path string) authz.Path {
	s.mu.RLock()
	defer s.mu.RUnlock()
	parts, err := fspath.Split(path)
	out := authz.Path{Path: path, Nodes: make([]authz.Node, 0, len(parts)+1)}
	n := s.root
	out.Nodes = append(out.Nodes, permNode(n))
	if err != nil {
		return out
	}
	for _, name := range parts {
		c, ok := n.children[name]
		if !ok || !n.IsDir {
			return out
		}
		n = c
		out.Nodes = append(out.Nodes, permNode(n))
	}
	out.Exists = true
	return out
}

func permNode(n *Inode) authz.Node {
	return authz.Node{Name: n.Name, Owner: n.Owner, Group: n.Group, Mode: n.Mode, ACL: n.ACL, File: !n.IsDir}
}
