package state

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

func completeX(path string, length int64, x map[string][]byte) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_CompleteFile{CompleteFile: &journalpb.CompleteFile{Path: path, Length: length, Xattr: x}}}
}

func xattrOf(t *testing.T, s *State, path string) map[string]string {
	t.Helper()
	n, err := s.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range n.Xattr {
		out[k] = string(v)
	}
	return out
}

func TestXattrSetAtCompleteAndBySetAttribute(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, mkfile("/f"), completeX("/f", 3, map[string][]byte{"etag": []byte("e1"), "type": []byte("text/plain")}))
	before, _ := s.Stat("/f")
	if got := xattrOf(t, s, "/f"); got["etag"] != "e1" || got["type"] != "text/plain" || len(got) != 2 {
		t.Fatalf("after complete: %v", got)
	}
	// Union: names given replace, others stay.
	mustApply(t, s, setAttr(&journalpb.SetAttribute{Path: "/f", Xattr: map[string][]byte{"type": []byte("image/png"), "m": []byte("1")}}))
	if got := xattrOf(t, s, "/f"); got["etag"] != "e1" || got["type"] != "image/png" || got["m"] != "1" || len(got) != 3 {
		t.Fatalf("after union: %v", got)
	}
	// A copy handed out earlier does not see later changes.
	if string(before.Xattr["type"]) != "text/plain" {
		t.Fatalf("an inode copy changed under its holder: %v", before.Xattr)
	}
	// Replace all.
	mustApply(t, s, setAttr(&journalpb.SetAttribute{Path: "/f", Xattr: map[string][]byte{"etag": []byte("e1")}, XattrReplaceAll: true}))
	if got := xattrOf(t, s, "/f"); len(got) != 1 || got["etag"] != "e1" {
		t.Fatalf("after replace: %v", got)
	}
	// Renames keep them.
	mustApply(t, s, rename("/f", "/g"))
	if got := xattrOf(t, s, "/g"); got["etag"] != "e1" {
		t.Fatalf("after rename: %v", got)
	}
}

func TestXattrLimitsRefusedWhole(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, mkfile("/f"), mkdir("/d"))
	big := map[string][]byte{"v": bytes.Repeat([]byte("x"), MaxXattrBytes)}
	cases := map[string]*journalpb.Entry{
		"too many bytes":   completeX("/f", 1, big),
		"name too long":    setAttr(&journalpb.SetAttribute{Path: "/f", Xattr: map[string][]byte{strings.Repeat("k", MaxXattrKey+1): nil}}),
		"empty name":       setAttr(&journalpb.SetAttribute{Path: "/f", Xattr: map[string][]byte{"": []byte("v")}}),
		"recursive xattrs": setAttr(&journalpb.SetAttribute{Path: "/d", Recursive: true, Xattr: map[string][]byte{"a": nil}}),
	}
	many := map[string][]byte{}
	for i := range MaxXattrEntries + 1 {
		many[strings.Repeat("n", i+1)] = nil
	}
	cases["too many names"] = setAttr(&journalpb.SetAttribute{Path: "/f", Xattr: many})
	for name, e := range cases {
		if r := seq(s, e); !errors.Is(r.Err, errs.ErrInvalidArg) {
			t.Errorf("%s: %v, want invalid argument", name, r.Err)
		}
	}
	n, _ := s.Stat("/f")
	if n.Completed || len(n.Xattr) != 0 {
		t.Fatalf("a refused entry changed the file: completed=%v xattr=%d", n.Completed, len(n.Xattr))
	}
}

func TestXattrInCheckpoint(t *testing.T) {
	a := New(Options{})
	mustApply(t, a, mkfile("/f"), completeX("/f", 1, map[string][]byte{"etag": []byte("abc"), "bin": {0, 255}}))
	b := New(Options{})
	if err := b.Restore(bytes.NewReader(checkpointOf(t, a)), "x"); err != nil {
		t.Fatal(err)
	}
	if got := xattrOf(t, b, "/f"); got["etag"] != "abc" || got["bin"] != "\x00\xff" {
		t.Fatalf("restored: %v", got)
	}
	_, _, da := a.Digest()
	_, _, db := b.Digest()
	if da != db {
		t.Fatal("digests differ after restore")
	}
}
