package fuse

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

func TestParseOptions(t *testing.T) {
	c := DefaultConfig()
	err := c.ParseOptions([]string{"attr_timeout=2.5,entry_timeout=0", "max_readahead=4194304", "direct_io,allow_other", "ro", "fsname=x"})
	if err != nil {
		t.Fatal(err)
	}
	if c.AttrTimeout != 2500*time.Millisecond || c.EntryTimeout != 0 || c.MaxReadAhead != 4<<20 || !c.DirectIO ||
		!c.AllowOther || !c.ReadOnly || c.FsName != "x" {
		t.Fatalf("parsed %+v", c)
	}
	for _, bad := range []string{"attr_timeout=abc", "attr_timeout=-1", "entry_timeout", "max_readahead=x", "direct_io=1", "nosuch", "fsname="} {
		c := DefaultConfig()
		err := c.ParseOptions([]string{bad})
		name, _, _ := strings.Cut(bad, "=")
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("option %q: %v", bad, err)
		}
	}
	c = DefaultConfig()
	c.Root = "relative"
	if err := c.Validate(); err == nil {
		t.Error("a relative root passed")
	}
	c = DefaultConfig()
	c.MetadataCache = MetadataCacheConfig{Enabled: true, MaxSize: 0, Expiration: time.Second}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "alluxio.user.metadata.cache.max.size") {
		t.Errorf("cache of size 0: %v", err)
	}
}

func TestMetaCache(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newMetaCache(MetadataCacheConfig{Enabled: true, MaxSize: 3, Expiration: 10 * time.Second})
	c.now = func() time.Time { return now }
	info := func(id int64) *client.FileInfo { return &client.FileInfo{ID: id, Completed: true} }
	c.put("/a", info(1))
	c.put("/a/b", info(2))
	c.put("/ab", info(3))
	if c.get("/a").ID != 1 {
		t.Fatal("/a not cached")
	}
	c.put("/c", info(4)) // evicts the least recently used: /a/b
	if c.get("/a/b") != nil || c.get("/a") == nil || c.get("/ab") == nil || c.len() != 3 {
		t.Fatalf("eviction: %d entries", c.len())
	}
	c.put("/a/b", info(2))
	c.dropTree("/a") // /a and below, not /ab
	if c.get("/a") != nil || c.get("/a/b") != nil || c.get("/ab") == nil {
		t.Fatal("dropTree dropped the wrong entries")
	}
	now = now.Add(11 * time.Second)
	if c.get("/ab") != nil || c.len() != 0 {
		t.Fatal("an expired entry was served")
	}
	c.put("/writing", &client.FileInfo{ID: 5})
	if c.get("/writing") != nil {
		t.Fatal("a file being written was cached")
	}
	var off *metaCache // disabled: a nil cache caches nothing
	off.touched("/x", now)
	off.put("/x", info(9))
	if off.get("/x") != nil {
		t.Fatal("a disabled cache served")
	}
	if newMetaCache(MetadataCacheConfig{}) != nil {
		t.Fatal("a cache was made while disabled")
	}
}

// A file made in a cached directory keeps the directory cached, with the
// file's time as its modification time, never an older one, and without
// changing attributes a caller already holds.
func TestMetaCacheTouched(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newMetaCache(MetadataCacheConfig{Enabled: true, MaxSize: 10, Expiration: 10 * time.Second})
	c.now = func() time.Time { return now }
	held := &client.FileInfo{ID: 1, IsDir: true, Modified: now}
	c.put("/d", held)
	c.put("/f", &client.FileInfo{ID: 2, Completed: true, Modified: now})
	c.touched("/d", now.Add(time.Second))
	if got := c.get("/d"); got == nil || !got.Modified.Equal(now.Add(time.Second)) || got.ID != 1 {
		t.Fatalf("touched directory: %+v", got)
	}
	if !held.Modified.Equal(now) {
		t.Fatal("the attributes a caller held changed")
	}
	c.touched("/d", now.Add(-time.Second)) // an earlier create answered later
	if got := c.get("/d"); !got.Modified.Equal(now.Add(time.Second)) {
		t.Fatalf("the modification time went back to %v", got.Modified)
	}
	c.touched("/f", now.Add(time.Second)) // not a directory: left alone
	c.touched("/missing", now)
	if got := c.get("/f"); !got.Modified.Equal(now) || c.get("/missing") != nil {
		t.Fatal("touched changed a file or cached a missing path")
	}
	now = now.Add(11 * time.Second) // touching does not extend the expiry
	if c.get("/d") != nil {
		t.Fatal("a touched entry outlived its expiry")
	}
}

