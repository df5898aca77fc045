package state

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
)

// testTime is the TimeMs the helpers stamp on entries that carry none.
const testTime int64 = 1_000_000

// seq feeds entries to s with the next sequence number, the way a journal
// does, and returns Apply's result.
func seq(s *State, e *journalpb.Entry) Result {
	e.Sequence = s.LastSequence() + 1
	if e.TimeMs == 0 {
		e.TimeMs = testTime
	}
	return s.Apply(e)
}

// mustApply applies entries that are expected to succeed.
func mustApply(t testing.TB, s *State, entries ...*journalpb.Entry) {
	t.Helper()
	for _, e := range entries {
		if r := seq(s, e); r.Err != nil {
			t.Fatalf("apply %v: %v", e, r.Err)
		}
	}
}

func mkfile(path string) *journalpb.Entry {
	return createFile(&journalpb.CreateFile{Path: path, Mode: 0o644, Owner: "u", Group: "g"})
}

func createFile(op *journalpb.CreateFile) *journalpb.Entry {
	if op.BlockSize == 0 {
		op.BlockSize = 64
	}
	return &journalpb.Entry{Op: &journalpb.Entry_CreateFile{CreateFile: op}}
}

func complete(path string, length int64) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_CompleteFile{CompleteFile: &journalpb.CompleteFile{Path: path, Length: length}}}
}

func mkdir(path string) *journalpb.Entry {
	return createDir(&journalpb.CreateDirectory{Path: path, Mode: 0o755, Owner: "u", Group: "g"})
}

func mkdirP(path string) *journalpb.Entry {
	return createDir(&journalpb.CreateDirectory{Path: path, Mode: 0o755, Owner: "u", Group: "g", Recursive: true})
}

func createDir(op *journalpb.CreateDirectory) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_CreateDirectory{CreateDirectory: op}}
}

func del(path string, recursive bool) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_Delete{Delete: &journalpb.Delete{Path: path, Recursive: recursive}}}
}

func rename(src, dst string) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_Rename{Rename: &journalpb.Rename{Src: src, Dst: dst}}}
}

func setAttr(op *journalpb.SetAttribute) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_SetAttribute{SetAttribute: op}}
}

func mount(path, uri string, readOnly bool) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_Mount{Mount: &journalpb.Mount{AlluxioPath: path, UfsUri: uri, ReadOnly: readOnly}}}
}

func unmount(path string) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_Unmount{Unmount: &journalpb.Unmount{AlluxioPath: path}}}
}

func syncMeta(op *journalpb.SyncMetadata) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_SyncMetadata{SyncMetadata: op}}
}

func ufsFile(name string, length, modMs int64) *journalpb.UfsStatus {
	return &journalpb.UfsStatus{Name: name, Length: length, ModificationTimeMs: modMs, Mode: 0o644, Owner: "ufs", Group: "ufs"}
}

func ufsDir(name string) *journalpb.UfsStatus {
	return &journalpb.UfsStatus{Name: name, IsDirectory: true, Mode: 0o755, Owner: "ufs", Group: "ufs"}
}

func ptr[T any](v T) *T { return &v }

// inodeDump is n's fields, its ACLs by value (not their addresses).
func inodeDump(n *Inode) string {
	c := n.copyOut()
	acl, def := c.ACL, c.DefaultACL
	c.ACL, c.DefaultACL = nil, nil
	out := fmt.Sprintf("%+v", c)
	if acl != nil {
		out += fmt.Sprintf(" acl=%+v", *acl)
	}
	if def != nil {
		out += fmt.Sprintf(" default=%+v", *def)
	}
	return out
}

// dump is a canonical text form of everything Apply can change: every inode
// (walked from "/" in name order), the mount table, the id counters, the TTL
// index and the retry cache. Two states with equal dumps answer every future
// entry the same way.
func dump(s *State) string {
	var b strings.Builder
	if err := s.Walk("/", func(path string, n *Inode) {
		fmt.Fprintf(&b, "%s %s\n", path, inodeDump(n))
	}); err != nil {
		fmt.Fprintf(&b, "walk: %v\n", err)
	}
	for _, m := range s.MountTable() {
		fmt.Fprintf(&b, "mount %+v\n", m)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fmt.Fprintf(&b, "next inode %d, next mount %d, inodes %d\n", s.nextID, s.mounts.nextID, len(s.byID))
	ttl := make([]int64, 0, len(s.ttl))
	for id := range s.ttl {
		ttl = append(ttl, id)
	}
	sort.Slice(ttl, func(i, j int) bool { return ttl[i] < ttl[j] })
	fmt.Fprintf(&b, "ttl %v\n", ttl)
	s.retry.each(func(id string, r Result) {
		fmt.Fprintf(&b, "retry %q %s\n", id, resultString(r))
	})
	for _, in := range s.intents.sorted(nil) {
		fmt.Fprintf(&b, "intent %v\n", in)
	}
	fmt.Fprintf(&b, "publishes %v\n", s.intents.publishOf)
	fmt.Fprintf(&b, "cluster %q ufs modes %v\n", s.clusterID, s.ufsModes)
	for _, k := range s.keys {
		fmt.Fprintf(&b, "blockkey %d %d %x\n", k.ID, k.ExpiresMs, k.Secret)
	}
	return b.String()
}

// treeDump is the part of dump a user can see: inodes and mounts.
func treeDump(s *State) string {
	var b strings.Builder
	_ = s.Walk("/", func(path string, n *Inode) { fmt.Fprintf(&b, "%s %s\n", path, inodeDump(n)) })
	for _, m := range s.MountTable() {
		fmt.Fprintf(&b, "mount %+v\n", m)
	}
	return b.String()
}

func resultString(r Result) string {
	if r.Err != nil {
		return fmt.Sprintf("inode %d err %q", r.InodeID, r.Err.Error())
	}
	return fmt.Sprintf("inode %d", r.InodeID)
}

// diff returns the first differing line of two dumps, for readable failures.
func diff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, x, y)
		}
	}
	return "no difference"
}

func checkErr(t testing.TB, got, want error) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Fatalf("unexpected error: %v", got)
	case want != nil && got == nil:
		t.Fatalf("no error, want %v", want)
	case want != nil && !errors.Is(got, want):
		t.Fatalf("error %v, want %v", got, want)
	}
}

func stat(t testing.TB, s *State, path string) Inode {
	t.Helper()
	n, err := s.Stat(path)
	if err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	return n
}

func exists(s *State, path string) bool {
	_, err := s.Stat(path)
	return err == nil
}

// paths lists every path in the namespace below "/", in walk order.
func paths(s *State) []string {
	var out []string
	_ = s.Walk("/", func(p string, _ *Inode) {
		if p != "/" {
			out = append(out, p)
		}
	})
	return out
}

func entriesDump(es []Entry) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%s %s\n", e.Path, inodeDump(&e.Inode))
	}
	return b.String()
}
