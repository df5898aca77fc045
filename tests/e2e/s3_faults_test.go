package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// TestS3BadMountsChangeNothing: wrong keys, a missing bucket, an
// unreachable endpoint, one that accepts connections and never answers,
// and a bad option each fail the mount within a bounded time, with a
// message naming the bucket or endpoint and the cause, and leave the mount
// table as it was. The CLI runs with Alluxio's default retry budget (2
// minutes), not the tests' short one: a failure it took for the master's
// would be retried for all of it. The secret shows nowhere: not in the
// CLI's output, the mount listing, the master's log or its web pages.
func TestS3BadMountsChangeNothing(t *testing.T) {
	t.Parallel()
	c := newS3Cluster(t)
	dead := fmt.Sprintf("http://127.0.0.1:%d", testcluster.FreePort(t))
	hung := silentEndpoint(t)
	props := c.srv.Properties()
	opt := func(over map[string]string) []string {
		p := map[string]string{}
		for k, v := range props {
			p[k] = v
		}
		for k, v := range over {
			p[k] = v
		}
		var out []string
		for k, v := range p {
			out = append(out, "--option", k+"="+v)
		}
		return out
	}
	const wrongSecret = "wrong-secret-4711"
	tests := []struct {
		name  string
		uri   string
		over  map[string]string
		words []string
	}{
		{"wrong access key", "s3://bucket/p", map[string]string{"s3a.accessKeyId": "nobody"}, []string{"bucket", c.srv.Endpoint, "access key"}},
		{"wrong secret", "s3://bucket/p", map[string]string{"s3a.secretKey": wrongSecret}, []string{"bucket", c.srv.Endpoint, "s3a.secretKey"}},
		{"missing bucket", "s3://nobucket/p", nil, []string{"nobucket", c.srv.Endpoint, "does not exist"}},
		{"unreachable endpoint", "s3://bucket/p", map[string]string{"alluxio.underfs.s3.endpoint": dead}, []string{"bucket", dead, "connection refused"}},
		{"endpoint that never answers", "s3://bucket/p", map[string]string{"alluxio.underfs.s3.endpoint": hung}, []string{"bucket", hung, "did not answer"}},
		{"bad option", "s3://bucket/p", map[string]string{"alluxio.underfs.s3.streaming.upload.partition.size": "1KB"}, []string{"partition.size", "1KB"}},
	}
	before := c.m.Must("fs", "mount")
	for _, tt := range tests {
		start := time.Now()
		args := append(append([]string{"fs", "mount"}, opt(tt.over)...), "/bad", tt.uri)
		out, code := testcluster.RunCLI(t, c.m.Bin, append(append(args, c.m.Defines()...), "-Dalluxio.user.rpc.retry.max.duration=2min"), c.m.Env())
		if code == 0 {
			t.Errorf("%s: the mount succeeded: %s", tt.name, out)
			continue
		}
		for _, w := range tt.words {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the error does not say %q:\n%s", tt.name, w, out)
			}
		}
		if took := time.Since(start); took > 40*time.Second {
			t.Errorf("%s: failing took %v", tt.name, took)
		}
		for _, secret := range []string{c.srv.SecretKey, wrongSecret} {
			if strings.Contains(out, secret) {
				t.Errorf("%s: the output shows a secret:\n%s", tt.name, out)
			}
		}
	}
	if after := c.m.Must("fs", "mount"); after != before {
		t.Errorf("failed mounts changed the mount table:\n%s\nbecame\n%s", before, after)
	}
	c.mount(t, "/good", "g")
	listing := c.m.Must("fs", "mount")
	if !strings.Contains(listing, "s3a.secretKey=******") || !strings.Contains(listing, "s3a.accessKeyId=******") {
		t.Errorf("the mount listing does not show the keys masked:\n%s", listing)
	}
	c.m.Must("fs", "ls", "/good")
	c.m.Must("fs", "copyFromLocal", "--writeType", "CACHE_THROUGH", os.Args[0], "/good/bin")
	info, err := c.m.Client().GetStatus(t.Context(), "/good/bin", client.StatusOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shown := []string{listing, c.m.Must("fs", "stat", "/good/bin"), fmt.Sprint(info.UfsLocation), c.m.Must("getConf")}
	for _, path := range []string{"/metrics", "/debug/state", "/healthz"} {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", c.m.WebPort, path))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		shown = append(shown, string(b))
	}
	for _, p := range []*testcluster.Process{c.m.Proc, c.w.Proc} {
		b, err := os.ReadFile(p.LogPath())
		if err != nil {
			t.Fatal(err)
		}
		shown = append(shown, string(b))
	}
	for i, s := range shown {
		for _, secret := range []string{c.srv.SecretKey, wrongSecret} {
			if strings.Contains(s, secret) {
				t.Errorf("output %d shows a secret", i)
			}
		}
	}
}