func TestToErrno(t *testing.T) {
	for _, c := range []struct {
		err  error
		want syscall.Errno
	}{
		{client.ErrNotFound, syscall.ENOENT},
		{fmt.Errorf("x: %w", client.ErrAlreadyExists), syscall.EEXIST},
		{client.ErrNotEmpty, syscall.ENOTEMPTY},
		{client.ErrPermission, syscall.EACCES},
		{client.ErrReadOnly, syscall.EROFS},
		{client.ErrIsDirectory, syscall.EISDIR},
		{client.ErrNotDirectory, syscall.ENOTDIR},
		{client.ErrCrossMount, syscall.EXDEV},
		{client.ErrInvalidArg, syscall.EINVAL},
		{client.ErrNoSpace, syscall.ENOSPC},
		{client.ErrUnavailable, syscall.EIO},
		{client.ErrCorrupt, syscall.EIO},
		{client.ErrIncomplete, syscall.EBUSY},
		{errNotSupported, syscall.EOPNOTSUPP},
		{errBusy, syscall.EBUSY},
		{syscall.EBADF, syscall.EBADF},
		{errors.New("anything else"), syscall.EIO},
		{nil, 0},
	} {
		if got := toErrno(c.err); got != c.want {
			t.Errorf("toErrno(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	if checkName(strings.Repeat("a", 255)) != 0 || checkName(strings.Repeat("a", 256)) != syscall.ENAMETOOLONG {
		t.Error("checkName")
	}
}

func TestParseMounts(t *testing.T) {
	table := `sysfs /sys sysfs rw 0 0
alluxio:/data /mnt/a\040b fuse.alluxio rw,nosuid,nodev,user_id=0 0 0
other /mnt/x fuse.sshfs rw 0 0
custom /mnt/c fuse.alluxio rw 0 0
`
	ms, err := parseMounts(strings.NewReader(table), map[string]int{"/mnt/a b": 42})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].MountPoint != "/mnt/a b" || ms[0].AlluxioPath != "/data" || ms[0].Pid != 42 ||
		ms[1].MountPoint != "/mnt/c" || ms[1].AlluxioPath != "" || ms[1].Pid != 0 {
		t.Fatalf("parsed %+v", ms)
	}
	if got := unescapeMount(`a\040b\011c\0`); got != "a b\tc\\0" {
		t.Fatalf("unescape: %q", got)
	}
}

func TestMountPointArg(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want string
		ok   bool
	}{
		{[]string{"alluxio", "fuse", "mount", "-f", "/mnt", "/"}, "/mnt", true},
		{[]string{"alluxio", "fuse", "mount", "--foreground", "-D", "a=b", "-o", "x", "--", "/m n", "/p"}, "/m n", true},
		{[]string{"alluxio", "-Dk=v", "fuse", "mount", "-o", "ro", "rel"}, "rel", true},
		{[]string{"alluxio", "fuse", "unmount", "/mnt"}, "", false},
		{[]string{"alluxio", "fs", "ls", "/"}, "", false},
		{[]string{"alluxio", "fuse", "mount", "-o"}, "", false},
	} {
		got, ok := MountPointArg(c.argv)
		if got != c.want || ok != c.ok {
			t.Errorf("MountPointArg(%q) = %q %v, want %q %v", c.argv, got, ok, c.want, c.ok)
		}
	}
}

// Reads go-fuse can splice are offered for splicing, and a root mount
// asks the kernel for reads no larger; a larger read is not offered (its
// splice would fail and be logged on every request).
func TestSpliceReads(t *testing.T) {
	f, err := New(nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if f.spliceMax == 0 {
		t.Skip("go-fuse cannot splice here (pipes cannot grow)")
	}
	if f.spliceMax >= maxRequest || f.spliceMax%os.Getpagesize() != 0 {
		t.Fatalf("spliceMax %d: want whole pages, under %d", f.spliceMax, maxRequest)
	}
	file, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	released := 0
	for _, c := range []struct {
		sz       int
		seekable bool
	}{{4096, true}, {f.spliceMax, true}, {f.spliceMax + 1, false}, {maxRequest, false}} {
		r := f.localResult(file, 0, c.sz, func() { released++ })
		if _, ok := r.(interface{ Seekable() (uintptr, int64, int) }); ok != c.seekable || r.Size() != c.sz {
			t.Errorf("read of %d bytes: seekable %v, size %d", c.sz, ok, r.Size())
		}
		r.Done()
		r.Done()
	}
	if released != 4 {
		t.Errorf("released %d times for 4 results", released)
	}
	o := f.Options()
	want := fmt.Sprintf("max_read=%d", f.spliceMax)
	if o.MountOptions.DisableSplice || slices.Contains(o.MountOptions.Options, want) != o.MountOptions.DirectMount {
		t.Errorf("mount options %+v: want splicing, and %s when mounting directly", o.MountOptions, want)
	}
}
