package state

import (
	"bytes"
	"errors"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

func setACL(path string, action journalpb.AclAction, recursive bool, entries ...string) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_SetAcl{SetAcl: &journalpb.SetAcl{Path: path, Action: action, Entries: entries, Recursive: recursive}}}
}

func TestSetAclInheritAndCheckpoint(t *testing.T) {
	s := New(Options{RootOwner: "root", RootGroup: "root"})
	mustApply(t, s, rootMount(), mkdirP("/d/e"), mkfile("/d/e/f"),
		setACL("/d", journalpb.AclAction_ACL_MODIFY, false, "user:bob:rwx,default:user::rwx,default:group::r-x,default:other::---,default:user:bob:rw-"))
	d := stat(t, s, "/d")
	if d.ACL == nil || d.DefaultACL == nil || d.Mode&0o070 != 0o070 {
		t.Fatalf("/d after setfacl: %s", inodeDump(&d))
	}
	mustApply(t, s, createFile(&journalpb.CreateFile{Path: "/d/g", Mode: 0o666, BlockSize: 1}), mkdir("/d/sub"))
	if g := stat(t, s, "/d/g"); g.ACL == nil || g.DefaultACL != nil || g.Mode != 0o660 {
		t.Errorf("/d/g did not inherit /d's default ACL: %s", inodeDump(&g))
	}
	if sub := stat(t, s, "/d/sub"); sub.DefaultACL == nil {
		t.Errorf("/d/sub did not keep /d's default ACL as its own: %s", inodeDump(&sub))
	}
	// A refused entry changes nothing, below the path either.
	before := dump(s)
	r := seq(s, setACL("/d", journalpb.AclAction_ACL_REPLACE, true, "user::rwx"))
	if !errors.Is(r.Err, errs.ErrInvalidArg) {
		t.Fatalf("--set without group:: and other::: %v", r.Err)
	}
	if after := dump(s); after != before {
		t.Fatalf("a refused setfacl changed the state: %s", diff(before, after))
	}
	var buf bytes.Buffer
	if _, err := s.WriteCheckpoint(&buf, 1); err != nil {
		t.Fatal(err)
	}
	b := New(Options{RootOwner: "root", RootGroup: "root"})
	if err := b.Restore(&buf, "ckpt"); err != nil {
		t.Fatal(err)
	}
	if treeDump(s) != treeDump(b) {
		t.Fatalf("ACLs did not survive a checkpoint: %s", diff(treeDump(s), treeDump(b)))
	}
	_, _, da := s.Digest()
	if _, _, db := b.Digest(); da != db {
		t.Fatal("digests differ after a checkpoint round trip")
	}
}

func TestBlockKeysJournaledExpiredAndCheckpointed(t *testing.T) {
	s := New(Options{})
	key := func(id, expires, at int64, secret string) *journalpb.Entry {
		return &journalpb.Entry{TimeMs: at, Op: &journalpb.Entry_BlockKey{BlockKey: &journalpb.BlockKey{Id: id, Secret: []byte(secret), ExpiresMs: expires}}}
	}
	const sec = "0123456789abcdef0123456789abcdef"
	mustApply(t, s, key(1, 1000, 10, sec), key(2, 2000, 500, sec))
	for _, bad := range []*journalpb.Entry{key(2, 3000, 600, sec), key(3, 3000, 600, "short"), key(3, 500, 600, sec)} {
		if r := seq(s, bad); !errors.Is(r.Err, errs.ErrInvalidArg) {
			t.Errorf("%v was taken: %v", bad, r.Err)
		}
	}
	// Key 1 has expired at the time of key 3's entry: it goes.
	mustApply(t, s, key(3, 3000, 1500, sec))
	if ks := s.BlockKeys(); len(ks) != 2 || ks[0].ID != 2 || ks[1].ID != 3 {
		t.Fatalf("keys %+v, want 2 and 3", ks)
	}
	var buf bytes.Buffer
	if _, err := s.WriteCheckpoint(&buf, 1); err != nil {
		t.Fatal(err)
	}
	b := New(Options{})
	if err := b.Restore(&buf, "ckpt"); err != nil {
		t.Fatal(err)
	}
	if dump(b) != dump(s) {
		t.Fatalf("keys after a checkpoint: %s", diff(dump(s), dump(b)))
	}
}
