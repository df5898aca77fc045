package worker_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/inproc"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// waitExpired waits until the worker refuses the capability alice's
// status carried when it was asked for, so that a reader or writer opened
// before it holds an expired one too.
func waitExpired(t *testing.T, c *inproc.Cluster, path string) {
	t.Helper()
	fi := statusAs(t, c, "alice", path)
	if fi.Capability == nil {
		t.Fatalf("no capability for alice on %s", path)
	}
	wc := dataClient(t, c)
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		// Block 0 of the file, written or not: the capability is checked
		// first.
		_, err := readAs(wc, "alice", blockid.New(fi.FileId, 0), fi.Capability)
		return err != nil && strings.Contains(err.Error(), "expired"), "the worker still takes a capability that should have expired"
	})
}

// TestLongOpenFilesRenewCapabilities: with a 1s capability lifetime, a
// writer and a reader kept open past their capabilities' expiry go on (the
// client renews before each block, the master checking again), and once
// the user may no longer write or read the file, renewal is refused with
// the master's denial.
func TestLongOpenFilesRenewCapabilities(t *testing.T) {
	c := inproc.Start(t, inproc.Options{Properties: map[string]string{"alluxio.security.block.capability.lifetime": "1s"}})
	ctx := context.Background()
	all := os.FileMode(0o777)
	if err := c.Client().SetAttribute(ctx, "/", client.SetAttributeOptions{Mode: &all}); err != nil {
		t.Fatal(err)
	}
	alice := c.ClientWith(func(cfg *client.Config) { cfg.User = "alice" })
	bob := c.ClientWith(func(cfg *client.Config) { cfg.User = "bob" })
	const block = 64 << 10
	data := bytes.Repeat([]byte("0123456789abcdef"), 3*block/16)

	// A write across two lifetimes.
	w, err := alice.Create(ctx, "/long", client.CreateFileOptions{BlockSize: block, WriteType: "MUST_CACHE"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data[:block]); err != nil {
		t.Fatal(err)
	}
	waitExpired(t, c, "/long")
	if _, err := w.Write(data[block : 2*block]); err != nil {
		t.Fatalf("a write after the capability expired: %v", err)
	}
	waitExpired(t, c, "/long")
	if _, err := w.Write(data[2*block:]); err != nil {
		t.Fatalf("a write after the capability expired twice: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// A read across two lifetimes, by alice and by bob (the file is 644).
	for _, fs := range []*client.FileSystem{alice, bob} {
		r, err := fs.OpenFile(ctx, "/long", client.OpenOptions{ReadType: "NO_CACHE"})
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(data))
		if _, err := r.ReadAt(got[:block], 0); err != nil {
			t.Fatal(err)
		}
		waitExpired(t, c, "/long")
		if _, err := r.ReadAt(got[block:2*block], block); err != nil {
			t.Fatalf("a read after the capability expired: %v", err)
		}
		waitExpired(t, c, "/long")
		if _, err := r.ReadAt(got[2*block:], 2*block); err != nil && err != io.EOF {
			t.Fatalf("a read after the capability expired twice: %v", err)
		}
		r.Close()
		if !bytes.Equal(got, data) {
			t.Fatal("read back other bytes than written")
		}
	}

	// Permission taken away: bob's open reader, alice's open writer.
	r, err := bob.OpenFile(ctx, "/long", client.OpenOptions{ReadType: "NO_CACHE"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.ReadAt(make([]byte, 10), 0); err != nil {
		t.Fatal(err)
	}
	w, err = alice.Create(ctx, "/w2", client.CreateFileOptions{BlockSize: block, WriteType: "MUST_CACHE"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel()
	if _, err := w.Write(data[:block]); err != nil {
		t.Fatal(err)
	}
	private, readOnly := os.FileMode(0o600), os.FileMode(0o444)
	if err := alice.SetAttribute(ctx, "/long", client.SetAttributeOptions{Mode: &private}); err != nil {
		t.Fatal(err)
	}
	if err := alice.SetAttribute(ctx, "/w2", client.SetAttributeOptions{Mode: &readOnly}); err != nil {
		t.Fatal(err)
	}
	waitExpired(t, c, "/long")
	_, err = r.ReadAt(make([]byte, 10), block)
	if !errors.Is(err, errs.ErrPermission) || !strings.Contains(err.Error(),
		"the master refused to renew the read capability of /long: Permission denied: user=bob, access=r--, path=/long") {
		t.Fatalf("bob's read after chmod 600: %v, want the refused renewal", err)
	}
	waitExpired(t, c, "/long")
	_, err = w.Write(data[block:])
	if err == nil {
		err = w.Close()
	}
	if !errors.Is(err, errs.ErrPermission) || !strings.Contains(err.Error(),
		"the master refused to renew the write capability of /w2: Permission denied: user=alice, access=-w-, path=/w2") {
		t.Fatalf("alice's write after chmod 444: %v, want the refused renewal", err)
	}
}
