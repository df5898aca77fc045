package state

import (
	"errors"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// applyCase is one entry applied on top of a setup. A case that expects an
// error also checks that the rejected entry changed nothing at all.
type applyCase struct {
	name    string
	setup   []*journalpb.Entry
	entry   *journalpb.Entry
	wantErr error
	check   func(t *testing.T, s *State, r Result)
}

func runApplyCases(t *testing.T, cases []applyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{RootOwner: "root", RootGroup: "root"})
			mustApply(t, s, tc.setup...)
			before := dump(s)
			r := seq(s, tc.entry)
			checkErr(t, r.Err, tc.wantErr)
			if tc.wantErr != nil {
				if after := dump(s); after != before {
					t.Fatalf("a rejected entry changed the state: %s", diff(before, after))
				}
				if r.Err.Error() == "" || strings.Contains(r.Err.Error(), "%!") {
					t.Fatalf("unclear error message %q", r.Err.Error())
				}
			}
			if got := s.LastSequence(); got != uint64(len(tc.setup)+1) {
				t.Fatalf("LastSequence %d, want %d (a rejected entry is still consumed)", got, len(tc.setup)+1)
			}
			if tc.check != nil {
				tc.check(t, s, r)
			}
		})
	}
}

func rootMount() *journalpb.Entry { return mount("/", "file:///ufs", false) }

func TestApplyCreateFile(t *testing.T) {
	runApplyCases(t, []applyCase{
		{
			name:  "create",
			setup: []*journalpb.Entry{mkdir("/d")},
			entry: createFile(&journalpb.CreateFile{Path: "/d/f", Mode: 0o600, Owner: "alice", Group: "staff", BlockSize: 128}),
			check: func(t *testing.T, s *State, r Result) {
				n := stat(t, s, "/d/f")
				if n.ID != r.InodeID || n.IsDir || n.Completed || n.Owner != "alice" || n.Group != "staff" ||
					n.Mode != 0o600 || n.BlockSize != 128 || n.Persistence != journalpb.PersistenceState_NOT_PERSISTED ||
					n.TTLMs != -1 || n.CreationMs != testTime || n.ModMs != testTime || n.ParentID != stat(t, s, "/d").ID {
					t.Fatalf("inode %+v", n)
				}
				if d := stat(t, s, "/d"); d.ModMs != testTime {
					t.Fatalf("parent modification time %d", d.ModMs)
				}
			},
		},
		{
			name:    "missing parent without recursive",
			entry:   mkfile("/a/b/f"),
			wantErr: errs.ErrNotFound,
		},
		{
			name:  "recursive creates the parents",
			entry: createFile(&journalpb.CreateFile{Path: "/a/b/f", Owner: "alice", Group: "staff", Mode: 0o600, Recursive: true, Persisted: true}),
			check: func(t *testing.T, s *State, r Result) {
				for _, p := range []string{"/a", "/a/b"} {
					n := stat(t, s, p)
					if !n.IsDir || n.Owner != "alice" || n.Group != "staff" || n.Mode != 0o755 || !n.Persisted() {
						t.Fatalf("%s: %+v", p, n)
					}
				}
				if f := stat(t, s, "/a/b/f"); f.ID != r.InodeID || !f.Persisted() {
					t.Fatalf("file %+v", f)
				}
			},
		},
		{
			name:    "already exists",
			setup:   []*journalpb.Entry{mkfile("/f")},
			entry:   mkfile("/f"),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:    "already exists as a directory",
			setup:   []*journalpb.Entry{mkdir("/d")},
			entry:   mkfile("/d"),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:    "overwrite does not replace a directory",
			setup:   []*journalpb.Entry{mkdir("/d")},
			entry:   createFile(&journalpb.CreateFile{Path: "/d", Overwrite: true}),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name: "overwrite replaces a file",
			setup: []*journalpb.Entry{mkfile("/f"), complete("/f", 100),
				setAttr(&journalpb.SetAttribute{Path: "/f", TtlMs: ptr(int64(10))})},
			entry: createFile(&journalpb.CreateFile{Path: "/f", Overwrite: true}),
			check: func(t *testing.T, s *State, r Result) {
				n := stat(t, s, "/f")
				if n.ID != r.InodeID || n.ID == 1 || n.Completed || n.Length != 0 || n.TTLMs != -1 {
					t.Fatalf("new inode %+v", n)
				}
				if _, _, err := s.StatID(1); !errors.Is(err, errs.ErrNotFound) {
					t.Fatalf("old inode still there: %v", err)
				}
				if got := s.Expired(1 << 40); len(got) != 0 {
					t.Fatalf("the old file's TTL survived: %v", got)
				}
			},
		},
		{
			name:    "parent is a file",
			setup:   []*journalpb.Entry{mkfile("/f")},
			entry:   mkfile("/f/g"),
			wantErr: errs.ErrNotDirectory,
		},
		{
			name:    "ancestor is a file, recursive",
			setup:   []*journalpb.Entry{mkdir("/d"), mkfile("/d/f")},
			entry:   createFile(&journalpb.CreateFile{Path: "/d/f/x/y", Recursive: true}),
			wantErr: errs.ErrNotDirectory,
		},
		{
			name:    "root",
			entry:   mkfile("/"),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:    "block size must be positive",
			entry:   createFile(&journalpb.CreateFile{Path: "/f", BlockSize: -1}),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "relative path",
			entry:   mkfile("f"),
			wantErr: errs.ErrInvalidPath,
		},
		{
			name:    "dot dot",
			setup:   []*journalpb.Entry{mkdir("/d")},
			entry:   mkfile("/d/../f"),
			wantErr: errs.ErrInvalidPath,
		},
		{
			name:  "with a TTL",
			entry: createFile(&journalpb.CreateFile{Path: "/f", TtlMs: 500, TtlAction: journalpb.TtlAction_TTL_DELETE}),
			check: func(t *testing.T, s *State, r Result) {
				if got := s.Expired(testTime + 499); len(got) != 0 {
					t.Fatalf("expired too early: %v", got)
				}
				got := s.Expired(testTime + 500)
				if len(got) != 1 || got[0].Path != "/f" || got[0].Inode.TTLAction != journalpb.TtlAction_TTL_DELETE {
					t.Fatalf("Expired = %v", got)
				}
			},
		},
		{
			name:  "no operation",
			entry: &journalpb.Entry{},
			// An entry without an operation is damage, not a request.
			wantErr: errs.ErrCorrupt,
		},
	})
}

