package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/inproc"
)

// runFS runs `alluxio fs args...` in this process against the cluster and
// returns what it printed.
func runFS(t *testing.T, c *inproc.Cluster, args ...string) (string, error) {
	t.Helper()
	t.Setenv("ALLUXIO_CONF_DIR", t.TempDir()) // no site file of this machine
	defines = []string{"alluxio.master.rpc.addresses=" + c.Master.RPCAddr().String(), "alluxio.user.block.size.bytes.default=1MB"}
	t.Cleanup(func() { defines = nil })
	cmd := fsCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

// TestDataCommandsSayWhatTheyDid runs the copy, persist and free commands,
// which call the client library's CopyFromLocal, Copy, CopyToLocal,
// WaitPersisted and WaitFreed, and checks their output in Alluxio's words.
func TestDataCommandsSayWhatTheyDid(t *testing.T) {
	c := inproc.Start(t, inproc.Options{})
	src := filepath.Join(t.TempDir(), "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "a"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		args []string
		want string // a line of the output
		fail string // the error, when the command must fail
	}{
		{args: []string{"copyFromLocal", "--writeType", "MUST_CACHE", src, "/d"},
			want: "Copied file://" + filepath.Join(src, "a") + " to /d/a"},
		{args: []string{"cp", "/d", "/e"}, fail: `/d is a directory, to copy it please use "cp -R <src> <dst>"`},
		{args: []string{"cp", "file://" + src, "/z"}, fail: "file://" + src + ` is a directory, to copy it please use "cp -R`},
		{args: []string{"cp", "/d", "file://" + src + "/x"}, fail: `/d is a directory, to copy it please use "cp -R`},
		{args: []string{"cp", "-R", "--writeType", "MUST_CACHE", "/d", "/e"}, want: "Copied /d/a to /e/a"},
		{args: []string{"cp", "-R", "/d", "/d/x"}, fail: "into itself"},
		{args: []string{"copyFromLocal", filepath.Join(src, "a"), filepath.Join(src, "a"), "/d/a"}, fail: "must be an existing directory"},
		{args: []string{"persist", "/e"}, want: "persisted file /e/a with size 5"},
		{args: []string{"persist", "/e/a"}, want: "/e/a is already persisted"},
		{args: []string{"free", "/e"}, want: "/e was successfully freed from Alluxio space."},
	}
	for _, s := range steps {
		out, err := runFS(t, c, s.args...)
		switch {
		case s.fail != "" && (err == nil || !strings.Contains(err.Error(), s.fail)):
			t.Fatalf("fs %s: %v, want an error with %q\n%s", strings.Join(s.args, " "), err, s.fail, out)
		case s.fail == "" && err != nil:
			t.Fatalf("fs %s: %v\n%s", strings.Join(s.args, " "), err, out)
		case s.want != "" && !strings.Contains(out, s.want+"\n"):
			t.Fatalf("fs %s printed\n%s\nwant the line %q", strings.Join(s.args, " "), out, s.want)
		}
	}
	back := filepath.Join(t.TempDir(), "back")
	if out, err := runFS(t, c, "copyToLocal", "/e/a", back); err != nil || !strings.Contains(out, "Copied /e/a to file://"+back+"\n") {
		t.Fatalf("copyToLocal: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(back); err != nil || string(b) != "hello" {
		t.Fatalf("copied back %q, %v", b, err)
	}
}
