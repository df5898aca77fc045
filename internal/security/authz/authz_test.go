package authz

import (
	"errors"
	"slices"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
)

func TestPermAndModeStrings(t *testing.T) {
	for _, tt := range []struct {
		mode uint32
		want string
	}{{0o755, "rwxr-xr-x"}, {0o640, "rw-r-----"}, {0o1777, "rwxrwxrwt"}, {0o1770, "rwxrwx--T"}, {0, "---------"}} {
		if got := ModeString(tt.mode); got != tt.want {
			t.Errorf("ModeString(%o) = %q, want %q", tt.mode, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		want Perm
		ok   bool
	}{{"rwx", All, true}, {"r-x", Read | Exec, true}, {"---", 0, true}, {"rw", Read | Write, true}, {"x", Exec, true},
		{"", 0, true}, {"rr", 0, false}, {"xwr", 0, false}, {"rwq", 0, false}, {"abc", 0, false}} {
		got, ok := ParsePerm(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParsePerm(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// tree is /a/f with a owned by alice:staff 755 and f by alice:staff 644.
func tree(aMode, fMode uint32) Path {
	return Path{Path: "/a/f", Exists: true, Nodes: []Node{
		{Name: "", Owner: "root", Group: "root", Mode: 0o755},
		{Name: "a", Owner: "alice", Group: "staff", Mode: aMode},
		{Name: "f", Owner: "alice", Group: "staff", Mode: fMode},
	}}
}

// fileAncestor is tree's nodes with f a file, as far as /a/f/g exists.
func fileAncestor(aMode uint32) []Node {
	nodes := tree(aMode, 0o600).Nodes
	nodes[2].File = true
	return nodes
}

func TestCheck(t *testing.T) {
	alice := User{Name: "alice", Groups: []string{"staff"}}
	bob := User{Name: "bob", Groups: []string{"bob"}}
	carol := User{Name: "carol", Groups: []string{"staff"}}
	for _, tt := range []struct {
		name         string
		u            User
		p            Path
		parent, self Perm
		want         string // "" for allowed
	}{
		{"owner writes", alice, tree(0o755, 0o644), 0, Write, ""},
		{"other cannot write", bob, tree(0o755, 0o644), 0, Write,
			"Permission denied: user=bob, access=-w-, path=/a/f: failed at f, inode owner=alice, inode group=staff, inode mode=rw-r--r--"},
		{"other reads", bob, tree(0o755, 0o644), 0, Read, ""},
		{"group member by group bits", carol, tree(0o755, 0o664), 0, Write, ""},
		{"no traverse", bob, tree(0o750, 0o644), 0, Read,
			"Permission denied: user=bob, access=--x, path=/a/f: failed at a, inode owner=alice, inode group=staff, inode mode=rwxr-x---"},
		{"create needs wx on the parent", bob, Path{Path: "/a/g", Nodes: tree(0o755, 0).Nodes[:2]}, Write | Exec, 0,
			"Permission denied: user=bob, access=-wx, path=/a/g: failed at a, inode owner=alice, inode group=staff, inode mode=rwxr-xr-x"},
		{"mkdir -p checks the deepest that exists", bob, Path{Path: "/a/b/c", Nodes: tree(0o757, 0).Nodes[:2]}, Write | Exec, 0, ""},
		{"owner bits win over group bits", alice, tree(0o755, 0o064), 0, Read,
			"Permission denied: user=alice, access=r--, path=/a/f: failed at f, inode owner=alice, inode group=staff, inode mode=---rw-r--"},
		{"superuser passes all", User{Name: "bob", Super: true}, tree(0o700, 0), 0, All, ""},
		{"a path through a file is left to fail as missing", bob,
			Path{Path: "/a/f/g", Nodes: fileAncestor(0o755)}, Write | Exec, Read, ""},
		{"the directories above a file are still searched", bob,
			Path{Path: "/a/f/g", Nodes: fileAncestor(0o750)}, 0, Read,
			"Permission denied: user=bob, access=--x, path=/a/f/g: failed at a, inode owner=alice, inode group=staff, inode mode=rwxr-x---"},
	} {
		err := Check(tt.u, tt.p, tt.parent, tt.self)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || err.Error() != tt.want):
			t.Errorf("%s: got %v\nwant %s", tt.name, err, tt.want)
		case err != nil && !errors.Is(err, errs.ErrPermission):
			t.Errorf("%s: %v is not ErrPermission", tt.name, err)
		}
	}
}

func TestStickyOwnerGroupSuper(t *testing.T) {
	dir := Node{Name: "tmp", Owner: "root", Mode: 0o1777}
	f := Node{Name: "f", Owner: "alice"}
	if err := CheckSticky(User{Name: "bob"}, "/tmp/f", dir, f); err == nil || !errors.Is(err, errs.ErrPermission) {
		t.Errorf("bob removed alice's file from a sticky directory: %v", err)
	}
	for _, u := range []User{{Name: "alice"}, {Name: "root"}, {Name: "x", Super: true}} {
		if err := CheckSticky(u, "/tmp/f", dir, f); err != nil {
			t.Errorf("%s: %v", u.Name, err)
		}
	}
	if err := CheckSticky(User{Name: "bob"}, "/tmp/f", Node{Mode: 0o777}, f); err != nil {
		t.Errorf("no sticky bit: %v", err)
	}
	if err := CheckOwner(User{Name: "bob"}, "/a", Node{Owner: "alice"}); err == nil ||
		err.Error() != "Permission denied: user=bob is not the owner of path=/a" {
		t.Errorf("CheckOwner: %v", err)
	}
	if err := CheckSuper(User{Name: "bob"}, "chown /a"); err == nil || !errors.Is(err, errs.ErrPermission) {
		t.Errorf("CheckSuper: %v", err)
	}
	if err := CheckGroup(User{Name: "bob", Groups: []string{"dev"}}, "/a", "staff"); err == nil {
		t.Error("bob gave a file to a group he is not in")
	}
	if err := CheckGroup(User{Name: "bob", Groups: []string{"dev"}}, "/a", "dev"); err != nil {
		t.Error(err)
	}
}

func mustChange(t *testing.T, p Perms, isDir bool, a Action, specs string) Perms {
	t.Helper()
	var sp []Spec
	if specs != "" {
		var err error
		if sp, err = ParseSpecs(specs, a != Remove); err != nil {
			t.Fatal(err)
		}
	}
	out, err := ChangeACL(p, isDir, a, sp)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestACLCheckedAfterModeBits(t *testing.T) {
	base := Perms{Mode: 0o640}
	p := mustChange(t, base, false, Modify, "user:bob:rw-,group:dev:r--")
	if p.Mode != 0o660 || p.ACL == nil || p.ACL.GroupPerm != Read {
		t.Fatalf("after -m: mode %o, acl %+v; want 660 (mask rw-), group entry r--", p.Mode, p.ACL)
	}
	n := Node{Name: "f", Owner: "alice", Group: "staff", Mode: p.Mode, ACL: p.ACL}
	for _, tt := range []struct {
		u    User
		want Perm
		ok   bool
	}{
		{User{Name: "bob"}, Write, true}, // named user entry
		{User{Name: "dave", Groups: []string{"dev"}}, Read, true},
		{User{Name: "dave", Groups: []string{"dev"}}, Write, false}, // named group r-- only
		{User{Name: "carol", Groups: []string{"staff"}}, Write, false},
		{User{Name: "eve"}, Read, false},          // other ---
		{User{Name: "alice"}, Read | Write, true}, // owner bits
		{User{Name: "alice"}, Exec, false},
	} {
		if got := Allowed(tt.u, n, tt.want); got != tt.ok {
			t.Errorf("%s %v: allowed %v, want %v", tt.u.Name, tt.want, got, tt.ok)
		}
	}
	// chmod g-w sets the mask: bob's rw- entry now gives r-- only.
	n.Mode = 0o640
	if Allowed(User{Name: "bob"}, n, Write) {
		t.Error("the mask did not limit a named user's entry")
	}
	lines := Lines(Perms{Mode: n.Mode, ACL: n.ACL})
	want := []string{"user::rw-", "user:bob:rw-\t#effective:r--", "group::r--", "group:dev:r--", "mask::r--", "other::---"}
	if !slices.Equal(lines, want) {
		t.Errorf("Lines = %q, want %q", lines, want)
	}
	// -x of both named entries leaves the mode alone, the group entry in
	// the group bits.
	q := mustChange(t, p, false, Remove, "user:bob,group:dev")
	if q.ACL != nil || q.Mode != 0o640 {
		t.Errorf("after -x: mode %o, acl %+v; want 640 and no ACL", q.Mode, q.ACL)
	}
	if b := mustChange(t, p, false, RemoveAll, ""); b.ACL != nil || b.Mode != 0o660 {
		t.Errorf("after -b: mode %o acl %+v; want 660 (the mask kept as group bits) and no ACL", b.Mode, b.ACL)
	}
}

func TestDefaultACLInherited(t *testing.T) {
	d := mustChange(t, Perms{Mode: 0o755}, true, Modify, "default:user::rwx,default:group::r-x,default:other::---,default:user:bob:rwx")
	if d.Default == nil || d.ACL != nil || d.Mode != 0o755 {
		t.Fatalf("after -m default: %+v", d)
	}
	f := Inherit(d.Default, 0o644, false)
	// bob's rwx is masked by the file's requested group bits r--.
	if f.Mode != 0o640 || f.ACL == nil || f.Default != nil {
		t.Fatalf("inherited file: mode %o acl %+v default %+v; want 640 with an ACL, no default", f.Mode, f.ACL, f.Default)
	}
	if e, ok := find(f.ACL.Users, "bob"); !ok || e.Perm != All {
		t.Errorf("bob's entry: %+v %v", e, ok)
	}
	sub := Inherit(d.Default, 0o755, true)
	if sub.Default != d.Default || sub.Mode != 0o750 {
		t.Errorf("inherited dir: mode %o default %+v", sub.Mode, sub.Default)
	}
	if _, err := ChangeACL(Perms{Mode: 0o644}, false, Modify, []Spec{{Default: true, Kind: KindUser, Perm: Read}}); err == nil {
		t.Error("a file took a default ACL")
	}
	if k := mustChange(t, d, true, RemoveDefault, ""); k.Default != nil {
		t.Error("-k kept the default ACL")
	}
}

func TestParseSpecsRefusesBadEntries(t *testing.T) {
	for _, bad := range []string{"bob:rwx", "user:bob", "user:bob:rwz", "mask:x:rwx", "other:bob:r--", "user:a b:rwx", "user::rwx:x"} {
		if _, err := ParseSpecs(bad, true); err == nil {
			t.Errorf("ParseSpecs(%q) took it", bad)
		}
	}
	if _, err := ParseSpecs("user:bob:rwx", false); err == nil {
		t.Error("a removal took a permission")
	}
	if _, err := ChangeACL(Perms{Mode: 0o644}, false, Replace, []Spec{{Kind: KindUser, Perm: All}}); err == nil {
		t.Error("--set without group:: and other:: was taken")
	}
}

func FuzzParseSpecs(f *testing.F) {
	for _, s := range []string{"user:bob:rw-", "default:group::r-x,mask::rwx", "o::r", "user:bob"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, withPerm := range []bool{true, false} {
			specs, err := ParseSpecs(text, withPerm)
			if err != nil {
				continue
			}
			a := Modify
			if !withPerm {
				a = Remove
			}
			p, err := ChangeACL(Perms{Mode: 0o750}, true, a, specs)
			if err == nil && p.Mode&^0o7777 != 0 {
				t.Fatalf("mode %o out of range", p.Mode)
			}
			_ = Lines(p)
		}
	})
}