func TestApplyCompleteFile(t *testing.T) {
	runApplyCases(t, []applyCase{
		{
			name:  "complete",
			setup: []*journalpb.Entry{mkfile("/f")},
			entry: &journalpb.Entry{TimeMs: testTime + 7, Op: &journalpb.Entry_CompleteFile{CompleteFile: &journalpb.CompleteFile{Path: "/f", Length: 130, Persisted: true}}},
			check: func(t *testing.T, s *State, r Result) {
				n := stat(t, s, "/f")
				if !n.Completed || n.Length != 130 || !n.Persisted() || n.ModMs != testTime+7 {
					t.Fatalf("inode %+v", n)
				}
				ids := n.BlockIDs()
				if len(ids) != 3 || blockid.FileID(ids[2]) != n.ID || ids[2] != blockid.New(n.ID, 2) {
					t.Fatalf("block ids %v", ids)
				}
			},
		},
		{
			name:    "twice",
			setup:   []*journalpb.Entry{mkfile("/f"), complete("/f", 1)},
			entry:   complete("/f", 2),
			wantErr: errs.ErrPrecondition,
		},
		{
			name:    "a directory",
			setup:   []*journalpb.Entry{mkdir("/d")},
			entry:   complete("/d", 0),
			wantErr: errs.ErrIsDirectory,
		},
		{
			name:    "missing",
			entry:   complete("/f", 0),
			wantErr: errs.ErrNotFound,
		},
		{
			name:    "negative length",
			setup:   []*journalpb.Entry{mkfile("/f")},
			entry:   complete("/f", -1),
			wantErr: errs.ErrInvalidArg,
		},
	})
}