// TestS3ServerDiesMidReadAndWrite kills the S3 server while a worker reads
// an object from it and while a client writes through it: each call either
// fails with a clear error or, once the server is back, succeeds with the
// right bytes. Never wrong bytes, never a file that looks complete.
func TestS3ServerDiesMidReadAndWrite(t *testing.T) {
	t.Parallel()
	c := newS3Cluster(t)
	data := make([]byte, 96<<20)
	rand.Read(data)
	c.put(t, "k/big", data)
	c.mount(t, "/s3", "k")
	fs := c.m.ClientWith(client.Config{RetryMaxDuration: 5 * time.Second})
	ctx := t.Context()

	// Mid-read: kill the server after the first megabytes arrive.
	r, err := fs.OpenFile(ctx, "/s3/big", client.OpenOptions{ReadType: "NO_CACHE"})
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 4<<20)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatal(err)
	}
	c.srv.Kill()
	rest, err := io.ReadAll(r)
	r.Close()
	got := append(head, rest...)
	if !bytes.Equal(got, data[:len(got)]) {
		t.Fatalf("a read across the server's death returned wrong bytes (%d read)", len(got))
	}
	if err == nil && len(got) != len(data) {
		t.Fatalf("the read ended early without an error: %d of %d bytes", len(got), len(data))
	}
	if err != nil && !errors.Is(err, errs.ErrUnavailable) && !strings.Contains(err.Error(), "unavailable") {
		t.Errorf("the read failed with an unclear error: %v", err)
	}
	t.Logf("read across the kill: %d of %d bytes, then %v", len(got), len(data), err)

	// Mid-write: the server dies while a CACHE_THROUGH file is written.
	c.srv.Restart(t)
	w, err := fs.Create(ctx, "/s3/written", client.CreateFileOptions{WriteType: "CACHE_THROUGH"})
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	for i := 0; i < 6 && werr == nil; i++ {
		_, werr = w.Write(data[i*(16<<20) : (i+1)*(16<<20)])
		if i == 2 {
			c.srv.Kill()
		}
	}
	if werr == nil {
		werr = w.Close()
	} else {
		w.Cancel()
	}
	if werr == nil {
		t.Fatal("a write through a dead S3 server succeeded")
	}
	t.Logf("write across the kill failed with: %v", werr)
	c.srv.Restart(t)
	info, err := fs.GetStatus(context.Background(), "/s3/written", client.StatusOptions{})
	if err == nil && info.Completed {
		t.Errorf("a failed write left a complete file: %+v", info)
	}
	if st, err := c.bucket.GetStatus(ctx, "k/written"); err == nil {
		t.Errorf("a failed write shows in S3: %+v", st)
	}
	// With the server back, the same read works and gives the right bytes.
	if got := readAll(t, fs, "/s3/big"); !bytes.Equal(got, data) {
		t.Error("the read after the server came back differs")
	}
}

// silentEndpoint is the URL of a server that accepts connections and reads
// what it is sent but never answers, as a hung S3 server does; it closes in
// cleanup.
func silentEndpoint(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				io.Copy(io.Discard, conn)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestS3HungStoreMetadata: while the S3 server hangs (SIGSTOP: it accepts
// connections and never answers), what the master knows of the mount is
// served as usual, and a forced sync fails within the client's wait for
// one call, saying that the store did not answer, not that the master did
// not. Once the server goes on, the sync works again.
func TestS3HungStoreMetadata(t *testing.T) {
	t.Parallel()
	c := newS3Cluster(t)
	c.put(t, "h/a", []byte("x"))
	c.mount(t, "/s3", "h")
	fs := c.m.ClientWith(client.Config{RPCTimeout: 8 * time.Second, RetryMaxDuration: time.Second})
	ctx := t.Context()
	zero := time.Duration(0)
	forced := client.StatusOptions{SyncInterval: &zero, LoadType: "ALWAYS"}
	if _, err := fs.ListStatus(ctx, "/s3", false, forced); err != nil {
		t.Fatal(err)
	}
	proc := c.srv.Process()
	if err := proc.Pause(); err != nil {
		t.Fatal(err)
	}
	paused := true
	t.Cleanup(func() {
		if paused {
			proc.Resume()
		}
	})

	infos, err := fs.ListStatus(ctx, "/s3", false, client.StatusOptions{})
	if err != nil || len(infos) != 1 {
		t.Fatalf("listing what the master knows while S3 hangs: %d entries, %v", len(infos), err)
	}
	start := time.Now()
	_, err = fs.ListStatus(ctx, "/s3", false, forced)
	took := time.Since(start)
	switch {
	case err == nil:
		t.Fatal("a forced sync of a hung store succeeded")
	case !errors.Is(err, errs.ErrUnavailable) || !strings.Contains(err.Error(), "did not answer") ||
		!strings.Contains(err.Error(), c.srv.Endpoint) || strings.Contains(err.Error(), "no primary master"):
		t.Errorf("forced sync of a hung store: %v; want unavailable, saying the store at %s did not answer", err, c.srv.Endpoint)
	}
	if took > 30*time.Second {
		t.Errorf("the forced sync took %s to fail", took)
	}

	paused = false
	if err := proc.Resume(); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.ListStatus(ctx, "/s3", false, forced); err != nil {
		t.Errorf("a forced sync once the server went on: %v", err)
	}
}
