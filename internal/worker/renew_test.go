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

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/inproc"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"
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
		// A byte of block 0 of the file, written or not: the capability
		// is checked first.
		s, err := wc.ReadBlock(rpcmeta.WithUser(context.Background(), "alice"),
			&pb.ReadBlockRequest{BlockId: blockid.New(fi.FileId, 0), Length: 1, Capability: fi.Capability})
		if err == nil {
			_, err = s.Recv()
		}
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

// TestLongStreamsGoOnAcrossExpiries: a writer and a reader that keep one
// block stream open across several capability lifetimes get the right
// bytes: the writer sends its renewed capability on the open streams
// (block and under storage), so the worker does not end them; the
// worker ends the reader's stream once its capability expired, and the
// reader opens it again where it stopped with a renewed capability.
func TestLongStreamsGoOnAcrossExpiries(t *testing.T) {
	c := inproc.Start(t, inproc.Options{Properties: map[string]string{
		"alluxio.security.block.capability.lifetime":   capabilityLifetime.String(),
		"alluxio.worker.tieredstore.level0.dirs.quota": "256MB",
	}})
	ctx := context.Background()
	all := os.FileMode(0o777)
	must(t, c.Client().SetAttribute(ctx, "/", client.SetAttributeOptions{Mode: &all}), "chmod /")
	// Streams only: a block written or read through its file on this host
	// is not cut (docs/security.md).
	alice := c.ClientWith(func(cfg *client.Config) { cfg.User = "alice"; cfg.NoShortCircuit = true })
	w0 := c.Workers[0]

	// Writes: a block stream (MUST_CACHE) and an under storage stream
	// (THROUGH) held open across a pause at half the capability's life
	// (renewed before it expires) and a pause past its expiry (renewed
	// before the next chunk).
	const wblock = 4 << 20
	wdata := pattern(2 * wblock)
	for _, wt := range []string{"MUST_CACHE", "THROUGH"} {
		path := "/long-" + wt
		renewals, cut := metric(t, w0, "capability_stream_renewals_total"), metric(t, w0, "capability_streams_cut_total")
		w, err := alice.Create(ctx, path, client.CreateFileOptions{BlockSize: wblock, WriteType: wt})
		if err != nil {
			t.Fatal(err)
		}
		created := time.Now()
		const piece = 1 << 20
		must(t, writeAll(w, wdata[:piece]), "first piece")
		waitPast(t, created.Add(capabilityLifetime*6/10).UnixMilli())
		must(t, writeAll(w, wdata[piece:2*piece]), "a piece at 6/10 of the capability's life")
		waitExpired(t, c, path)
		must(t, writeAll(w, wdata[2*piece:3*piece]), "a piece after the capability expired")
		waitExpired(t, c, path)
		must(t, writeAll(w, wdata[3*piece:]), "the rest after the capability expired again")
		must(t, w.Close(), "close %s", path)
		if got := read(t, alice, path, "NO_CACHE"); !bytes.Equal(got, wdata) {
			t.Fatalf("%s: read back %d other bytes than the %d written", wt, len(got), len(wdata))
		}
		if n := metric(t, w0, "capability_stream_renewals_total") - renewals; n < 3 {
			t.Errorf("%s: capability_stream_renewals_total went up by %v, want a renewal on the open stream at each of the 3 pauses", wt, n)
		}
		if n := metric(t, w0, "capability_streams_cut_total") - cut; n != 0 {
			t.Errorf("%s: the worker ended %v of the writer's streams", wt, n)
		}
	}

	// Reads: blocks larger than what a worker streams ahead of a reader
	// (the client's 16 MiB flow control window), each read with a pause
	// past the capability's expiry after its first bytes.
	const rblock = 24 << 20
	rdata := pattern(2 * rblock)
	// Written into the worker's block files: a stream may carry more than
	// a slow worker (under the race detector) takes in within half a
	// 2s capability's life, when the writer renews it (docs/security.md).
	local := c.ClientWith(func(cfg *client.Config) { cfg.User = "alice" })
	wr, err := local.Create(ctx, "/big", client.CreateFileOptions{BlockSize: rblock, WriteType: "MUST_CACHE"})
	if err != nil {
		t.Fatal(err)
	}
	must(t, writeAll(wr, rdata), "write /big")
	must(t, wr.Close(), "close /big")
	cut := metric(t, w0, "capability_streams_cut_total")
	r, err := alice.OpenFile(ctx, "/big", client.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make([]byte, len(rdata))
	for b := range 2 {
		start := b * rblock
		if _, err := io.ReadFull(r, got[start:start+64<<10]); err != nil {
			t.Fatal(err)
		}
		waitExpired(t, c, "/big")
		if _, err := io.ReadFull(r, got[start+64<<10:start+rblock]); err != nil {
			t.Fatalf("block %d read on after the capability expired: %v", b, err)
		}
	}
	if !bytes.Equal(got, rdata) {
		t.Fatal("read back other bytes than written")
	}
	if n := metric(t, w0, "capability_streams_cut_total") - cut; n < 2 {
		t.Errorf("capability_streams_cut_total went up by %v, want the reader's stream of each block cut once", n)
	}
}

// TestRevokedReaderIsCutMidStream: once the owner takes read permission
// away, a reader holding an open block stream is cut when its capability
// expires, well before the end of the block, and renewing fails with the
// master's denial: the revocation takes effect within a capability's
// lifetime, not when the reader opens its next block.
func TestRevokedReaderIsCutMidStream(t *testing.T) {
	c := inproc.Start(t, inproc.Options{Properties: map[string]string{
		"alluxio.security.block.capability.lifetime":   capabilityLifetime.String(),
		"alluxio.worker.tieredstore.level0.dirs.quota": "128MB",
	}})
	ctx := context.Background()
	all := os.FileMode(0o777)
	must(t, c.Client().SetAttribute(ctx, "/", client.SetAttributeOptions{Mode: &all}), "chmod /")
	alice := c.ClientWith(func(cfg *client.Config) { cfg.User = "alice" })
	bob := c.ClientWith(func(cfg *client.Config) { cfg.User = "bob"; cfg.NoShortCircuit = true })
	const block = 24 << 20 // more than a worker streams ahead of a reader
	w, err := alice.Create(ctx, "/shared", client.CreateFileOptions{BlockSize: block, WriteType: "MUST_CACHE"})
	if err != nil {
		t.Fatal(err)
	}
	must(t, writeAll(w, pattern(2*block)), "write /shared")
	must(t, w.Close(), "close /shared")

	r, err := bob.OpenFile(ctx, "/shared", client.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, 64<<10)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatal(err)
	}
	private := os.FileMode(0o600)
	must(t, alice.SetAttribute(ctx, "/shared", client.SetAttributeOptions{Mode: &private}), "chmod 600")
	cut := metric(t, c.Workers[0], "capability_streams_cut_total")
	waitExpired(t, c, "/shared")
	read := int64(len(buf))
	for read < 2*block {
		n, err := r.Read(buf)
		read += int64(n)
		if err != nil {
			if !errors.Is(err, errs.ErrPermission) || !strings.Contains(err.Error(),
				"the master refused to renew the read capability of /shared: Permission denied: user=bob, access=r--, path=/shared") {
				t.Fatalf("bob's read after chmod 600: %v, want the refused renewal", err)
			}
			break
		}
	}
	if read >= block {
		t.Fatalf("bob read %d bytes, to the end of the block (%d) his stream was open on when his permission was taken away", read, block)
	}
	if n := metric(t, c.Workers[0], "capability_streams_cut_total") - cut; n < 1 {
		t.Errorf("capability_streams_cut_total went up by %v, want bob's stream cut", n)
	}
}

// writeAll writes p to w, failing on a short write.
func writeAll(w *client.FileWriter, p []byte) error {
	n, err := w.Write(p)
	if err == nil && n != len(p) {
		err = io.ErrShortWrite
	}
	return err
}