func TestApplyCreateDirectory(t *testing.T) {
	runApplyCases(t, []applyCase{
		{
			name:  "mkdir",
			entry: createDir(&journalpb.CreateDirectory{Path: "/d", Mode: 0o700, Owner: "alice", Group: "staff"}),
			check: func(t *testing.T, s *State, r Result) {
				n := stat(t, s, "/d")
				if n.ID != r.InodeID || !n.IsDir || !n.Completed || n.Mode != 0o700 || n.Owner != "alice" ||
					!n.ChildrenLoaded || n.Persisted() {
					t.Fatalf("inode %+v", n)
				}
			},
		},
		{
			name:    "missing parent",
			entry:   mkdir("/a/b"),
			wantErr: errs.ErrNotFound,
		},
		{
			name:  "recursive",
			entry: createDir(&journalpb.CreateDirectory{Path: "/a/b/c", Mode: 0o700, Owner: "alice", Recursive: true, Persisted: true}),
			check: func(t *testing.T, s *State, r Result) {
				for _, p := range []string{"/a", "/a/b", "/a/b/c"} {
					if n := stat(t, s, p); !n.IsDir || n.Mode != 0o700 || n.Owner != "alice" || !n.Persisted() {
						t.Fatalf("%s: %+v", p, n)
					}
				}
			},
		},
		{
			name:    "exists",
			setup:   []*journalpb.Entry{mkdir("/d")},
			entry:   mkdir("/d"),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:  "allow exists",
			setup: []*journalpb.Entry{mkdir("/d"), mkfile("/d/f")},
			entry: createDir(&journalpb.CreateDirectory{Path: "/d", AllowExists: true, Mode: 0o700}),
			check: func(t *testing.T, s *State, r Result) {
				if n := stat(t, s, "/d"); n.ID != r.InodeID || n.Mode != 0o755 || !exists(s, "/d/f") {
					t.Fatalf("allow_exists changed the directory: %+v", n)
				}
			},
		},
		{
			name:  "allow exists on the root",
			entry: createDir(&journalpb.CreateDirectory{Path: "/", AllowExists: true}),
			check: func(t *testing.T, s *State, r Result) {
				if r.InodeID != RootID {
					t.Fatalf("inode %d", r.InodeID)
				}
			},
		},
		{
			name:    "root",
			entry:   mkdir("/"),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:    "allow exists over a file",
			setup:   []*journalpb.Entry{mkfile("/f")},
			entry:   createDir(&journalpb.CreateDirectory{Path: "/f", AllowExists: true}),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:    "below a file",
			setup:   []*journalpb.Entry{mkfile("/f")},
			entry:   mkdirP("/f/d/e"),
			wantErr: errs.ErrNotDirectory,
		},
		{
			name:    "invalid path",
			entry:   mkdir("/a//b"),
			wantErr: errs.ErrInvalidPath,
		},
	})
}

