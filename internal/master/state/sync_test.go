package state

import (
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

func TestApplySync(t *testing.T) {
	// base mounts the root and makes a persisted tree as a sync would load
	// it, plus Alluxio-only (not persisted) inodes next to it.
	base := func(more ...*journalpb.Entry) []*journalpb.Entry {
		return append([]*journalpb.Entry{
			rootMount(),
			syncMeta(&journalpb.SyncMetadata{Path: "/p", Exists: true, Status: ufsDir("p"), ListedChildren: true, BlockSize: 64,
				Children: []*journalpb.UfsStatus{ufsFile("keep", 10, 100), ufsFile("gone", 10, 100), ufsDir("sub")}}),
			syncMeta(&journalpb.SyncMetadata{Path: "/p/sub", Exists: true, Status: ufsDir("sub"), ListedChildren: true, BlockSize: 64,
				Children: []*journalpb.UfsStatus{ufsFile("x", 1, 1)}}),
			mkfile("/p/local"),
			mkdir("/p/localdir"),
		}, more...)
	}
	runApplyCases(t, []applyCase{
		{
			name:  "load a missing path and its missing ancestors",
			setup: []*journalpb.Entry{rootMount(), mkdir("/a")},
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/a/b/c/f", Exists: true, Status: ufsFile("f", 200, 77), BlockSize: 64,
				MissingAncestors: []*journalpb.UfsStatus{ufsDir("b"), ufsDir("c")}}),
			check: func(t *testing.T, s *State, r Result) {
				for _, p := range []string{"/a/b", "/a/b/c"} {
					n := stat(t, s, p)
					if !n.IsDir || !n.Persisted() || n.Owner != "ufs" || n.ChildrenLoaded {
						t.Fatalf("%s: %+v", p, n)
					}
				}
				f := stat(t, s, "/a/b/c/f")
				if f.ID != r.InodeID || f.IsDir || !f.Completed || !f.Persisted() || f.Length != 200 || f.BlockSize != 64 ||
					f.UfsModMs != 77 || f.ModMs != 77 || f.LastSyncMs != testTime || len(f.BlockIDs()) != 4 {
					t.Fatalf("file %+v", f)
				}
			},
		},
		{
			name:  "missing ancestors not given",
			setup: []*journalpb.Entry{rootMount()},
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/a/b/f", Exists: true, Status: ufsFile("f", 1, 1),
				MissingAncestors: []*journalpb.UfsStatus{ufsDir("a")}}),
			wantErr: errs.ErrNotFound,
		},
		{
			name:  "missing ancestor named wrong",
			setup: []*journalpb.Entry{rootMount()},
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/a/b/f", Exists: true, Status: ufsFile("f", 1, 1),
				MissingAncestors: []*journalpb.UfsStatus{ufsDir("a"), ufsDir("x")}}),
			wantErr: errs.ErrNotFound,
		},
		{
			name:  "missing ancestor is a file",
			setup: []*journalpb.Entry{rootMount()},
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/a/b/f", Exists: true, Status: ufsFile("f", 1, 1),
				MissingAncestors: []*journalpb.UfsStatus{ufsDir("a"), ufsFile("b", 1, 1)}}),
			wantErr: errs.ErrNotFound,
		},
		{
			name:    "ancestor is a file in Alluxio",
			setup:   []*journalpb.Entry{rootMount(), mkfile("/f")},
			entry:   syncMeta(&journalpb.SyncMetadata{Path: "/f/g", Exists: true, Status: ufsFile("g", 1, 1)}),
			wantErr: errs.ErrNotDirectory,
		},
		{
			name:    "exists without a status",
			setup:   []*journalpb.Entry{rootMount()},
			entry:   syncMeta(&journalpb.SyncMetadata{Path: "/f", Exists: true}),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "invalid path",
			entry:   syncMeta(&journalpb.SyncMetadata{Path: "f"}),
			wantErr: errs.ErrInvalidPath,
		},
		{
			name:  "listing removes persisted children only",
			setup: base(),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/p", Exists: true, Status: ufsDir("p"), ListedChildren: true, BlockSize: 64,
				Children: []*journalpb.UfsStatus{ufsFile("keep", 10, 100), ufsFile("new", 3, 3), ufsDir("newdir"), {Name: "bad/name"}, {Name: ".."}}}),
			check: func(t *testing.T, s *State, r Result) {
				want := []string{"/p", "/p/keep", "/p/local", "/p/localdir", "/p/new", "/p/newdir"}
				if got := paths(s); !equal(got, want) {
					t.Fatalf("paths %v, want %v", got, want)
				}
				if p := stat(t, s, "/p"); !p.ChildrenLoaded || p.LastSyncMs != testTime || p.ID != r.InodeID {
					t.Fatalf("directory %+v", p)
				}
				if n := stat(t, s, "/p/new"); !n.Persisted() || n.Length != 3 {
					t.Fatalf("new file %+v", n)
				}
			},
		},
		{
			name: "listing never removes what lives only in Alluxio",
			// /p/sub is persisted and absent from the listing, but holds a
			// file that exists only in Alluxio: that file must survive.
			setup: base(mkfile("/p/sub/local")),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/p", Exists: true, Status: ufsDir("p"), ListedChildren: true, BlockSize: 64,
				Children: []*journalpb.UfsStatus{ufsFile("keep", 10, 100)}}),
			check: func(t *testing.T, s *State, r Result) {
				if !exists(s, "/p/sub/local") {
					t.Fatalf("an Alluxio-only file was lost to a sync; left %v", paths(s))
				}
				if exists(s, "/p/sub/x") || exists(s, "/p/gone") {
					t.Fatalf("persisted inodes absent from the under storage remain: %v", paths(s))
				}
			},
		},
		{
			name:  "listing keeps mount points",
			setup: base(mount("/p/m", "s3://b", false)),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/p", Exists: true, Status: ufsDir("p"), ListedChildren: true, BlockSize: 64}),
			check: func(t *testing.T, s *State, r Result) {
				if !exists(s, "/p/m") {
					t.Fatal("a mount point was removed by a sync")
				}
			},
		},
		{
			name:  "path gone removes a persisted file",
			setup: base(),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/p/keep"}),
			check: func(t *testing.T, s *State, r Result) {
				if exists(s, "/p/keep") {
					t.Fatal("not removed")
				}
			},
		},
		{
			name:  "path gone keeps an Alluxio-only file",
			setup: base(),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/p/local"}),
			check: func(t *testing.T, s *State, r Result) {
				if !exists(s, "/p/local") {
					t.Fatal("removed")
				}
			},
		},
		{
			name:  "path gone keeps what lives only in Alluxio below it",
			setup: base(),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/p"}),
			check: func(t *testing.T, s *State, r Result) {
				want := []string{"/p", "/p/local", "/p/localdir"}
				if got := paths(s); !equal(got, want) {
					t.Fatalf("paths %v, want %v", got, want)
				}
			},
		},
		{
			name:  "path gone never removes the root or a mount point",
			setup: base(mount("/m", "s3://b", false)),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/m"}),
			check: func(t *testing.T, s *State, r Result) {
				mustApply(t, s, syncMeta(&journalpb.SyncMetadata{Path: "/"}))
				if !exists(s, "/m") || !exists(s, "/p/keep") {
					t.Fatalf("left %v", paths(s))
				}
			},
		},
		{
			name:  "unchanged file keeps its inode",
			setup: base(),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/p/keep", Exists: true, Status: ufsFile("keep", 10, 100), BlockSize: 64}),
			check: func(t *testing.T, s *State, r Result) {
				if n := stat(t, s, "/p/keep"); n.ID != r.InodeID || n.ID != keepID || n.LastSyncMs != testTime {
					t.Fatalf("inode %+v", n)
				}
			},
		},
		{
			name:  "file changed in the under storage",
			setup: base(),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/p/keep", Exists: true, Status: ufsFile("keep", 10, 200), BlockSize: 64}),
			check: func(t *testing.T, s *State, r Result) {
				n := stat(t, s, "/p/keep")
				if n.ID == keepID || n.ID != r.InodeID || n.UfsModMs != 200 {
					t.Fatalf("a changed file kept its inode (and blocks): %+v", n)
				}
				if _, _, err := s.StatID(keepID); err == nil {
					t.Fatal("old inode still indexed")
				}
			},
		},
		{
			name:  "file grew in the under storage",
			setup: base(),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/p", Exists: true, Status: ufsDir("p"), ListedChildren: true, BlockSize: 64,
				Children: []*journalpb.UfsStatus{ufsFile("keep", 11, 100), ufsDir("sub")}}),
			check: func(t *testing.T, s *State, r Result) {
				if n := stat(t, s, "/p/keep"); n.ID == keepID || n.Length != 11 {
					t.Fatalf("inode %+v", n)
				}
				if !exists(s, "/p/sub/x") {
					t.Fatal("an unchanged directory lost its children")
				}
			},
		},
		{
			name:  "file became a directory",
			setup: base(),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/p/keep", Exists: true, Status: ufsDir("keep"), ListedChildren: true,
				Children: []*journalpb.UfsStatus{ufsFile("y", 1, 1)}, BlockSize: 64}),
			check: func(t *testing.T, s *State, r Result) {
				if n := stat(t, s, "/p/keep"); !n.IsDir || !n.ChildrenLoaded || !exists(s, "/p/keep/y") {
					t.Fatalf("inode %+v, paths %v", n, paths(s))
				}
			},
		},
		{
			name:  "an Alluxio-only file is not refreshed",
			setup: base(complete("/p/local", 5)),
			entry: syncMeta(&journalpb.SyncMetadata{Path: "/p/local", Exists: true, Status: ufsFile("local", 99, 99), BlockSize: 64}),
			check: func(t *testing.T, s *State, r Result) {
				if n := stat(t, s, "/p/local"); n.Length != 5 || n.Persisted() {
					t.Fatalf("inode %+v", n)
				}
			},
		},
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// keepID is the inode id the setup of TestApplySync gives /p/keep: /p is 1,
// then its listed children in listing order.
const keepID = 2
