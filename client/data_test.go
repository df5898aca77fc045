package client

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
)

func TestBlockAt(t *testing.T) {
	const mb = 1 << 20
	loc := []BlockLocation{{Host: "w1", RPCPort: 29999}}
	info := &FileInfo{ID: 5, Length: 10*mb + 3, BlockSize: 4 * mb,
		Blocks: []BlockInfo{{ID: 5<<24 | 0}, {ID: 5<<24 | 1, Locations: loc}, {ID: 99}}}
	for _, c := range []struct {
		off               int64
		index             int
		start, length, id int64
		cached            bool
	}{
		{0, 0, 0, 4 * mb, 5 << 24, false},
		{4*mb - 1, 0, 0, 4 * mb, 5 << 24, false},
		{4 * mb, 1, 4 * mb, 4 * mb, 5<<24 | 1, true},
		{8 * mb, 2, 8 * mb, 2*mb + 3, 5<<24 | 2, false}, // last block is short; a mismatched id is ignored
		{10*mb + 2, 2, 8 * mb, 2*mb + 3, 5<<24 | 2, false},
	} {
		b := blockAt(info, c.off)
		if b.index != c.index || b.start != c.start || b.length != c.length || b.id != c.id || (len(b.locs) > 0) != c.cached {
			t.Errorf("blockAt(%d) = %+v, want index %d start %d length %d id %d cached %v", c.off, b, c.index, c.start, c.length, c.id, c.cached)
		}
	}
}

func TestBlocksFromPB(t *testing.T) {
	in := []*pb.FileBlockInfo{{Offset: 64, BlockInfo: &pb.BlockInfo{BlockId: 7, Length: 10, Locations: []*pb.BlockLocation{
		{WorkerId: 3, WorkerAddress: &pb.WorkerNetAddress{Host: "h", RpcPort: 29999}, TierAlias: "MEM"}}}}}
	out := blocksFromPB(in)
	if len(out) != 1 || out[0].ID != 7 || out[0].Offset != 64 || out[0].Length != 10 ||
		len(out[0].Locations) != 1 || out[0].Locations[0].Address() != "h:29999" || out[0].Locations[0].Tier != "MEM" {
		t.Fatalf("blocksFromPB = %+v", out)
	}
	if blocksFromPB(nil) != nil || ufsLocationFromPB(nil) != nil {
		t.Fatal("nil in, nil out")
	}
	u := ufsLocationFromPB(&pb.UfsLocation{MountUri: "s3://b/", RelativePath: "x/y"})
	if back := u.toPB(); back.MountUri != "s3://b/" || back.RelativePath != "x/y" {
		t.Fatalf("ufs location round trip: %v", back)
	}
}

