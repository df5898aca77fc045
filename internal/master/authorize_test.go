package master

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/security"
)

// as is a context whose calls come from user, as the server's
// authentication interceptor builds it.
func as(user string) context.Context {
	return security.NewContext(context.Background(), security.Identity{User: user, AuthType: security.Simple})
}

// groupsOfTestUsers are the test's users; the OS knows none of them.
var groupsOfTestUsers = map[string][]string{
	"alice": {"staff"}, "bob": {"bob"}, "carol": {"staff", "dev"}, "admin": {"admin", "supergroup"},
}

func newPermMaster(t *testing.T, mod func(*Config)) *testMaster {
	return newTestMaster(t, func(c *Config) {
		c.StaticGroups = groupsOfTestUsers
		if mod != nil {
			mod(c)
		}
	})
}

func u32(v uint32) *uint32 { return &v }
func str(v string) *string { return &v }

// mkdirAs makes path as user with mode (0: the umask's).
func (m *testMaster) mkdirAs(t *testing.T, user, path string, mode uint32) {
	t.Helper()
	if _, err := m.fs.createDirectory(as(user), &alluxiopb.CreateDirectoryRequest{Path: path, OpId: opID(), Recursive: true,
		Mode: mode, WriteType: "MUST_CACHE"}); err != nil {
		t.Fatalf("mkdir %s as %s: %v", path, user, err)
	}
}

func (m *testMaster) touchAs(user, path string) error {
	_, err := m.fs.createFile(as(user), &alluxiopb.CreateFileRequest{Path: path, OpId: opID(), WriteType: "MUST_CACHE"})
	return err
}

// dirOf makes path (as the superuser) owned by alice:staff with mode.
func (m *testMaster) dirOf(t *testing.T, path string, mode uint32) {
	t.Helper()
	m.mkdirAs(t, "root", path, mode)
	if err := m.fs.setAttribute(as("root"), &alluxiopb.SetAttributeRequest{Path: path, OpId: opID(), Owner: str("alice"),
		Group: str("staff")}); err != nil {
		t.Fatal(err)
	}
}

func wantDenied(t *testing.T, what string, err error, msg string) {
	t.Helper()
	if err == nil || !errors.Is(err, errs.ErrPermission) {
		t.Fatalf("%s: %v, want a permission denial", what, err)
	}
	if msg != "" && err.Error() != msg {
		t.Fatalf("%s:\n got %s\nwant %s", what, err, msg)
	}
}

