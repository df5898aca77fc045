package underfstest

import (
	"os"
	"slices"
	"sync"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

func testMkdirs(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustMkdirs(t, u, "a/b/c", 0o750)
	for _, p := range []string{"a", "a/b", "a/b/c"} {
		if st := mustStat(t, u, p); !st.IsDir || !modeIs(u, st.Mode, 0o750) || st.Length != 0 || !recent(st.ModTime) {
			t.Errorf("GetStatus(%q) = %+v; want a new directory with mode 0750", p, st)
		}
	}
	// Existing directories are left alone, whatever perm is asked for.
	mustMkdirs(t, u, "a/b/c", 0o700)
	mustMkdirs(t, u, "a/b/c/d", 0o700)
	if st := mustStat(t, u, "a/b"); !modeIs(u, st.Mode, 0o750) {
		t.Errorf("Mkdirs changed an existing directory's mode to %v", st.Mode)
	}
	if st := mustStat(t, u, "a/b/c/d"); !modeIs(u, st.Mode, 0o700) {
		t.Errorf("new a/b/c/d has mode %v; want 0700", st.Mode)
	}
	mustMkdirs(t, u, "", 0o700)
	mustMkdirs(t, u, "/", 0o700)
	mustMkdirs(t, u, "default", 0)
	if st := mustStat(t, u, "default"); !modeIs(u, st.Mode, underfs.DefaultDirPerm) {
		t.Errorf("Mkdirs with perm 0 gave mode %v; want %v", st.Mode, underfs.DefaultDirPerm)
	}
	// A perm without the owner's write bit must still allow the levels
	// below to be made.
	mustMkdirs(t, u, "ro/sub", 0o555)
	if st := mustStat(t, u, "ro/sub"); !st.IsDir || !modeIs(u, st.Mode, 0o555) {
		t.Errorf("ro/sub = %+v; want a directory with mode 0555", st)
	}
	for _, p := range []string{"ro/sub", "ro"} {
		if err := u.SetMode(ctx, p, 0o755); err != nil { // so the root can be cleaned up
			t.Fatal(err)
		}
	}

	mustWrite(t, u, "f", "x")
	wantErr(t, u.Mkdirs(ctx, "f", 0o755), errs.ErrAlreadyExists, "Mkdirs over a file")
	wantErr(t, u.Mkdirs(ctx, "f/g/h", 0o755), errs.ErrNotDirectory, "Mkdirs below a file")
	wantErr(t, u.Mkdirs(ctx, "m", 0o755|1<<31), errs.ErrInvalidArg, "Mkdirs with a non-permission mode bit")
	if exists(t, u, "m") {
		t.Error("a refused Mkdirs made the directory")
	}
}

func testMkdirsConcurrent(t T, u underfs.UnderFileSystem) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			p := "p/q/r"
			if i%2 == 1 {
				p = "p/q/s"
			}
			if err := u.Mkdirs(t.Context(), p, 0o755); err != nil {
				t.Errorf("concurrent Mkdirs(%q): %v", p, err)
			}
		})
	}
	wg.Wait()
	if got := names(mustList(t, u, "p/q")); !slices.Equal(got, []string{"r", "s"}) {
		t.Errorf("p/q holds %q; want [r s]", got)
	}
}

