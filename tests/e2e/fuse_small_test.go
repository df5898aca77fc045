package e2e

import (
	"bytes"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestFuseSmallFilesOpenTogether: small files written through the mount
// and still open (a descriptor closed, a duplicate kept, as a shell's
// redirections or a process that forked leave them) each hold their block
// on the worker until released. They must not each claim room for a
// large block: 16 files of 4 KiB fit a 64 MB cache, where 16 reservations
// of the first 8 MiB step of a block do not (ENOSPC at close).
func TestFuseSmallFilesOpenTogether(t *testing.T) {
	requireFuse(t)
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	fm := mountFuse(t, m, "/", "alluxio.user.file.writetype.default=MUST_CACHE")
	const files = 16
	var kept []*os.File
	defer func() {
		for _, f := range kept {
			f.Close()
		}
	}()
	want := func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i)}, 4<<10) }
	for i := 0; i < files; i++ {
		f, err := os.Create(fm.path(fmt.Sprintf("small%02d", i)))
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, f)
		if _, err := f.Write(want(i)); err != nil {
			t.Fatal(err)
		}
		// The kernel flushes the file when a descriptor of it is closed
		// and releases it only when the last one is.
		dup, err := syscall.Dup(int(f.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Close(dup); err != nil {
			t.Fatalf("close of file %d of %d while the others are open: %v", i+1, files, err)
		}
	}
	for _, f := range kept {
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	kept = nil
	for i := 0; i < files; i++ {
		p := fm.path(fmt.Sprintf("small%02d", i))
		if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, want(i)) {
			t.Fatalf("%s: %d bytes, %v", p, len(got), err)
		}
	}
}