func TestApplyDelete(t *testing.T) {
	tree := func() []*journalpb.Entry {
		return []*journalpb.Entry{mkdirP("/d/e"), mkfile("/d/f"), mkfile("/d/e/g"), mkdir("/empty")}
	}
	runApplyCases(t, []applyCase{
		{
			name:  "file",
			setup: tree(),
			entry: del("/d/f", false),
			check: func(t *testing.T, s *State, r Result) {
				if exists(s, "/d/f") || r.InodeID == 0 {
					t.Fatalf("still there, result %+v", r)
				}
			},
		},
		{
			name:  "empty directory",
			setup: tree(),
			entry: del("/empty", false),
		},
		{
			name:    "non-empty without recursive",
			setup:   tree(),
			entry:   del("/d", false),
			wantErr: errs.ErrNotEmpty,
		},
		{
			name:  "recursive",
			setup: append(tree(), setAttr(&journalpb.SetAttribute{Path: "/d/e/g", TtlMs: ptr(int64(1))})),
			entry: del("/d", true),
			check: func(t *testing.T, s *State, r Result) {
				if got := paths(s); len(got) != 1 || got[0] != "/empty" {
					t.Fatalf("left %v", got)
				}
				if s.InodeCount() != 2 {
					t.Fatalf("%d inodes remain indexed", s.InodeCount())
				}
				if got := s.Expired(1 << 40); len(got) != 0 {
					t.Fatalf("TTL of a deleted file remains: %v", got)
				}
			},
		},
		{
			name:    "root",
			setup:   tree(),
			entry:   del("/", true),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "missing",
			entry:   del("/nope", true),
			wantErr: errs.ErrNotFound,
		},
		{
			name:    "a mount point",
			setup:   []*journalpb.Entry{rootMount(), mount("/m", "s3://b", false)},
			entry:   del("/m", true),
			wantErr: errs.ErrPrecondition,
		},
		{
			name:    "a directory holding a mount point",
			setup:   []*journalpb.Entry{rootMount(), mkdir("/d"), mount("/d/m", "s3://b", false)},
			entry:   del("/d", true),
			wantErr: errs.ErrPrecondition,
		},
		{
			name:    "in a read-only mount",
			setup:   []*journalpb.Entry{rootMount(), mount("/ro", "s3://b", true), syncMeta(&journalpb.SyncMetadata{Path: "/ro/f", Exists: true, Status: ufsFile("f", 1, 1), BlockSize: 64})},
			entry:   del("/ro/f", false),
			wantErr: errs.ErrPermission,
		},
	})
}

func TestApplyRename(t *testing.T) {
	tree := func() []*journalpb.Entry {
		return []*journalpb.Entry{mkdirP("/a/b"), mkfile("/a/b/f"), mkdir("/c"), mkfile("/g")}
	}
	mounts := func() []*journalpb.Entry {
		return []*journalpb.Entry{rootMount(), mount("/m1", "s3://one", false), mount("/m2", "s3://two", false),
			mount("/ro", "s3://ro", true), mkdir("/m1/d"), mkfile("/m1/f"), mkdir("/x"),
			syncMeta(&journalpb.SyncMetadata{Path: "/ro/f", Exists: true, Status: ufsFile("f", 1, 1), BlockSize: 64})}
	}
	runApplyCases(t, []applyCase{
		{
			name:  "a directory with children",
			setup: tree(),
			entry: &journalpb.Entry{TimeMs: testTime + 5, Op: &journalpb.Entry_Rename{Rename: &journalpb.Rename{Src: "/a", Dst: "/c/z"}}},
			check: func(t *testing.T, s *State, r Result) {
				n := stat(t, s, "/c/z/b/f")
				_, p, err := s.StatID(n.ID)
				if err != nil || p != "/c/z/b/f" || exists(s, "/a") {
					t.Fatalf("path %q, err %v", p, err)
				}
				z := stat(t, s, "/c/z")
				// The moved inode keeps its time; the directories it left and entered take the rename's.
				if z.ID != r.InodeID || z.Name != "z" || z.ParentID != stat(t, s, "/c").ID || z.ModMs != testTime {
					t.Fatalf("moved inode %+v", z)
				}
				if c := stat(t, s, "/c"); c.ModMs != testTime+5 {
					t.Fatalf("destination parent time %d", c.ModMs)
				}
				if root := stat(t, s, "/"); root.ModMs != testTime+5 {
					t.Fatalf("source parent time %d", root.ModMs)
				}
			},
		},
		{
			name:  "a file in place",
			setup: tree(),
			entry: rename("/g", "/h"),
			check: func(t *testing.T, s *State, r Result) {
				if !exists(s, "/h") || exists(s, "/g") {
					t.Fatal("not renamed")
				}
			},
		},
		{
			name:    "into itself",
			setup:   tree(),
			entry:   rename("/a", "/a/b/x"),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "to itself",
			setup:   tree(),
			entry:   rename("/a/b", "/a/b/"),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:    "to an existing file",
			setup:   tree(),
			entry:   rename("/a/b/f", "/g"),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:    "to an existing directory",
			setup:   tree(),
			entry:   rename("/g", "/c"),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:    "missing source",
			setup:   tree(),
			entry:   rename("/nope", "/x"),
			wantErr: errs.ErrNotFound,
		},
		{
			name:    "missing destination parent",
			setup:   tree(),
			entry:   rename("/g", "/no/g"),
			wantErr: errs.ErrNotFound,
		},
		{
			name:    "destination parent is a file",
			setup:   tree(),
			entry:   rename("/c", "/g/c"),
			wantErr: errs.ErrNotDirectory,
		},
		{
			name:    "invalid destination",
			setup:   tree(),
			entry:   rename("/g", "g2"),
			wantErr: errs.ErrInvalidPath,
		},
		{
			name:    "the root",
			setup:   tree(),
			entry:   rename("/", "/r"),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:  "within a mount",
			setup: mounts(),
			entry: rename("/m1/f", "/m1/d/f"),
		},
		{
			name:    "across mounts",
			setup:   mounts(),
			entry:   rename("/m1/f", "/m2/f"),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "out of a mount into the root mount",
			setup:   mounts(),
			entry:   rename("/m1/f", "/x/f"),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "a mount point",
			setup:   mounts(),
			entry:   rename("/m1", "/x/m1"),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "a directory holding a mount point",
			setup:   append(mounts(), mount("/x/m3", "s3://three", false)),
			entry:   rename("/x", "/y"),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "in a read-only mount",
			setup:   mounts(),
			entry:   rename("/ro/f", "/ro/g"),
			wantErr: errs.ErrPermission,
		},
	})
}

