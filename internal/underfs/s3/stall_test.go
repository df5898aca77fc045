package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// TestStalledServerFailsTheTransfer pauses the S3 server (SIGSTOP: its
// kernel still accepts connections and acknowledges keepalives, as a hung
// server's does) in the middle of a read and of a write. Each fails within
// a bound set by the socket and request timeouts instead of waiting for
// the server forever, the read having given only the object's bytes, and
// once the server goes on the store works again.
func TestStalledServerFailsTheTransfer(t *testing.T) {
	srv, bucket := server(t)
	fs := open(t, srv, bucket, map[string]string{KeySocketTimeout: "1s", KeyRequestTimeout: "2s", KeyMaxErrorRetry: "0"})
	ctx := context.Background()
	data := make([]byte, 256<<20)
	rand.Read(data)
	write(t, fs, "big", string(data))
	proc := srv.Process()
	paused := false
	pause := func() {
		if err := proc.Pause(); err != nil {
			t.Fatal(err)
		}
		paused = true
	}
	resume := func() {
		if paused {
			paused = false
			if err := proc.Resume(); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(resume)
	const bound = 45 * time.Second

	r, err := fs.Open(ctx, "big", 0)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 1<<20)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatal(err)
	}
	pause()
	start := time.Now()
	var got bytes.Buffer
	got.Write(head)
	_, err = io.Copy(&got, r)
	took := time.Since(start)
	r.Close()
	if err == nil {
		t.Fatalf("the read of a paused server's object ended without an error, %d bytes", got.Len())
	}
	if !errors.Is(err, errs.ErrUnavailable) {
		t.Errorf("read from a paused server: %v; want errs.ErrUnavailable", err)
	}
	if took > bound {
		t.Errorf("the read took %s to fail; want under %s", took, bound)
	}
	if !bytes.Equal(got.Bytes(), data[:got.Len()]) {
		t.Errorf("the %d bytes read before the failure are not the object's", got.Len())
	}
	t.Logf("read failed after %s and %d MiB: %v", took.Round(time.Millisecond), got.Len()>>20, err)
	resume()
	if back := read(t, fs, "big"); back != string(data) {
		t.Fatal("once the server went on, the object read back wrong")
	}

	w, err := fs.Create(ctx, "written", underfs.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pause()
	start = time.Now()
	_, err = w.Write(data[:64<<20])
	if err == nil {
		err = w.Close()
	} else {
		w.Cancel()
	}
	took = time.Since(start)
	if err == nil {
		t.Fatal("a write of 64 MiB to a paused server succeeded")
	}
	if took > bound {
		t.Errorf("the write took %s to fail; want under %s", took, bound)
	}
	t.Logf("write failed after %s: %v", took.Round(time.Millisecond), err)
	resume()
	if _, err := fs.GetStatus(ctx, "written"); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("after a failed write the object's status is %v; want not found", err)
	}
	write(t, fs, "after", string(data[:1<<20]))
	if back := read(t, fs, "after"); back != string(data[:1<<20]) {
		t.Error("a write after the server went on read back wrong")
	}
}