func testList(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustWrite(t, u, "b", "bb")
	mustWrite(t, u, "a", "a")
	mustWrite(t, u, "a.txt", "")
	mustWrite(t, u, "B", "upper case sorts first")
	mustMkdirs(t, u, "c", 0o700)
	mustWrite(t, u, "c/inner", "not a direct child")
	w, err := u.Create(ctx, "pending", underfs.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()

	list := mustList(t, u, "")
	if got := names(list); !slices.Equal(got, []string{"B", "a", "a.txt", "b", "c"}) {
		t.Fatalf("List = %q; want [B a a.txt b c], sorted, without files being written", got)
	}
	want := map[string]underfs.Status{
		"a": {Length: 1, Mode: underfs.DefaultFilePerm},
		"b": {Length: 2, Mode: underfs.DefaultFilePerm},
		"c": {IsDir: true, Mode: 0o700},
	}
	for _, st := range list {
		if w, ok := want[st.Name]; ok && (st.IsDir != w.IsDir || st.Length != w.Length || !modeIs(u, st.Mode, w.Mode)) {
			t.Errorf("List entry %+v; want IsDir %v, Length %d, Mode %v", st, w.IsDir, w.Length, w.Mode)
		}
		if one := mustStat(t, u, st.Name); one.IsDir != st.IsDir || one.Length != st.Length ||
			one.Mode != st.Mode || one.Owner != st.Owner || one.Group != st.Group {
			t.Errorf("List says %+v, GetStatus says %+v", st, one)
		}
	}
	if got := names(mustList(t, u, "c")); !slices.Equal(got, []string{"inner"}) {
		t.Errorf("List(c) = %q; want [inner]", got)
	}
	mustMkdirs(t, u, "empty", 0)
	if got := mustList(t, u, "empty"); len(got) != 0 {
		t.Errorf("List of an empty directory = %q", names(got))
	}
	_, err = u.List(ctx, "missing")
	wantErr(t, err, errs.ErrNotFound, "List of a missing directory")
	_, err = u.List(ctx, "a")
	wantErr(t, err, errs.ErrNotDirectory, "List of a file")
}

func testDelete(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustWrite(t, u, "f", "x")
	mustMkdirs(t, u, "empty", 0)
	mustWrite(t, u, "full/sub/deep", "x")
	mustWrite(t, u, "full/g", "x")

	if err := u.Delete(ctx, "f", false); err != nil {
		t.Errorf("Delete of a file: %v", err)
	}
	if err := u.Delete(ctx, "empty", false); err != nil {
		t.Errorf("Delete of an empty directory: %v", err)
	}
	wantErr(t, u.Delete(ctx, "full", false), errs.ErrNotEmpty, "Delete of a full directory without recursive")
	if !exists(t, u, "full/sub/deep") {
		t.Fatal("a refused Delete removed children")
	}
	if err := u.Delete(ctx, "full", true); err != nil {
		t.Errorf("recursive Delete: %v", err)
	}
	wantErr(t, u.Delete(ctx, "f", false), errs.ErrNotFound, "Delete of a missing file")
	wantErr(t, u.Delete(ctx, "missing", true), errs.ErrNotFound, "recursive Delete of a missing path")
	wantErr(t, u.Delete(ctx, "", true), errs.ErrInvalidArg, "Delete of the root")
	wantErr(t, u.Delete(ctx, "/", false), errs.ErrInvalidArg, "Delete of the root")
	if st := mustStat(t, u, ""); !st.IsDir {
		t.Error("the root is gone")
	}
	if got := mustList(t, u, ""); len(got) != 0 {
		t.Errorf("after deleting everything the root holds %q", names(got))
	}
}

func testRename(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustWriteOpts(t, u, "f", "contents", underfs.CreateOptions{Perm: 0o604})
	if err := u.Rename(ctx, "f", "g"); err != nil {
		t.Fatalf("Rename of a file: %v", err)
	}
	if exists(t, u, "f") {
		t.Error("the source still exists after Rename")
	}
	if got := mustRead(t, u, "g", 0); got != "contents" {
		t.Errorf("renamed file reads %q", got)
	}
	if st := mustStat(t, u, "g"); !modeIs(u, st.Mode, 0o604) {
		t.Errorf("renamed file has mode %v; want 0604", st.Mode)
	}

	mustWrite(t, u, "dir/sub/x", "x")
	mustMkdirs(t, u, "other", 0)
	if err := u.Rename(ctx, "/dir", "/other/moved/"); err != nil {
		t.Fatalf("Rename of a directory: %v", err)
	}
	if got := mustRead(t, u, "other/moved/sub/x", 0); got != "x" {
		t.Errorf("file in a renamed directory reads %q", got)
	}
	if exists(t, u, "dir") {
		t.Error("the source directory still exists after Rename")
	}
	if err := u.Rename(ctx, "other/moved/sub/x", "y"); err != nil {
		t.Fatalf("Rename to another directory: %v", err)
	}
	if got := names(mustList(t, u, "")); !slices.Equal(got, []string{"g", "other", "y"}) {
		t.Errorf("root holds %q; want [g other y]", got)
	}
}

func testRenameErrors(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustWrite(t, u, "src", "src")
	mustWrite(t, u, "dst", "dst")
	mustMkdirs(t, u, "emptydir", 0)
	mustWrite(t, u, "d/inside", "x")
	tests := []struct {
		src, dst string
		sentinel error
		what     string
	}{
		{"src", "dst", errs.ErrAlreadyExists, "onto a file"},
		{"src", "emptydir", errs.ErrAlreadyExists, "onto an empty directory"},
		{"emptydir", "d", errs.ErrAlreadyExists, "a directory onto a full one"},
		{"src", "src", errs.ErrAlreadyExists, "onto itself"},
		{"missing", "new", errs.ErrNotFound, "of a missing source"},
		{"src", "nodir/new", errs.ErrNotFound, "into a missing directory"},
		{"src", "dst/new", errs.ErrNotDirectory, "into a file"},
		{"d", "d/sub", errs.ErrInvalidArg, "of a directory into itself"},
		{"", "new", errs.ErrInvalidArg, "of the root"},
		{"src", "/", errs.ErrInvalidArg, "onto the root"},
	}
	for _, tt := range tests {
		wantErr(t, u.Rename(ctx, tt.src, tt.dst), tt.sentinel, "Rename "+tt.what)
	}
	if got := mustRead(t, u, "src", 0) + mustRead(t, u, "dst", 0); got != "srcdst" {
		t.Errorf("refused renames changed files: %q", got)
	}
	if got := names(mustList(t, u, "")); !slices.Equal(got, []string{"d", "dst", "emptydir", "src"}) {
		t.Errorf("after refused renames the root holds %q", got)
	}
}

func testSetMode(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustWrite(t, u, "f", "x")
	mustMkdirs(t, u, "d", 0)
	for _, tt := range []struct {
		path string
		mode os.FileMode
	}{{"f", 0o600}, {"f", 0o000}, {"f", 0o777}, {"d", 0o751}, {"d", 0o700}} {
		if err := u.SetMode(ctx, tt.path, tt.mode); err != nil {
			t.Errorf("SetMode(%q, %o): %v", tt.path, tt.mode, err)
		}
		if st := mustStat(t, u, tt.path); !modeIs(u, st.Mode, tt.mode) {
			t.Errorf("after SetMode(%q, %o) the mode is %v", tt.path, tt.mode, st.Mode)
		}
	}
	wantErr(t, u.SetMode(ctx, "missing", 0o644), errs.ErrNotFound, "SetMode of a missing path")
	wantErr(t, u.SetMode(ctx, "f", 0o644|1<<31), errs.ErrInvalidArg, "SetMode with a non-permission bit")
}

func testSetOwner(t T, u underfs.UnderFileSystem) {
	ctx := t.Context()
	mustWrite(t, u, "f", "x")
	before := mustStat(t, u, "f")
	if err := u.SetOwner(ctx, "f", before.Owner, before.Group); err != nil {
		t.Errorf("SetOwner to the current owner: %v", err)
	}
	if err := u.SetOwner(ctx, "f", "", ""); err != nil {
		t.Errorf("SetOwner changing nothing: %v", err)
	}
	if after := mustStat(t, u, "f"); after.Owner != before.Owner || after.Group != before.Group {
		t.Errorf("owner changed from %s:%s to %s:%s", before.Owner, before.Group, after.Owner, after.Group)
	}
	// Best effort: names the store does not know are skipped, not an error.
	// A store that takes any name (HDFS does) may apply them instead.
	if err := u.SetOwner(ctx, "f", "alluxio-no-such-user-4711", "alluxio-no-such-group-4711"); err != nil {
		t.Errorf("SetOwner to unknown names = %v; want nil", err)
	}
	wantErr(t, u.SetOwner(ctx, "missing", before.Owner, ""), errs.ErrNotFound, "SetOwner of a missing path")
}