func TestApplySetAttribute(t *testing.T) {
	tree := func() []*journalpb.Entry {
		return []*journalpb.Entry{mkdirP("/d/e"), mkfile("/d/f"), mkfile("/d/e/g")}
	}
	runApplyCases(t, []applyCase{
		{
			name:  "only the fields that are set",
			setup: tree(),
			entry: &journalpb.Entry{TimeMs: testTime + 9, Op: &journalpb.Entry_SetAttribute{SetAttribute: &journalpb.SetAttribute{
				Path: "/d/f", Mode: ptr(uint32(0o640)), Pinned: ptr(true),
				PersistenceState: ptr(journalpb.PersistenceState_TO_BE_PERSISTED)}}},
			check: func(t *testing.T, s *State, r Result) {
				n := stat(t, s, "/d/f")
				if n.Mode != 0o640 || !n.Pinned || n.Owner != "u" || n.Group != "g" || n.ModMs != testTime+9 ||
					n.Persistence != journalpb.PersistenceState_TO_BE_PERSISTED {
					t.Fatalf("inode %+v", n)
				}
			},
		},
		{
			name:  "a modification time given wins over the entry's",
			setup: tree(),
			entry: &journalpb.Entry{TimeMs: testTime + 9, Op: &journalpb.Entry_SetAttribute{SetAttribute: &journalpb.SetAttribute{
				Path: "/d/f", ModificationTimeMs: ptr(int64(42_000))}}},
			check: func(t *testing.T, s *State, r Result) {
				if n := stat(t, s, "/d/f"); n.ModMs != 42_000 || n.Mode != 0o644 {
					t.Fatalf("inode %+v", n)
				}
			},
		},
		{
			name:  "recursive",
			setup: tree(),
			entry: setAttr(&journalpb.SetAttribute{Path: "/d", Owner: ptr("bob"), Group: ptr("eng"), Recursive: true,
				PersistenceState: ptr(journalpb.PersistenceState_PERSISTED)}),
			check: func(t *testing.T, s *State, r Result) {
				for _, p := range []string{"/d", "/d/e", "/d/f", "/d/e/g"} {
					n := stat(t, s, p)
					if n.Owner != "bob" || n.Group != "eng" {
						t.Fatalf("%s: %+v", p, n)
					}
					if !n.IsDir && !n.Persisted() {
						t.Fatalf("%s: persistence %v", p, n.Persistence)
					}
				}
				if root := stat(t, s, "/"); root.Owner != "root" {
					t.Fatalf("the parent changed: %+v", root)
				}
			},
		},
		{
			name:  "not recursive",
			setup: tree(),
			entry: setAttr(&journalpb.SetAttribute{Path: "/d", Owner: ptr("bob")}),
			check: func(t *testing.T, s *State, r Result) {
				if stat(t, s, "/d").Owner != "bob" || stat(t, s, "/d/f").Owner != "u" {
					t.Fatal("wrong inodes changed")
				}
			},
		},
		{
			name:  "recursive TTL is indexed for every inode",
			setup: tree(),
			entry: setAttr(&journalpb.SetAttribute{Path: "/d", TtlMs: ptr(int64(100)), Recursive: true}),
			check: func(t *testing.T, s *State, r Result) {
				if got := s.Expired(testTime + 100); len(got) != 4 {
					t.Fatalf("Expired = %v", got)
				}
				mustApply(t, s, setAttr(&journalpb.SetAttribute{Path: "/d/e", TtlMs: ptr(int64(-1)), Recursive: true}))
				got := s.Expired(testTime + 100)
				if len(got) != 2 || got[0].Path != "/d" || got[1].Path != "/d/f" {
					t.Fatalf("after clearing /d/e: %v", got)
				}
			},
		},
		{
			name:  "TTL action alone keeps the TTL",
			setup: append(tree(), setAttr(&journalpb.SetAttribute{Path: "/d/f", TtlMs: ptr(int64(100))})),
			entry: setAttr(&journalpb.SetAttribute{Path: "/d/f", TtlAction: ptr(journalpb.TtlAction_TTL_DELETE_ALLUXIO)}),
			check: func(t *testing.T, s *State, r Result) {
				got := s.Expired(testTime + 100)
				if len(got) != 1 || got[0].Inode.TTLMs != 100 || got[0].Inode.TTLAction != journalpb.TtlAction_TTL_DELETE_ALLUXIO {
					t.Fatalf("Expired = %v", got)
				}
			},
		},
		{
			name:    "mode out of range",
			setup:   tree(),
			entry:   setAttr(&journalpb.SetAttribute{Path: "/d", Mode: ptr(uint32(0o10000))}),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "missing",
			entry:   setAttr(&journalpb.SetAttribute{Path: "/nope", Pinned: ptr(true)}),
			wantErr: errs.ErrNotFound,
		},
	})
}

