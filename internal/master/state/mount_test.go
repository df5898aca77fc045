package state

import (
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

func TestApplyMount(t *testing.T) {
	base := func(more ...*journalpb.Entry) []*journalpb.Entry {
		return append([]*journalpb.Entry{rootMount(), mount("/m", "s3://bucket/data", false), mount("/ro", "hdfs://nn/ro", true)}, more...)
	}
	runApplyCases(t, []applyCase{
		{
			name:  "root",
			setup: []*journalpb.Entry{mkdir("/d")},
			entry: mount("/", "file:///ufs", false),
			check: func(t *testing.T, s *State, r Result) {
				root := stat(t, s, "/")
				if r.InodeID != RootID || !root.MountPoint || !root.Persisted() || !s.RootMounted() {
					t.Fatalf("root %+v", root)
				}
				m, rel, err := s.Resolve("/d/x")
				if err != nil || m.UfsURI != "file:///ufs" || rel != "d/x" {
					t.Fatalf("Resolve = %+v %q %v", m, rel, err)
				}
			},
		},
		{
			name:    "root twice",
			setup:   []*journalpb.Entry{rootMount()},
			entry:   mount("/", "file:///other", false),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:    "before the root",
			entry:   mount("/m", "s3://bucket", false),
			wantErr: errs.ErrPrecondition,
		},
		{
			name:  "a bucket",
			setup: []*journalpb.Entry{rootMount(), mkdir("/d")},
			entry: &journalpb.Entry{Op: &journalpb.Entry_Mount{Mount: &journalpb.Mount{AlluxioPath: "/d/m", UfsUri: "s3://b/p",
				Shared: true, Properties: map[string]string{"k": "v"}}}},
			check: func(t *testing.T, s *State, r Result) {
				n := stat(t, s, "/d/m")
				if n.ID != r.InodeID || !n.IsDir || !n.MountPoint || !n.Persisted() || n.ChildrenLoaded {
					t.Fatalf("mount point inode %+v", n)
				}
				m, rel, err := s.Resolve("/d/m/x/y")
				if err != nil || m.AlluxioPath != "/d/m" || m.UfsURI != "s3://b/p" || rel != "x/y" || !m.Shared || m.Properties["k"] != "v" {
					t.Fatalf("Resolve = %+v %q %v", m, rel, err)
				}
				if _, rel, _ := s.Resolve("/d/m"); rel != "" {
					t.Fatalf("mount point itself resolves to %q", rel)
				}
				if got := s.MountTable(); len(got) != 2 || got[0].AlluxioPath != "/" || got[1].AlluxioPath != "/d/m" || got[0].ID == got[1].ID {
					t.Fatalf("mount table %+v", got)
				}
			},
		},
		{
			name:    "empty address",
			setup:   base(),
			entry:   mount("/n", "", false),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "same path",
			setup:   base(),
			entry:   mount("/m", "s3://other", false),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:    "path exists",
			setup:   base(mkdir("/d")),
			entry:   mount("/d", "s3://other", false),
			wantErr: errs.ErrAlreadyExists,
		},
		{
			name:    "missing parent",
			setup:   base(),
			entry:   mount("/no/m", "s3://other", false),
			wantErr: errs.ErrNotFound,
		},
		{
			name:    "parent is a file",
			setup:   base(mkfile("/f")),
			entry:   mount("/f/m", "s3://other", false),
			wantErr: errs.ErrNotDirectory,
		},
		{
			name:    "same under storage",
			setup:   base(),
			entry:   mount("/n", "s3://bucket/data/", false),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "under storage inside a mounted one",
			setup:   base(),
			entry:   mount("/n", "s3://bucket/data/sub", false),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "under storage holding a mounted one",
			setup:   base(),
			entry:   mount("/n", "s3://bucket", false),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:  "under storage sharing only a name prefix",
			setup: base(),
			entry: mount("/n", "s3://bucket/data2", false),
		},
		{
			name:    "inside a read-only mount",
			setup:   base(),
			entry:   mount("/ro/n", "s3://other", false),
			wantErr: errs.ErrPermission,
		},
		{
			name:  "inside a writable mount",
			setup: base(),
			entry: mount("/m/n", "s3://other", false),
		},
		{
			name:    "invalid path",
			setup:   base(),
			entry:   mount("m", "s3://other", false),
			wantErr: errs.ErrInvalidPath,
		},
	})
}

func TestApplyUnmount(t *testing.T) {
	base := func(more ...*journalpb.Entry) []*journalpb.Entry {
		return append([]*journalpb.Entry{rootMount(), mount("/m", "s3://bucket", false), mkdirP("/m/a/b"), mkfile("/m/a/f")}, more...)
	}
	runApplyCases(t, []applyCase{
		{
			name:  "unmount",
			setup: base(setAttr(&journalpb.SetAttribute{Path: "/m/a/f", TtlMs: ptr(int64(1))})),
			entry: unmount("/m/"),
			check: func(t *testing.T, s *State, r Result) {
				if exists(s, "/m") || s.InodeCount() != 1 || len(s.MountTable()) != 1 {
					t.Fatalf("left %v, mounts %v", paths(s), s.MountTable())
				}
				if m, _, _ := s.Resolve("/m/a"); m.AlluxioPath != "/" {
					t.Fatalf("/m/a resolves to %+v", m)
				}
				if len(s.Expired(1<<40)) != 0 {
					t.Fatal("TTL of an unmounted file remains")
				}
				// The path is free for a new mount of the same storage.
				mustApply(t, s, mount("/m", "s3://bucket", false))
			},
		},
		{
			name:    "root",
			setup:   base(),
			entry:   unmount("/"),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "not a mount point",
			setup:   base(),
			entry:   unmount("/m/a"),
			wantErr: errs.ErrInvalidArg,
		},
		{
			name:    "with a mount below",
			setup:   base(mount("/m/a/b/n", "s3://other", false)),
			entry:   unmount("/m"),
			wantErr: errs.ErrPrecondition,
		},
		{
			name:    "invalid path",
			setup:   base(),
			entry:   unmount(""),
			wantErr: errs.ErrInvalidPath,
		},
	})
}

// TestReadOnlyMount checks that nothing below a read-only mount changes,
// while metadata sync still loads what the under storage holds.
func TestReadOnlyMount(t *testing.T) {
	setup := func() *State {
		s := New(Options{})
		mustApply(t, s, rootMount(), mount("/ro", "s3://ro", true),
			syncMeta(&journalpb.SyncMetadata{Path: "/ro", Exists: true, Status: ufsDir("ro"), ListedChildren: true,
				Children: []*journalpb.UfsStatus{ufsDir("d"), ufsFile("f", 10, 5)}, BlockSize: 64}))
		return s
	}
	s := setup()
	if !exists(s, "/ro/d") || !exists(s, "/ro/f") {
		t.Fatalf("sync did not load the read-only mount: %v", paths(s))
	}
	for _, e := range []*journalpb.Entry{
		mkfile("/ro/g"),
		createFile(&journalpb.CreateFile{Path: "/ro/x/g", Recursive: true}),
		mkdir("/ro/e"),
		del("/ro/f", false),
		del("/ro/d", true),
		rename("/ro/f", "/ro/d/f"),
	} {
		before := dump(s)
		r := seq(s, e)
		checkErr(t, r.Err, errs.ErrPermission)
		if after := dump(s); after != before {
			t.Fatalf("%v changed the state: %s", e, diff(before, after))
		}
	}
}

// TestMountErrorsAreDeterministic repeats entries whose rejection could name
// any of several mount points: every replica must give the same answer, or
// the retry caches (and checkpoints) of the masters drift apart.
func TestMountErrorsAreDeterministic(t *testing.T) {
	setup := func() *State {
		s := New(Options{})
		mustApply(t, s, rootMount(), mkdir("/x"))
		for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
			mustApply(t, s, mount("/x/"+n, "s3://"+n, false))
		}
		return s
	}
	entries := []func() *journalpb.Entry{
		func() *journalpb.Entry { return del("/x", true) },
		func() *journalpb.Entry { return rename("/x", "/y") },
		func() *journalpb.Entry { return unmount("/x") },
		// Both "path exists" and "storage overlaps" apply.
		func() *journalpb.Entry { return mount("/x/c", "s3://a/sub", false) },
		func() *journalpb.Entry { return mount("/z", "s3://a/sub", false) },
	}
	for _, mk := range entries {
		first := ""
		for i := 0; i < 30; i++ {
			s := setup()
			r := seq(s, mk())
			if r.Err == nil {
				t.Fatalf("%v succeeded", mk())
			}
			got := r.Err.Error() + " / " + errs.Code(r.Err)
			if i == 0 {
				first = got
			} else if got != first {
				t.Fatalf("%v: answers differ between replicas:\n  %s\n  %s", mk(), first, got)
			}
		}
	}
}
