package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// permGroups are the test users' groups: the OS knows none of them, so
// the master gets them from the static overrides (Hadoop's kind).
const permGroups = "-D" + cluster.TesterSuperuser + ";alice=staff;bob=bob;carol=staff,dev;admin=admin,supergroup"

// runAs runs the CLI as user (SIMPLE authentication: the client names
// its login user).
func runAs(m *cluster.Master, user string, args ...string) (string, int) {
	m.T.Helper()
	return m.Run(append(args, "-Dalluxio.security.login.username="+user)...)
}

// TestPermissionTableThroughTheCLI runs each case on a directory of its
// own: the superuser (the OS user that runs the master) sets the
// directory's and its file's owner, group and mode, then the case's user
// runs one command. The command must succeed, or fail with exactly the
// denial Alluxio prints.
func TestPermissionTableThroughTheCLI(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t, permGroups)
	for i, tc := range []struct {
		name string
		// dir and file are OWNER:GROUP:MODE of /c<i> and /c<i>/f
		// ("" for no file).
		dir, file string
		// acl, when set, is setfacl -m entries the owner sets on /c<i>.
		acl  string
		user string
		cmd  []string // "$" stands for /c<i>
		deny string   // "" for allowed; else the denial, with $ for /c<i>
	}{
		{name: "other cannot mkdir in 755", dir: "alice:staff:755", user: "bob", cmd: []string{"mkdir", "$/d"},
			deny: "Permission denied: user=bob, access=-wx, path=$/d: failed at $N, inode owner=alice, inode group=staff, inode mode=rwxr-xr-x"},
		{name: "group member mkdirs in 775", dir: "alice:staff:775", user: "carol", cmd: []string{"mkdir", "$/d"}},
		{name: "other touches in 757", dir: "alice:staff:757", user: "bob", cmd: []string{"touch", "$/g"}},
		{name: "other cannot list 750", dir: "alice:staff:750", user: "bob", cmd: []string{"ls", "$"},
			deny: "Permission denied: user=bob, access=r-x, path=$: failed at $N, inode owner=alice, inode group=staff, inode mode=rwxr-x---"},
		{name: "other cannot traverse 750", dir: "alice:staff:750", file: "alice:staff:644", user: "bob", cmd: []string{"stat", "$/f"},
			deny: "Permission denied: user=bob, access=--x, path=$/f: failed at $N, inode owner=alice, inode group=staff, inode mode=rwxr-x---"},
		{name: "group member lists 750", dir: "alice:staff:750", user: "carol", cmd: []string{"ls", "$"}},
		{name: "other cannot remove from 755", dir: "alice:staff:755", file: "alice:staff:666", user: "bob", cmd: []string{"rm", "$/f"},
			deny: "Permission denied: user=bob, access=-wx, path=$/f: failed at $N, inode owner=alice, inode group=staff, inode mode=rwxr-xr-x"},
		{name: "sticky bit keeps bob from alice's file", dir: "root:root:1777", file: "alice:staff:666", user: "bob", cmd: []string{"rm", "$/f"},
			deny: "Permission denied by sticky bit: user=bob, path=$/f, parent owner=root, inode owner=alice"},
		{name: "sticky bit lets the file's owner", dir: "root:root:1777", file: "alice:staff:600", user: "alice", cmd: []string{"rm", "$/f"}},
		{name: "rename out needs write on the parent", dir: "alice:staff:755", file: "alice:staff:666", user: "bob",
			cmd:  []string{"mv", "$/f", "$/g"},
			deny: "Permission denied: user=bob, access=-wx, path=$/f: failed at $N, inode owner=alice, inode group=staff, inode mode=rwxr-xr-x"},
		{name: "chmod by another user", dir: "alice:staff:777", file: "bob:bob:644", user: "alice", cmd: []string{"chmod", "777", "$/f"},
			deny: "Permission denied: user=alice is not the owner of path=$/f"},
		{name: "chmod by the owner", dir: "alice:staff:755", file: "bob:bob:644", user: "bob", cmd: []string{"chmod", "600", "$/f"}},
		{name: "chown by the owner", dir: "alice:staff:755", file: "alice:staff:644", user: "alice", cmd: []string{"chown", "bob", "$/f"},
			deny: "Permission denied: user=alice is not a super user or in super group (chown $/f)"},
		{name: "chown by a supergroup member", dir: "alice:staff:755", file: "alice:staff:644", user: "admin", cmd: []string{"chown", "bob", "$/f"}},
		{name: "chgrp to a group the owner is not in", dir: "alice:staff:755", file: "carol:staff:644", user: "carol",
			cmd: []string{"chgrp", "bob", "$/f"}, deny: "Permission denied: user=carol is not a member of group=bob (chgrp of path=$/f)"},
		{name: "chgrp to the owner's group", dir: "alice:staff:755", file: "carol:staff:644", user: "carol", cmd: []string{"chgrp", "dev", "$/f"}},
		{name: "chmod -R over another's file", dir: "alice:staff:755", file: "bob:bob:644", user: "alice", cmd: []string{"chmod", "-R", "700", "$"},
			deny: "Permission denied: user=alice is not the owner of path=$/f"},
		{name: "setfacl by another user", dir: "alice:staff:750", user: "bob", cmd: []string{"setfacl", "-m", "user:bob:rwx", "$"},
			deny: "Permission denied: user=bob is not the owner of path=$"},
		{name: "a named user entry grants", dir: "alice:staff:750", acl: "user:bob:rwx", user: "bob", cmd: []string{"touch", "$/g"}},
		{name: "a named group entry grants", dir: "alice:staff:750", acl: "group:dev:r-x", file: "alice:staff:640", user: "carol",
			cmd: []string{"ls", "$"}},
		{name: "an entry is checked after the owner bits", dir: "alice:staff:550", acl: "user:alice:rwx", user: "alice",
			cmd:  []string{"touch", "$/g"},
			deny: "Permission denied: user=alice, access=-wx, path=$/g: failed at $N, inode owner=alice, inode group=staff, inode mode=r-xrwx---"},
		{name: "the superuser passes", dir: "alice:staff:700", file: "alice:staff:600", user: "root", cmd: []string{"rm", "$/f"}},
	} {
		dir := fmt.Sprintf("/c%02d", i)
		owner := strings.SplitN(tc.dir, ":", 3)
		m.Must("fs", "mkdir", dir)
		if tc.file != "" {
			fo := strings.SplitN(tc.file, ":", 3)
			m.Must("fs", "touch", dir+"/f")
			m.Must("fs", "chown", fo[0]+":"+fo[1], dir+"/f")
			m.Must("fs", "chmod", fo[2], dir+"/f")
		}
		m.Must("fs", "chown", owner[0]+":"+owner[1], dir)
		m.Must("fs", "chmod", owner[2], dir)
		if tc.acl != "" {
			if out, code := runAs(m, owner[0], "fs", "setfacl", "-m", tc.acl, dir); code != 0 {
				t.Fatalf("%s: setfacl as the owner: %s", tc.name, out)
			}
		}
		args := []string{"fs"}
		for _, a := range tc.cmd {
			args = append(args, strings.ReplaceAll(a, "$", dir))
		}
		out, code := runAs(m, tc.user, args...)
		if tc.deny == "" {
			if code != 0 {
				t.Errorf("%s: %s as %s was refused: %s", tc.name, strings.Join(args, " "), tc.user, out)
			}
			continue
		}
		want := strings.ReplaceAll(strings.ReplaceAll(tc.deny, "$N", dir[1:]), "$", dir)
		if code == 0 || !strings.Contains(out, want) {
			t.Errorf("%s: %s as %s: exit %d, output\n%s\nwant the denial\n%s", tc.name, strings.Join(args, " "), tc.user, code, out, want)
		}
	}
}