// TestTTLBookkeeping follows the TTL index through every operation that
// creates, moves or removes inodes.
func TestTTLBookkeeping(t *testing.T) {
	s := New(Options{})
	mustApply(t, s,
		mkdir("/d"),
		createFile(&journalpb.CreateFile{Path: "/d/a", TtlMs: 100}),
		createFile(&journalpb.CreateFile{Path: "/d/b", TtlMs: 300, TtlAction: journalpb.TtlAction_TTL_DELETE}),
		createFile(&journalpb.CreateFile{Path: "/c", TtlMs: 0}),
	)
	expired := func(now int64) []string {
		var out []string
		for _, e := range s.Expired(testTime + now) {
			out = append(out, e.Path)
		}
		return out
	}
	check := func(now int64, want ...string) {
		t.Helper()
		if got := expired(now); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("Expired(+%d) = %v, want %v", now, got, want)
		}
	}
	check(99)
	check(100, "/d/a")
	check(300, "/d/a", "/d/b")
	mustApply(t, s, rename("/d", "/e"))
	check(300, "/e/a", "/e/b")
	mustApply(t, s, del("/e/a", false))
	check(300, "/e/b")
	mustApply(t, s, setAttr(&journalpb.SetAttribute{Path: "/c", TtlMs: ptr(int64(50))}))
	check(300, "/c", "/e/b")
	mustApply(t, s, setAttr(&journalpb.SetAttribute{Path: "/e/b", TtlMs: ptr(int64(0))}))
	check(300, "/c")
}
