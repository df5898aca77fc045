package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestBadInputChangesNothing runs every kind of bad request through the CLI:
// each fails with one clear line and a non-zero exit, and the namespace is
// the same afterwards.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	m.Must("fs", "mkdir", "-p", "/dir/sub")
	m.Must("fs", "touch", "/dir/file")
	before := dump(t, m.Client())
	long := strings.Repeat("n", 256)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"fs", "mkdir", "relative/path"}, "absolute"},
		{[]string{"fs", "mkdir", "/a/../b"}, "invalid path"},
		{[]string{"fs", "mkdir", "/a//b"}, "invalid path"},
		{[]string{"fs", "mkdir", "/" + long}, "invalid path"},
		{[]string{"fs", "mkdir", "/" + strings.Repeat("abcdefgh/", 600)}, "invalid path"},
		{[]string{"fs", "mv", "/dir/file", "/missing/parent/file"}, "does not exist"},
		{[]string{"fs", "mkdir", "/dir/file"}, "already exists"},
		{[]string{"fs", "touch", "/dir/file/below"}, "file"},
		{[]string{"fs", "rm", "/dir"}, "rm -R"},
		{[]string{"fs", "rm", "/nothing"}, "not found"},
		{[]string{"fs", "mv", "/dir", "/dir/sub/inside"}, "into itself"},
		{[]string{"fs", "mv", "/nothing", "/else"}, "not found"},
		{[]string{"fs", "mount", "/dir", m.Dir}, "exists"},
		{[]string{"fs", "mount", "/newmnt", m.Dir + "/no-such-dir"}, "no-such-dir"},
		{[]string{"fs", "chmod", "rwx", "/dir"}, "mode"},
		{[]string{"fs", "ls", "--no-such-flag", "/"}, "unknown flag"},
		{[]string{"fs", "unmount", "/dir"}, "not a mount point"},
	}
	for _, c := range cases {
		out, code := m.Run(c.args...)
		if code == 0 {
			t.Errorf("alluxio %q succeeded; want an error", c.args)
			continue
		}
		line := strings.TrimSpace(out)
		if strings.Contains(line, "\n") || strings.Contains(line, "panic") || strings.Contains(line, "goroutine ") {
			t.Errorf("alluxio %q: want one clear line, got:\n%s", c.args, out)
		}
		if !strings.Contains(strings.ToLower(line), strings.ToLower(c.want)) {
			t.Errorf("alluxio %q: error %q does not mention %q", c.args, line, c.want)
		}
	}
	// A NUL byte cannot travel in a command line; send it through the API.
	if _, err := m.Client().CreateDirectory(context.Background(), "/a\x00b", client.CreateDirectoryOptions{}); !errors.Is(err, client.ErrInvalidPath) {
		t.Errorf("mkdir with a NUL byte: %v, want invalid path", err)
	}
	if err := m.Client().Delete(context.Background(), "/dir", client.DeleteOptions{}); !errors.Is(err, client.ErrNotEmpty) {
		t.Errorf("delete of a non-empty directory without recursive: %v, want not empty", err)
	}
	if after := dump(t, m.Client()); after != before {
		t.Fatalf("bad input changed the namespace:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestUnreachableMasterIsAClearError(t *testing.T) {
	t.Parallel()
	ports := testcluster.FreePorts(t, 2)
	m := &cluster.Master{T: t, Bin: testcluster.Binary(t), Dir: t.TempDir(), RPCPort: ports[0], WebPort: ports[1],
		Extra: []string{"-Dalluxio.user.rpc.retry.max.duration=1s"}}
	out, code := m.Run("fs", "ls", "/")
	if code == 0 || !strings.Contains(out, "unavailable") || strings.Count(strings.TrimSpace(out), "\n") > 0 {
		t.Fatalf("ls against no master: exit %d, output %q", code, out)
	}
}