func TestPermissionsOnTheMasterPaths(t *testing.T) {
	m := newPermMaster(t, nil)
	m.mkdirAs(t, "root", "/home", 0o755)
	if err := m.fs.setAttribute(as("root"), &alluxiopb.SetAttributeRequest{Path: "/home", OpId: opID(), Mode: u32(0o1777)}); err != nil {
		t.Fatal(err)
	}
	m.mkdirAs(t, "alice", "/home/alice", 0o750)
	if fi := m.stat(t, "/home/alice"); fi.Owner != "alice" || fi.Group != "staff" || fi.Mode != 0o750 {
		t.Fatalf("alice's directory: %s:%s %o, want alice:staff 750 (her primary group)", fi.Owner, fi.Group, fi.Mode)
	}
	if err := m.touchAs("alice", "/home/alice/f"); err != nil {
		t.Fatal(err)
	}
	if fi := m.stat(t, "/home/alice/f"); fi.Mode != 0o644 {
		t.Fatalf("a new file's mode %o, want 644 (666 less the umask 022)", fi.Mode)
	}

	wantDenied(t, "bob creates in alice's directory", m.touchAs("bob", "/home/alice/g"),
		"Permission denied: user=bob, access=--x, path=/home/alice/g: failed at alice, inode owner=alice, inode group=staff, inode mode=rwxr-x---")
	m.missing(t, "/home/alice/g")
	_, err := m.fs.getStatus(as("bob"), "/home/alice/f", nil, 0)
	wantDenied(t, "bob stats below a directory he cannot traverse", err, "")
	if _, err := m.fs.getStatus(as("carol"), "/home/alice/f", nil, 0); err != nil {
		t.Fatalf("carol (group staff) stats alice's file: %v", err)
	}
	err = m.fs.listStatus(as("bob"), "/home/alice", false, nil, func([]*alluxiopb.FileInfo) error { return nil })
	wantDenied(t, "bob lists alice's directory", err,
		"Permission denied: user=bob, access=r-x, path=/home/alice: failed at alice, inode owner=alice, inode group=staff, inode mode=rwxr-x---")
	wantDenied(t, "carol (r-x) creates in alice's directory", m.touchAs("carol", "/home/alice/g"), "")

	// The sticky /home: bob may not remove alice's directory, even empty.
	m.mkdirAs(t, "alice", "/home/alice2", 0o777)
	err = m.fs.remove(as("bob"), &alluxiopb.DeleteRequest{Path: "/home/alice2", OpId: opID(), Recursive: true})
	wantDenied(t, "bob removes alice's entry of the sticky /home", err,
		"Permission denied by sticky bit: user=bob, path=/home/alice2, parent owner=root, inode owner=alice")
	err = m.fs.rename(as("bob"), &alluxiopb.RenameRequest{Src: "/home/alice2", Dst: "/home/bobs", OpId: opID()})
	wantDenied(t, "bob renames alice's entry of the sticky /home", err, "")
	// Nor replace alice's file there with his own: that removes hers.
	for _, f := range []struct{ user, path string }{{"alice", "/home/alices"}, {"bob", "/home/bobs"}} {
		fi, err := m.fs.createFile(as(f.user), &alluxiopb.CreateFileRequest{Path: f.path, OpId: opID(), WriteType: "MUST_CACHE"})
		if err == nil {
			_, err = m.fs.completeFile(as(f.user), &alluxiopb.CompleteFileRequest{Path: f.path, OpId: opID(), FileId: fi.FileId})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	err = m.fs.rename(as("bob"), &alluxiopb.RenameRequest{Src: "/home/bobs", Dst: "/home/alices", OpId: opID(), ReplaceId: m.stat(t, "/home/alices").FileId})
	wantDenied(t, "bob replaces alice's file in the sticky /home", err,
		"Permission denied by sticky bit: user=bob, path=/home/alices, parent owner=root, inode owner=alice")
	if err := m.fs.remove(as("alice"), &alluxiopb.DeleteRequest{Path: "/home/alice2", OpId: opID(), Recursive: true}); err != nil {
		t.Fatalf("alice removes her own: %v", err)
	}

	// chmod, chgrp: the owner; chown: a superuser.
	set := func(user string, r *alluxiopb.SetAttributeRequest) error {
		r.Path, r.OpId = "/home/alice/f", opID()
		return m.fs.setAttribute(as(user), r)
	}
	wantDenied(t, "carol chmods alice's file", set("carol", &alluxiopb.SetAttributeRequest{Mode: u32(0o777)}),
		"Permission denied: user=carol is not the owner of path=/home/alice/f")
	wantDenied(t, "alice chowns to bob", set("alice", &alluxiopb.SetAttributeRequest{Owner: str("bob")}), "")
	wantDenied(t, "alice chgrps to a group she is not in", set("alice", &alluxiopb.SetAttributeRequest{Group: str("dev")}), "")
	if err := set("alice", &alluxiopb.SetAttributeRequest{Mode: u32(0o600)}); err != nil {
		t.Fatal(err)
	}
	if err := set("admin", &alluxiopb.SetAttributeRequest{Owner: str("bob"), Group: str("dev")}); err != nil {
		t.Fatalf("a member of the supergroup chowns: %v", err)
	}
	if fi := m.stat(t, "/home/alice/f"); fi.Owner != "bob" || fi.Group != "dev" || fi.Mode != 0o600 {
		t.Fatalf("after chmod and chown: %s:%s %o", fi.Owner, fi.Group, fi.Mode)
	}
	// chmod -R needs every inode below to be the caller's: nothing changes.
	err = m.fs.setAttribute(as("alice"), &alluxiopb.SetAttributeRequest{Path: "/home/alice", OpId: opID(), Mode: u32(0o700), Recursive: true})
	wantDenied(t, "alice chmod -R over bob's file", err, "Permission denied: user=alice is not the owner of path=/home/alice/f")
	if fi := m.stat(t, "/home/alice"); fi.Mode != 0o750 {
		t.Fatalf("a refused chmod -R changed the top to %o", fi.Mode)
	}
}

func TestACLsOnTheMaster(t *testing.T) {
	m := newPermMaster(t, nil)
	m.dirOf(t, "/p", 0o750)
	wantDenied(t, "bob before the ACL", m.touchAs("bob", "/p/x"), "")
	wantDenied(t, "bob sets an ACL on alice's directory",
		m.fs.setAcl(as("bob"), &alluxiopb.SetAclRequest{Path: "/p", OpId: opID(), Action: "MODIFY", Entries: []string{"user:bob:rwx"}}), "")
	if err := m.fs.setAcl(as("alice"), &alluxiopb.SetAclRequest{Path: "/p", OpId: opID(), Action: "MODIFY",
		Entries: []string{"user:bob:rwx,default:user:bob:rw-,default:user::rwx,default:group::r-x,default:other::---"}}); err != nil {
		t.Fatal(err)
	}
	fi := m.stat(t, "/p")
	want := []string{"user::rwx", "user:bob:rwx", "group::r-x", "mask::rwx", "other::---",
		"default:user::rwx", "default:user:bob:rw-", "default:group::r-x", "default:mask::rwx", "default:other::---"}
	if !slices.Equal(fi.Acl, want) || fi.Mode != 0o770 {
		t.Fatalf("ACL of /p: %q mode %o\nwant %q mode 770 (the mask in the group bits)", fi.Acl, fi.Mode, want)
	}
	if err := m.touchAs("bob", "/p/x"); err != nil {
		t.Fatalf("bob with his ACL entry: %v", err)
	}
	// The new file inherited the default ACL: alice's new file is bob's
	// to write.
	if err := m.touchAs("alice", "/p/y"); err != nil {
		t.Fatal(err)
	}
	if fi := m.stat(t, "/p/y"); !slices.Contains(fi.Acl, "user:bob:rw-") {
		t.Fatalf("/p/y did not inherit the default ACL: %q", fi.Acl)
	}
	if err := m.fs.setAttribute(as("bob"), &alluxiopb.SetAttributeRequest{Path: "/p/y", OpId: opID(), Pinned: new(bool)}); err != nil {
		t.Fatalf("bob writes /p/y's attributes through the inherited entry: %v", err)
	}
	// chmod g-rwx sets the mask to nothing: the entry no longer counts.
	if err := m.fs.setAttribute(as("alice"), &alluxiopb.SetAttributeRequest{Path: "/p", OpId: opID(), Mode: u32(0o700)}); err != nil {
		t.Fatal(err)
	}
	wantDenied(t, "bob after the mask was cleared", m.touchAs("bob", "/p/z"),
		"Permission denied: user=bob, access=--x, path=/p/z: failed at p, inode owner=alice, inode group=staff, inode mode=rwx------")
	if err := m.fs.setAcl(as("alice"), &alluxiopb.SetAclRequest{Path: "/p", OpId: opID(), Action: "REMOVE_ALL"}); err != nil {
		t.Fatal(err)
	}
	if fi := m.stat(t, "/p"); len(fi.Acl) != 0 || fi.Mode != 0o700 {
		t.Fatalf("after -b: %q %o", fi.Acl, fi.Mode)
	}
	err := m.fs.setAcl(as("alice"), &alluxiopb.SetAclRequest{Path: "/p", OpId: opID(), Action: "MODIFY", Entries: []string{"user:bob:rwq"}})
	if !errors.Is(err, errs.ErrInvalidArg) {
		t.Fatalf("a bad entry: %v", err)
	}
}

func TestPermissionsOffAndTheMastersOwnWork(t *testing.T) {
	m := newPermMaster(t, func(c *Config) { c.PermissionEnabled = false })
	m.dirOf(t, "/q", 0o700)
	if err := m.touchAs("bob", "/q/f"); err != nil {
		t.Fatalf("checks off: %v", err)
	}
	on := newPermMaster(t, nil)
	on.dirOf(t, "/q", 0o700)
	// A call with no caller (the master's own work) is not checked.
	if _, err := on.fs.createFile(context.Background(), &alluxiopb.CreateFileRequest{Path: "/q/own", OpId: opID()}); err != nil {
		t.Fatal(err)
	}
	// NOSASL: nobody is anyone, nothing is checked (as in Alluxio).
	nosasl := security.NewContext(context.Background(), security.Identity{AuthType: security.NoSASL})
	if _, err := on.fs.getStatus(nosasl, "/q/own", nil, 0); err != nil {
		t.Fatal(err)
	}
}

// TestRecursiveOperationsCheckEveryDirectory: rm -R and ls -R need their
// permission on every directory below (HDFS's subAccess), not only at the
// top.
func TestRecursiveOperationsCheckEveryDirectory(t *testing.T) {
	m := newPermMaster(t, nil)
	m.mkdirAs(t, "root", "/shared", 0o777)
	m.mkdirAs(t, "alice", "/shared/a/keep", 0o755)
	if err := m.touchAs("alice", "/shared/a/keep/f"); err != nil {
		t.Fatal(err)
	}
	m.mkdirAs(t, "bob", "/shared/b/empty", 0o755)
	err := m.fs.remove(as("bob"), &alluxiopb.DeleteRequest{Path: "/shared/a", OpId: opID(), Recursive: true})
	wantDenied(t, "bob removes alice's tree from a directory he may write", err,
		"Permission denied: user=bob, access=rwx, path=/shared/a: failed at a, inode owner=alice, inode group=staff, inode mode=rwxr-xr-x")
	m.stat(t, "/shared/a/keep/f")
	if err := m.fs.remove(as("bob"), &alluxiopb.DeleteRequest{Path: "/shared/b", OpId: opID(), Recursive: true}); err != nil {
		t.Fatalf("bob removes his own tree: %v", err)
	}
	m.mkdirAs(t, "alice", "/shared/p", 0o700)
	list := func(user string, recursive bool) error {
		return m.fs.listStatus(as(user), "/shared", recursive, nil, func([]*alluxiopb.FileInfo) error { return nil })
	}
	if err := list("bob", false); err != nil {
		t.Fatalf("bob lists /shared: %v", err)
	}
	wantDenied(t, "bob lists /shared recursively, through alice's private directory", list("bob", true),
		"Permission denied: user=bob, access=r-x, path=/shared/p: failed at p, inode owner=alice, inode group=staff, inode mode=rwx------")
	if err := list("alice", true); err != nil {
		t.Fatal(err)
	}
}

// TestImpersonationUsesThePermissionGroups: the master's authenticator
// resolves an impersonation's .groups rule with the mapping its permission
// checks use, so a static override (users the OS does not know) counts.
func TestImpersonationUsesThePermissionGroups(t *testing.T) {
	m := newPermMaster(t, func(c *Config) {
		imp, err := security.ParseImpersonation(map[string]string{security.ImpersonationPrefix + "fuse.groups": "staff"})
		if err != nil {
			t.Fatal(err)
		}
		c.Security.Impersonation = imp
	})
	ctx := context.Background()
	for _, tc := range []struct {
		as string
		ok bool
	}{{"alice", true}, {"carol", true}, {"bob", false}} {
		c, err := client.New(client.Config{Masters: []string{m.RPCAddr().String()}, User: "fuse", ImpersonateAs: tc.as,
			RetryMaxDuration: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.GetStatus(ctx, "/", client.StatusOptions{})
		c.Close()
		if tc.ok && err != nil {
			t.Errorf("fuse as %s (in staff by a static override): %v", tc.as, err)
		}
		if !tc.ok && (!errors.Is(err, errs.ErrPermission) || !strings.Contains(err.Error(), "user fuse may not impersonate "+tc.as)) {
			t.Errorf("fuse as %s (not in staff): %v, want refused", tc.as, err)
		}
	}
}

// A path through a file names nothing: a user who may search every
// directory above the file gets the error of a missing path or a parent
// that is no directory, as the owner would, not a denial of a search in
// the file (S3's NoSuchKey, POSIX's ENOTDIR).
func TestAPathThroughAFileIsMissingNotDenied(t *testing.T) {
	m := newPermMaster(t, nil)
	m.dirOf(t, "/data", 0o777)
	if err := m.touchAs("alice", "/data/f"); err != nil {
		t.Fatal(err)
	}
	if fi := m.stat(t, "/data/f"); fi.Mode&0o111 != 0 {
		t.Fatalf("the file's mode %o has execute bits: the test needs none", fi.Mode)
	}
	_, err := m.fs.getStatus(as("bob"), "/data/f/g", nil, 0)
	if !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("bob stats /data/f/g: %v, want not found", err)
	}
	err = m.fs.listStatus(as("bob"), "/data/f/g", false, nil, func([]*alluxiopb.FileInfo) error { return nil })
	if !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("bob lists /data/f/g: %v, want not found", err)
	}
	for _, user := range []string{"alice", "bob"} {
		err := m.touchAs(user, "/data/f/g")
		if err == nil || errors.Is(err, errs.ErrPermission) {
			t.Fatalf("%s creates /data/f/g: %v, want the error of a parent that is a file", user, err)
		}
	}
	_, err = m.fs.createDirectory(as("bob"), &alluxiopb.CreateDirectoryRequest{Path: "/data/f/g/h", OpId: opID(), Recursive: true,
		WriteType: "MUST_CACHE"})
	if err == nil || errors.Is(err, errs.ErrPermission) {
		t.Fatalf("bob makes /data/f/g/h with -p: %v, want the error of a parent that is a file", err)
	}
	m.missing(t, "/data/f/g")
	if fi := m.stat(t, "/data/f"); fi.Folder {
		t.Fatal("/data/f became a directory")
	}
	// The directories above the file are searched first.
	if err := m.fs.setAttribute(as("root"), &alluxiopb.SetAttributeRequest{Path: "/data", OpId: opID(), Mode: u32(0o700)}); err != nil {
		t.Fatal(err)
	}
	_, err = m.fs.getStatus(as("bob"), "/data/f/g", nil, 0)
	wantDenied(t, "bob stats below a directory he cannot search", err,
		"Permission denied: user=bob, access=--x, path=/data/f/g: failed at data, inode owner=alice, inode group=staff, inode mode=rwx------")
}
