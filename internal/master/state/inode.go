package state

import (
	"sort"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/security/authz"
)

// Inode is a file or directory. The tree owns inodes; callers outside the
// package only ever see copies (Info).
type Inode struct {
	ID         int64
	ParentID   int64
	Name       string
	IsDir      bool
	Owner      string
	Group      string
	Mode       uint32
	CreationMs int64
	ModMs      int64
	// ChangeMs is the last change that left ModMs alone or set it to an
	// older time (a chmod, a utimens, a rename, a completion with its
	// writer's time): POSIX's ctime is the later of the two.
	ChangeMs    int64
	Length      int64
	BlockSize   int64
	Completed   bool
	Persistence journalpb.PersistenceState
	Pinned      bool
	// TTLMs is the time to live after creation; -1 or 0 means none.
	TTLMs          int64
	TTLAction      journalpb.TtlAction
	ChildrenLoaded bool
	LastSyncMs     int64
	MountPoint     bool
	UfsModMs       int64
	// UfsError says why the last under storage change of this inode failed
	// for good.
	UfsError string
	// UfsFingerprint identifies the under storage copy (its ETag on S3)
	// when Alluxio published or loaded it; "" when unknown.
	UfsFingerprint string
	// Xattr are the extended attributes; never changed in place (see
	// setXattr), so copies may share the map.
	Xattr map[string][]byte
	// ACL and DefaultACL are the extended access ACL and a directory's
	// default ACL, nil when none; never changed in place (authz builds a
	// new one for every change), so copies may share them.
	ACL        *authz.ACL
	DefaultACL *authz.DefaultACL

	parent   *Inode
	children map[string]*Inode
}

// BlockIDs lists the ids of a completed file's blocks.
func (n *Inode) BlockIDs() []int64 {
	if n.IsDir || n.BlockSize <= 0 || n.Length <= 0 {
		return nil
	}
	count := int((n.Length + n.BlockSize - 1) / n.BlockSize)
	ids := make([]int64, count)
	for i := range ids {
		ids[i] = blockid.New(n.ID, i)
	}
	return ids
}

// Persisted reports whether the inode's data is in the under storage.
// ChangedMs is n's POSIX ctime: its last change of content, attributes
// or place.
func (n *Inode) ChangedMs() int64 { return max(n.ModMs, n.ChangeMs) }

func (n *Inode) Persisted() bool { return n.Persistence == journalpb.PersistenceState_PERSISTED }

// sortedChildren returns a directory's children in name order, so listings
// and checkpoints are deterministic.
func (n *Inode) sortedChildren() []*Inode {
	out := make([]*Inode, 0, len(n.children))
	for _, c := range n.children {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (n *Inode) copyOut() Inode {
	c := *n
	c.parent, c.children = nil, nil
	return c
}

func (n *Inode) toProto() *journalpb.Inode {
	return &journalpb.Inode{
		Id: n.ID, ParentId: n.ParentID, Name: n.Name, IsDirectory: n.IsDir,
		Owner: n.Owner, Group: n.Group, Mode: n.Mode,
		CreationTimeMs: n.CreationMs, LastModificationTimeMs: n.ModMs, ChangeTimeMs: n.ChangeMs,
		Length: n.Length, BlockSize: n.BlockSize, Completed: n.Completed,
		PersistenceState: n.Persistence, Pinned: n.Pinned, TtlMs: n.TTLMs, TtlAction: n.TTLAction,
		ChildrenLoaded: n.ChildrenLoaded, LastSyncMs: n.LastSyncMs, MountPoint: n.MountPoint,
		UfsModificationTimeMs: n.UfsModMs, UfsError: n.UfsError, UfsFingerprint: n.UfsFingerprint, Xattr: n.Xattr,
		Acl: aclToProto(n.ACL), DefaultAcl: defaultACLToProto(n.DefaultACL),
	}
}

func inodeFromProto(p *journalpb.Inode) *Inode {
	n := &Inode{
		ID: p.Id, ParentID: p.ParentId, Name: p.Name, IsDir: p.IsDirectory,
		Owner: p.Owner, Group: p.Group, Mode: p.Mode,
		CreationMs: p.CreationTimeMs, ModMs: p.LastModificationTimeMs, ChangeMs: p.ChangeTimeMs,
		Length: p.Length, BlockSize: p.BlockSize, Completed: p.Completed,
		Persistence: p.PersistenceState, Pinned: p.Pinned, TTLMs: p.TtlMs, TTLAction: p.TtlAction,
		ChildrenLoaded: p.ChildrenLoaded, LastSyncMs: p.LastSyncMs, MountPoint: p.MountPoint,
		UfsModMs: p.UfsModificationTimeMs, UfsError: p.UfsError, UfsFingerprint: p.UfsFingerprint, Xattr: p.Xattr,
		ACL: aclFromProto(p.Acl), DefaultACL: defaultACLFromProto(p.DefaultAcl),
	}
	if n.IsDir {
		n.children = map[string]*Inode{}
	}
	return n
}
