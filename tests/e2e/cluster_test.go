package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// master is one master process with its own work dir, journal and root
// under storage.
type master struct {
	t       testing.TB
	bin     string
	dir     string
	rpcPort int
	webPort int
	proc    *testcluster.Process
	// extra -D flags, after (and so over) the defaults below.
	extra []string
	// host is where the test reaches the master's ports (default 127.0.0.1).
	host string
}

func (m *master) hostOrLoopback() string {
	if m.host != "" {
		return m.host
	}
	return "127.0.0.1"
}

func (m *master) defines() []string {
	return append([]string{
		"-Dalluxio.home=" + m.dir,
		"-Dalluxio.work.dir=" + m.dir,
		"-Dalluxio.master.hostname=127.0.0.1",
		"-Dalluxio.master.rpc.port=" + strconv.Itoa(m.rpcPort),
		"-Dalluxio.master.web.port=" + strconv.Itoa(m.webPort),
		"-Dalluxio.master.journal.type=UFS",
		"-Dalluxio.user.rpc.retry.max.duration=10s",
	}, m.extra...)
}

// env keeps the developer's own site files out of the test.
func (m *master) env() []string {
	return []string{"ALLUXIO_CONF_DIR=" + m.dir + "/conf", "HOME=" + m.dir}
}

// newMaster formats a journal and starts a master on fresh ports.
func newMaster(t testing.TB) *master {
	t.Helper()
	return newMasterWith(t)
}

// newMasterWith is newMaster with extra -D flags, which the CLI, workers
// and proxies started for it get too.
func newMasterWith(t testing.TB, extra ...string) *master {
	t.Helper()
	ports := testcluster.FreePorts(t, 2)
	m := &master{t: t, bin: testcluster.Binary(t), dir: t.TempDir(), rpcPort: ports[0], webPort: ports[1], extra: extra}
	if out, code := m.run("format"); code != 0 {
		t.Fatalf("format failed (%d): %s", code, out)
	}
	m.proc = testcluster.Start(t, "master", m.bin, append([]string{"master"}, m.defines()...), m.env())
	m.waitLeader()
	return m
}

func (m *master) waitLeader() {
	m.t.Helper()
	if !m.proc.WaitForLog(m.t, "is now the leader.", 60*time.Second) {
		m.t.Fatalf("master did not become the leader; log: %s", m.proc.LogPath())
	}
}

// restart starts the master process again after it was killed or stopped.
func (m *master) restart() {
	m.t.Helper()
	m.proc.Restart(m.t)
	m.waitLeader()
}

// run runs the CLI with this master's configuration and returns its
// combined output and exit code.
func (m *master) run(args ...string) (string, int) {
	m.t.Helper()
	cmd := exec.Command(m.bin, append(args, m.defines()...)...)
	cmd.Env = append(os.Environ(), m.env()...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		m.t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), 0
}

// must runs a CLI command that has to succeed.
func (m *master) must(args ...string) string {
	m.t.Helper()
	out, code := m.run(args...)
	if code != 0 {
		m.t.Fatalf("alluxio %s: exit %d: %s", strings.Join(args, " "), code, out)
	}
	return out
}

func (m *master) client() *client.FileSystem { return m.clientWith(client.Config{}) }

// clientWith is client with some settings of its own (the master address,
// user and retry budget are filled in).
func (m *master) clientWith(cfg client.Config) *client.FileSystem {
	m.t.Helper()
	cfg.Masters, cfg.User, cfg.RetryMaxDuration = []string{fmt.Sprintf("127.0.0.1:%d", m.rpcPort)}, "tester", 20*time.Second
	c, err := client.New(cfg)
	if err != nil {
		m.t.Fatal(err)
	}
	m.t.Cleanup(func() { c.Close() })
	return c
}

// dump is a canonical text of the whole namespace and the mount table: every
// field the master keeps for every inode.
func dump(t testing.TB, c *client.FileSystem) string {
	t.Helper()
	ctx := context.Background()
	never := time.Duration(-1)
	list, err := c.ListStatus(ctx, "/", true, client.StatusOptions{SyncInterval: &never, LoadType: "NEVER"})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	var b strings.Builder
	for _, f := range list {
		fmt.Fprintf(&b, "%s id=%d dir=%v len=%d bs=%d done=%v pin=%v persist=%s ttl=%v/%s own=%s:%s mode=%o mp=%v ctime=%d mtime=%d blocks=%v\n",
			f.Path, f.ID, f.IsDir, f.Length, f.BlockSize, f.Completed, f.Pinned, f.PersistenceState, f.TTL, f.TTLAction,
			f.Owner, f.Group, f.Mode, f.MountPoint, f.Created.UnixMilli(), f.Modified.UnixMilli(), f.BlockIDs)
	}
	mounts, err := c.MountTable(ctx)
	if err != nil {
		t.Fatalf("mount table: %v", err)
	}
	for _, mp := range mounts {
		fmt.Fprintf(&b, "mount %s -> %s ro=%v\n", mp.AlluxioPath, mp.UfsURI, mp.ReadOnly)
	}
	return b.String()
}

// buildNamespace makes a namespace through the CLI that touches every kind
// of journal entry.
func buildNamespace(t testing.TB, m *master, prefix string) {
	t.Helper()
	ufs := filepath.Join(m.dir, "extra-ufs-"+strings.Trim(prefix, "/"))
	if err := os.MkdirAll(filepath.Join(ufs, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ufs, "sub", "data.csv"), []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m.must("fs", "mkdir", "-p", prefix+"/a/b/c", prefix+"/x")
	m.must("fs", "touch", prefix+"/a/f1")
	m.must("fs", "touch", prefix+"/a/b/f2")
	m.must("fs", "chmod", "700", prefix+"/a/f1")
	m.must("fs", "chown", "alice:staff", prefix+"/a/b")
	m.must("fs", "pin", prefix+"/a/b/f2")
	m.must("fs", "setTtl", "--action", "delete", prefix+"/x", "1000h")
	m.must("fs", "mv", prefix+"/a/b/c", prefix+"/x/c")
	m.must("fs", "touch", prefix+"/gone")
	m.must("fs", "rm", prefix+"/gone")
	m.must("fs", "mount", prefix+"/mnt", ufs)
	m.must("fs", "ls", "-R", prefix+"/mnt") // loads sub/data.csv from the under storage
}