func TestWriteOrder(t *testing.T) {
	local := func(h string) bool { return h == "me" }
	w := func(host string, capacity, used int64) WorkerInfo {
		return WorkerInfo{Host: host, RPCPort: 29999, Capacity: capacity, Used: used}
	}
	names := func(ws []WorkerInfo) (out []string) {
		for _, w := range ws {
			out = append(out, w.Host)
		}
		return out
	}
	for _, c := range []struct {
		name string
		ws   []WorkerInfo
		need int64
		want []string
	}{
		{"local first", []WorkerInfo{w("a", 100, 0), w("me", 100, 90), w("b", 100, 50)}, 0, []string{"me", "a", "b"}},
		{"most free", []WorkerInfo{w("a", 100, 60), w("b", 100, 10), w("c", 200, 170)}, 0, []string{"b", "a", "c"}},
		{"ties by address", []WorkerInfo{w("b", 10, 0), w("a", 10, 0)}, 0, []string{"a", "b"}},
		{"full local last", []WorkerInfo{w("me", 100, 95), w("a", 100, 50)}, 10, []string{"a", "me"}},
		{"none has room", []WorkerInfo{w("a", 100, 95), w("me", 100, 99)}, 10, []string{"me", "a"}},
	} {
		if got := names(writeOrder(c.ws, local, c.need)); !equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
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

func TestHostSet(t *testing.T) {
	h := hostSet{"node1": true, "10.0.0.5": true}
	for host, want := range map[string]bool{
		"node1": true, "NODE1": true, "localhost": true, "127.0.0.1": true, "127.1.2.3": true, "::1": true, "[::1]": true,
		"10.0.0.5": true, "node2": false, "10.0.0.6": false, "": false,
	} {
		if got := h.has(host); got != want {
			t.Errorf("has(%q) = %v, want %v", host, got, want)
		}
	}
	if !localHosts().has("localhost") {
		t.Fatal("localhost is not local")
	}
}

func TestReadType(t *testing.T) {
	f := &FileSystem{}
	for in, want := range map[string]pb.ReadType{"": pb.ReadType_CACHE, "NO_CACHE": pb.ReadType_NO_CACHE, "cache_promote": pb.ReadType_CACHE_PROMOTE} {
		if got, err := f.readType(in); err != nil || got != want {
			t.Errorf("readType(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := f.readType("FAST"); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("readType(FAST): %v", err)
	}
	f.cfg.ReadType = "NO_CACHE"
	if got, _ := f.readType(""); got != pb.ReadType_NO_CACHE {
		t.Errorf("configured default ignored: %v", got)
	}
}

func TestWatchdog(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	err := withWatchdog(10*time.Millisecond, cancel, func() error { <-ctx.Done(); return ctx.Err() })
	if !errors.Is(err, errs.ErrUnavailable) {
		t.Fatalf("a stuck call gave %v", err)
	}
	boom := errors.New("boom")
	if err := withWatchdog(time.Minute, func() { t.Error("cancelled") }, func() error { return boom }); err != boom {
		t.Fatalf("fast call gave %v", err)
	}
}

// A reader's position logic needs no server until it reads data.
func TestReaderSeekAndEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &FileReader{ctx: ctx, cancel: cancel, path: "/f", length: 100, info: &FileInfo{Length: 100, BlockSize: 64}}
	for _, c := range []struct {
		off    int64
		whence int
		want   int64
		bad    bool
	}{
		{10, io.SeekStart, 10, false}, {5, io.SeekCurrent, 15, false}, {-1, io.SeekEnd, 99, false},
		{-200, io.SeekCurrent, 99, true}, {0, 7, 99, true}, {200, io.SeekStart, 200, false},
	} {
		got, err := r.Seek(c.off, c.whence)
		if got != c.want || (err != nil) != c.bad {
			t.Errorf("Seek(%d, %d) = %d, %v", c.off, c.whence, got, err)
		}
	}
	if n, err := r.Read(make([]byte, 4)); n != 0 || err != io.EOF {
		t.Errorf("Read past the end: %d, %v", n, err)
	}
	if n, err := r.ReadAt(make([]byte, 4), 100); n != 0 || err != io.EOF {
		t.Errorf("ReadAt at the end: %d, %v", n, err)
	}
	if _, err := r.ReadAt(make([]byte, 4), -1); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("ReadAt(-1): %v", err)
	}
	r.Close()
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestAlluxioPath(t *testing.T) {
	for name, want := range map[string]string{".": "/", "a": "/a", "a/b/c.txt": "/a/b/c.txt"} {
		if got, err := alluxioPath("open", name); err != nil || got != want {
			t.Errorf("alluxioPath(%q) = %q, %v", name, got, err)
		}
	}
	for _, name := range []string{"", "/a", "a/", "./a", "a/../b", "a//b", ".."} {
		if _, err := alluxioPath("open", name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("alluxioPath(%q) accepted: %v", name, err)
		}
	}
}

func TestIOErrors(t *testing.T) {
	for err, kind := range map[error]error{
		errs.New(errs.ErrNotFound, "path /a"):      fs.ErrNotExist,
		errs.New(errs.ErrPermission, "path /a"):    fs.ErrPermission,
		errs.New(errs.ErrAlreadyExists, "path /a"): fs.ErrExist,
		errs.New(errs.ErrInvalidPath, "path a"):    fs.ErrInvalid,
	} {
		got := pathErr("open", "a", err)
		if !errors.Is(got, kind) || !errors.Is(got, err) || got.Error() != "open a: "+err.Error() {
			t.Errorf("pathErr(%v) = %v", err, got)
		}
	}
	other := errors.New("boom")
	if got := ioErr(other); got != other {
		t.Errorf("ioErr changed an unknown error: %v", got)
	}
}

func TestIODirReadDir(t *testing.T) {
	list := []*FileInfo{{Name: "b", Path: "/d/b"}, {Name: "a", Path: "/d/a", IsDir: true}, {Name: "c", Path: "/d/c"}}
	entries := dirEntries(list)
	if entries[0].Name() != "a" || !entries[0].IsDir() || entries[2].Name() != "c" {
		t.Fatalf("entries not sorted: %v", entries)
	}
	d := &ioDir{name: "d", entries: entries, listed: true}
	got, err := d.ReadDir(2)
	if len(got) != 2 || err != nil {
		t.Fatalf("ReadDir(2) = %v, %v", got, err)
	}
	if got, err = d.ReadDir(2); len(got) != 1 || err != nil {
		t.Fatalf("second ReadDir(2) = %v, %v", got, err)
	}
	if got, err = d.ReadDir(2); len(got) != 0 || err != io.EOF {
		t.Fatalf("ReadDir at the end = %v, %v", got, err)
	}
	if got, err = d.ReadDir(-1); len(got) != 0 || err != nil {
		t.Fatalf("ReadDir(-1) at the end = %v, %v", got, err)
	}
	if _, err := d.Read(nil); !errors.Is(err, ErrIsDirectory) {
		t.Fatalf("Read of a directory: %v", err)
	}
	st, _ := (&ioDir{name: ".", info: &FileInfo{IsDir: true, Mode: 0o755}}).Stat()
	if st.Name() != "." || !st.IsDir() || st.Mode() != fs.ModeDir|0o755 {
		t.Fatalf("root Stat: %v %v %v", st.Name(), st.IsDir(), st.Mode())
	}
}

// TestWriteStopsAtMaxBlocks: a file's last possible block id is the one
// before the next file's first, so a writer refuses to go past it instead
// of writing into another file's blocks.
func TestWriteStopsAtMaxBlocks(t *testing.T) {
	w := &FileWriter{path: "/big", fileID: 5, blockSize: 1, written: blockid.MaxBlocks}
	err := w.emit([]byte{1})
	if !errors.Is(err, errs.ErrInvalidArg) || w.written != blockid.MaxBlocks {
		t.Fatalf("emit past the last block: %v (written %d)", err, w.written)
	}
	w.written = blockid.MaxBlocks - 1
	if err := w.emit([]byte{1}); err != nil || w.written != blockid.MaxBlocks {
		t.Fatalf("emit into the last block: %v", err)
	}
}

func TestRelBelow(t *testing.T) {
	for _, c := range [][3]string{
		{"/d", "/d/a/b", "a/b"}, {"/d/", "/d/a", "a"}, {"/", "/a/b", "a/b"}, {"/d", "/dx/a", "/dx/a"},
	} {
		if got := relBelow(c[0], c[1]); got != c[2] {
			t.Errorf("relBelow(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

// TestWriteTypeErrorNamesItsSource: a bad configured default names the
// key and the value, not the empty option the caller left unset.
func TestWriteTypeErrorNamesItsSource(t *testing.T) {
	fs, err := New(Config{Masters: []string{"127.0.0.1:1"}, WriteType: "bogus"})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	_, err = fs.Create(context.Background(), "/f", CreateFileOptions{})
	if err == nil || !strings.Contains(err.Error(), `alluxio.user.file.writetype.default "BOGUS"`) {
		t.Errorf("Create with a bad default write type: %v", err)
	}
	_, err = fs.Create(context.Background(), "/f", CreateFileOptions{WriteType: "sometimes"})
	if err == nil || !strings.Contains(err.Error(), `write type "SOMETIMES"`) {
		t.Errorf("Create with a bad write type: %v", err)
	}
}
