package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// goSourceDirs are the parts of the Go toolchain's source tree the tools
// test copies: about 2,400 small files in nested directories.
var goSourceDirs = []string{"crypto", "go", "net", "encoding", "os"}

// TestFuseTools runs standard tools against a real mount and checks the
// result both through the mount and through the Alluxio client: cp -r of
// a few thousand files and diff -r, tar, dd, find, mv, rm -r, ls -l,
// Python file I/O with seeks.
func TestFuseTools(t *testing.T) {
	requireFuse(t)
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "512MB")
	fm := mountFuse(t, m, "/")
	c := m.Client()
	ctx := context.Background()
	goroot := strings.TrimSpace(mustSh(t, "", "go env GOROOT"))

	t.Run("cp -r and diff -r", func(t *testing.T) {
		mustSh(t, fm.dir, "mkdir tree")
		var want int
		for _, d := range goSourceDirs {
			src := filepath.Join(goroot, "src", d)
			mustSh(t, fm.dir, fmt.Sprintf("cp -r %q tree/", src))
			n, _ := strconv.Atoi(strings.TrimSpace(mustSh(t, "", fmt.Sprintf("find %q -type f | wc -l", src))))
			want += n
			mustSh(t, fm.dir, fmt.Sprintf("diff -r %q tree/%s", src, d))
		}
		if want < 2000 {
			t.Fatalf("the copied tree has %d files, want a few thousand", want)
		}
		got, _ := strconv.Atoi(strings.TrimSpace(mustSh(t, fm.dir, "find tree -type f | wc -l")))
		if got != want {
			t.Fatalf("find counts %d files in the mount, %d were copied", got, want)
		}
		// The master has the same tree.
		list, err := c.ListStatus(ctx, "/tree", true, client.StatusOptions{})
		if err != nil {
			t.Fatal(err)
		}
		files := 0
		for _, fi := range list {
			if !fi.IsDir {
				files++
				if !fi.Completed {
					t.Fatalf("%s is not complete", fi.Path)
				}
			}
		}
		if files != want {
			t.Fatalf("the master lists %d files, %d were copied", files, want)
		}
		out := mustSh(t, fm.dir, "find tree -name '*.go' -path '*crypto/sha256*' | sort")
		if !strings.Contains(out, "tree/crypto/sha256/sha256.go") {
			t.Fatalf("find -name: %s", out)
		}
	})

	t.Run("tar extract", func(t *testing.T) {
		tarball := filepath.Join(t.TempDir(), "os.tar")
		mustSh(t, filepath.Join(goroot, "src"), fmt.Sprintf("tar -cf %q os", tarball))
		mustSh(t, fm.dir, fmt.Sprintf("mkdir untar && tar -xf %q -C untar", tarball))
		mustSh(t, fm.dir, fmt.Sprintf("diff -r %q untar/os", filepath.Join(goroot, "src", "os")))
		// tar keeps the files' modification times (utimens).
		src, err := os.Stat(filepath.Join(goroot, "src", "os", "file.go"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.Stat(fm.path("untar/os/file.go"))
		if err != nil {
			t.Fatal(err)
		}
		if got.ModTime().Unix() != src.ModTime().Unix() {
			t.Fatalf("tar -x: mtime %v, the archive has %v", got.ModTime(), src.ModTime())
		}
		fi, err := c.GetStatus(ctx, "/untar/os/file.go", client.StatusOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if fi.Modified.Unix() != src.ModTime().Unix() {
			t.Fatalf("the master records mtime %v, want %v", fi.Modified, src.ModTime())
		}
	})

	t.Run("dd", func(t *testing.T) {
		local := filepath.Join(t.TempDir(), "rand")
		mustSh(t, "", fmt.Sprintf("dd if=/dev/urandom of=%q bs=1M count=24 status=none", local))
		// Odd block sizes: writes that do not line up with chunks.
		mustSh(t, fm.dir, fmt.Sprintf("dd if=%q of=dd.bin bs=77777 status=none", local))
		mustSh(t, fm.dir, fmt.Sprintf("cmp %q dd.bin", local))
		// A read starting in the middle (skip) and crossing chunk ends.
		mustSh(t, fm.dir, fmt.Sprintf("cmp <(dd if=dd.bin bs=4096 skip=1000 count=3000 status=none) "+
			"<(dd if=%q bs=4096 skip=1000 count=3000 status=none)", local))
		// Rewriting part of a complete file is a random write.
		out, code := sh(t, fm.dir, "dd if=/dev/zero of=dd.bin bs=4096 count=1 seek=10 conv=notrunc status=none")
		if code == 0 || !strings.Contains(out, "Operation not supported") {
			t.Fatalf("dd over a complete file: exit %d: %s", code, out)
		}
		mustSh(t, fm.dir, fmt.Sprintf("cmp %q dd.bin", local))
		// A write past the end of a new file leaves zeros before it.
		mustSh(t, fm.dir, "dd if=/dev/zero of=sparse bs=1 count=0 seek=0 status=none && "+
			"printf abc | dd of=sparse2 bs=1 seek=5000 status=none")
		if fi, err := os.Stat(fm.path("sparse2")); err != nil || fi.Size() != 5003 {
			t.Fatalf("sparse2: %v %v", fi, err)
		}
		b, err := os.ReadFile(fm.path("sparse2"))
		if err != nil || strings.Trim(string(b[:5000]), "\x00") != "" || string(b[5000:]) != "abc" {
			t.Fatalf("sparse2 reads %q..., %v", b[4995:], err)
		}
	})

	t.Run("ls -l, mv, rm -r", func(t *testing.T) {
		mustSh(t, fm.dir, "mkdir -p mv/a/b && echo one > mv/a/b/f && echo two > mv/g")
		out := mustSh(t, fm.dir, "ls -l mv/a/b")
		if !strings.Contains(out, " 4 ") || !strings.Contains(out, " f") || !strings.HasPrefix(lines(out)[1], "-rw-") {
			t.Fatalf("ls -l: %s", out)
		}
		mustSh(t, fm.dir, "mv mv/a/b/f mv/a/f2 && mv mv/a mv/c")
		if got := mustSh(t, fm.dir, "cat mv/c/f2"); got != "one\n" {
			t.Fatalf("after mv: %q", got)
		}
		// mv over an existing file replaces it, as rename(2) does.
		mustSh(t, fm.dir, "mv -f mv/g mv/c/f2")
		if got := mustSh(t, fm.dir, "cat mv/c/f2; ls mv"); got != "two\nc\n" {
			t.Fatalf("after mv over a file: %q", got)
		}
		if _, err := c.GetStatus(ctx, "/mv/c/b", client.StatusOptions{}); err != nil {
			t.Fatalf("the master lost the moved directory: %v", err)
		}
		mustSh(t, fm.dir, "rm -r mv tree")
		if out := mustSh(t, fm.dir, "ls"); strings.Contains(out, "tree") || strings.Contains(out, "mv") {
			t.Fatalf("after rm -r: %s", out)
		}
		if _, err := c.GetStatus(ctx, "/tree", client.StatusOptions{}); err == nil {
			t.Fatal("rm -r left /tree in Alluxio")
		}
	})

	t.Run("python file I/O with seeks", func(t *testing.T) {
		script := filepath.Join(t.TempDir(), "seek.py")
		if err := os.WriteFile(script, []byte(pythonSeeks), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("python3", script, fm.dir).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "python ok") {
			t.Fatalf("python: %v\n%s", err, out)
		}
	})

	t.Run("attributes", func(t *testing.T) {
		mustSh(t, fm.dir, "echo x > attr && chmod 640 attr && chown 1234:4321 attr && touch -m -d '2001-02-03 04:05:06 UTC' attr")
		fi, err := c.GetStatus(ctx, "/attr", client.StatusOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode.Perm() != 0o640 || fi.Owner != "1234" || fi.Group != "4321" ||
			fi.Modified.UTC().Format(time.DateTime) != "2001-02-03 04:05:06" {
			t.Fatalf("the master records mode %v owner %s group %s mtime %v", fi.Mode, fi.Owner, fi.Group, fi.Modified)
		}
		st, err := os.Stat(fm.path("attr"))
		if err != nil || st.Mode().Perm() != 0o640 || st.ModTime().UTC().Year() != 2001 {
			t.Fatalf("stat through the mount: %v %v", st, err)
		}
		// df shows the worker's capacity.
		var sfs syscall.Statfs_t
		if err := syscall.Statfs(fm.dir, &sfs); err != nil {
			t.Fatal(err)
		}
		if total := int64(sfs.Blocks) * sfs.Bsize; total != 512<<20 {
			t.Fatalf("statfs: %d bytes in all, the worker has %d", total, 512<<20)
		}
		if sfs.Namelen != 255 {
			t.Fatalf("statfs: name length %d", sfs.Namelen)
		}
	})

	t.Run("truncate and O_TRUNC", func(t *testing.T) {
		mustSh(t, fm.dir, "echo first > tr && echo second > tr")
		if got := mustSh(t, fm.dir, "cat tr"); got != "second\n" {
			t.Fatalf("after > on an existing file: %q", got)
		}
		mustSh(t, fm.dir, "truncate -s 7 tr") // its length: nothing to do
		out, code := sh(t, fm.dir, "truncate -s 3 tr")
		if code == 0 || !strings.Contains(out, "Operation not supported") {
			t.Fatalf("truncate -s 3: exit %d: %s", code, out)
		}
		mustSh(t, fm.dir, "truncate -s 0 tr")
		if st, err := os.Stat(fm.path("tr")); err != nil || st.Size() != 0 {
			t.Fatalf("after truncate -s 0: %v %v", st, err)
		}
		mustSh(t, fm.dir, "echo again >> tr") // appending to an empty file writes it
		if got := mustSh(t, fm.dir, "cat tr"); got != "again\n" {
			t.Fatalf("after >> on an empty file: %q", got)
		}
		out, code = sh(t, fm.dir, "echo more >> tr")
		if code == 0 || !strings.Contains(out, "Operation not supported") {
			t.Fatalf(">> to a complete file: exit %d: %s", code, out)
		}
		if got := mustSh(t, fm.dir, "cat tr"); got != "again\n" {
			t.Fatalf("a refused append changed the file: %q", got)
		}
		// truncate(2) by name right after the writer's close, before
		// the kernel's release may have completed the file: a truncate
		// of a complete file all the same (it was EIO). (truncate(1)
		// opens the file, which waits for the release.)
		for i := range 5 {
			out, code = sh(t, fm.dir, fmt.Sprintf(`python3 -c "import os; open('tg%d', 'w').write('abc\n'); os.truncate('tg%d', 10)"`, i, i))
			if code == 0 || !strings.Contains(out, "Operation not supported") {
				t.Fatalf("truncate(2) to 10 bytes right after the write: exit %d: %s", code, out)
			}
			if got := mustSh(t, fm.dir, fmt.Sprintf("cat tg%d", i)); got != "abc\n" {
				t.Fatalf("a refused truncate changed the file: %q", got)
			}
		}
	})
}

// pythonSeeks writes, reads with seeks and tells, and checks the errors
// Alluxio's write-once files give.
const pythonSeeks = `
import errno, os, random, sys
d = sys.argv[1]
p = os.path.join(d, "py.bin")
rnd = random.Random(7)
data = bytes(rnd.getrandbits(8) for _ in range(3_000_000))
with open(p, "wb") as f:
    for i in range(0, len(data), 65536):
        f.write(data[i:i+65536])
    assert f.tell() == len(data)
assert os.stat(p).st_size == len(data), os.stat(p)
with open(p, "rb") as f:
    for _ in range(200):
        off = rnd.randrange(0, len(data))
        n = rnd.randrange(1, 300_000)
        f.seek(off)
        got = f.read(n)
        assert got == data[off:off+n], (off, n)
        assert f.tell() == off + len(got)
    f.seek(-10, os.SEEK_END)
    assert f.read() == data[-10:]
    f.seek(len(data) + 5)
    assert f.read(3) == b""
# Random writes and appends to a complete file fail clearly.
with open(p, "r+b", buffering=0) as f:
    assert f.read(4) == data[:4]
    f.seek(100)
    try:
        f.write(b"xx")
        raise SystemExit("a random write succeeded")
    except OSError as e:
        assert e.errno == errno.EOPNOTSUPP, e
try:
    open(p, "ab")
    raise SystemExit("append to a complete file opened")
except OSError as e:
    assert e.errno == errno.EOPNOTSUPP, e
# Writing a new file with a seek backwards fails; forwards leaves zeros.
q = os.path.join(d, "py2.bin")
with open(q, "wb", buffering=0) as f:
    f.write(b"abc")
    f.seek(1)
    try:
        f.write(b"Z")
        raise SystemExit("a backwards write succeeded")
    except OSError as e:
        assert e.errno == errno.EOPNOTSUPP, e
with open(q, "rb") as f:
    assert f.read() == b"abc"
names = sorted(os.listdir(d))
assert "py.bin" in names, names
os.rename(p, os.path.join(d, "py3.bin"))
assert os.path.getsize(os.path.join(d, "py3.bin")) == len(data)
os.remove(os.path.join(d, "py3.bin"))
assert not os.path.exists(p)
print("python ok")
`