// TestGetfaclAndMaskThroughTheCLI sets an ACL with a default part, reads
// it back with getfacl, and checks that a new file inherits it and that
// chmod's group bits act as the mask.
func TestGetfaclAndMaskThroughTheCLI(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t, permGroups)
	m.Must("fs", "mkdir", "/p")
	m.Must("fs", "chown", "alice:staff", "/p")
	m.Must("fs", "chmod", "750", "/p")
	if out, code := runAs(m, "alice", "fs", "setfacl", "-m", "user:bob:rwx,default:user::rwx,default:group::r-x,default:other::---,default:user:bob:rw-", "/p"); code != 0 {
		t.Fatal(out)
	}
	want := "# file: /p\n# owner: alice\n# group: staff\nuser::rwx\nuser:bob:rwx\ngroup::r-x\nmask::rwx\nother::---\n" +
		"default:user::rwx\ndefault:user:bob:rw-\ndefault:group::r-x\ndefault:mask::rwx\ndefault:other::---\n"
	if out := m.Must("fs", "getfacl", "/p"); out != want {
		t.Errorf("getfacl /p:\n%s\nwant\n%s", out, want)
	}
	if out, code := runAs(m, "alice", "fs", "touch", "/p/new"); code != 0 {
		t.Fatal(out)
	}
	if out := m.Must("fs", "getfacl", "/p/new"); !strings.Contains(out, "user:bob:rw-\n") {
		t.Errorf("/p/new did not inherit the default ACL:\n%s", out)
	}
	if out, code := runAs(m, "alice", "fs", "chmod", "700", "/p"); code != 0 {
		t.Fatal(out)
	}
	if out := m.Must("fs", "getfacl", "/p"); !strings.Contains(out, "user:bob:rwx\t#effective:---\n") {
		t.Errorf("after chmod 700 the mask should leave bob nothing:\n%s", out)
	}
	out, code := runAs(m, "bob", "fs", "touch", "/p/bobs")
	if code == 0 || !strings.Contains(out, "Permission denied: user=bob, access=--x, path=/p/bobs: failed at p") {
		t.Errorf("bob after the mask was cleared: exit %d: %s", code, out)
	}
	if out, code := runAs(m, "alice", "fs", "setfacl", "-b", "/p"); code != 0 {
		t.Fatal(out)
	}
	if out := m.Must("fs", "getfacl", "/p"); out != "# file: /p\n# owner: alice\n# group: staff\nuser::rwx\ngroup::---\nother::---\n" {
		t.Errorf("getfacl after setfacl -b:\n%s", out)
	}
}
