package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	corev1 "k8s.io/api/core/v1"

	"github.com/alluxio-go/alluxio/internal/fuse"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// The configuration the chart renders forms a working cluster: three
// masters and a worker run as local processes with the rendered
// alluxio-site.properties, as the pods would, with what differs between
// pods and this machine remapped (the masters' DNS names to 127.0.0.1 and
// a port each from the harness, the journal volume, the memory tier and
// the root under storage to folders of the test). They elect a leader,
// serve a write and a read, and keep serving after the leader is killed.
// The optional proxy and FUSE run as their containers would (the
// rendered arguments, the FUSE pod's preStop hook to unmount) and serve
// the file before and after the failover.
func TestChartConfigurationFormsACluster(t *testing.T) {
	values := minimal()
	// The processes run as the test's user here, as the image's user in
	// the pods.
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	values["serviceUser"] = me.Username
	values["proxy"] = map[string]any{"enabled": true}
	values["fuse"] = map[string]any{"enabled": true, "alluxioPath": "/k8s"}
	o := mustRender(t, values)
	props := o.siteProperties(t)
	bin := testcluster.Binary(t)
	ports := testcluster.FreePorts(t, 12)
	rpc, web, journal := ports[0:3], ports[3:6], ports[6:9]
	workerRPC, workerWeb, proxyPort := ports[9], ports[10], ports[11]
	ufs := t.TempDir()

	// site writes the rendered file with the local mapping into a conf dir.
	site := func(journalDir, tierDir string) string {
		dir := t.TempDir()
		var lines []string
		for k, v := range props {
			for i := 0; i < 3; i++ {
				v = strings.ReplaceAll(v, masterHost(i)+":19200", fmt.Sprintf("127.0.0.1:%d", journal[i]))
				v = strings.ReplaceAll(v, masterHost(i)+":19998", fmt.Sprintf("127.0.0.1:%d", rpc[i]))
			}
			switch k {
			case "alluxio.master.mount.table.root.ufs":
				v = ufs
			case "alluxio.master.journal.folder":
				v = journalDir
			case "alluxio.worker.tieredstore.level0.dirs.path":
				v = tierDir
			case "alluxio.proxy.web.port":
				v = strconv.Itoa(proxyPort)
			}
			if strings.Contains(v, "svc.cluster.local") {
				t.Fatalf("%s=%s names a host this test does not map", k, v)
			}
			lines = append(lines, k+"="+v)
		}
		sort.Strings(lines)
		if err := os.WriteFile(filepath.Join(dir, "alluxio-site.properties"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	// The pods' environment: the conf dir of the ConfigMap volume, the
	// image's ALLUXIO_HOME, and the host name the StatefulSet gives.
	env := func(conf, home string) []string {
		return []string{"ALLUXIO_CONF_DIR=" + conf, "ALLUXIO_HOME=" + home, "HOME=" + home, "ALLUXIO_MASTER_HOSTNAME=127.0.0.1",
			"ALLUXIO_WORKER_HOSTNAME=127.0.0.1"}
	}
	run := func(e []string, args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), e...)
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("alluxio %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), stderr.String())
		}
		// The rendered configuration must load without a warning (an
		// unknown key, a key that has no effect).
		if stderr.Len() > 0 {
			t.Fatalf("alluxio %s warned:\n%s", strings.Join(args, " "), stderr.String())
		}
		return out.String()
	}

	var masters []*testcluster.Process
	var clientEnv []string
	for i := 0; i < 3; i++ {
		home := t.TempDir()
		e := env(site(filepath.Join(home, "journal", "alluxio"), ""), home)
		if i == 0 {
			clientEnv = e
		}
		portFlags := []string{fmt.Sprintf("-Dalluxio.master.rpc.port=%d", rpc[i]), fmt.Sprintf("-Dalluxio.master.web.port=%d", web[i]),
			fmt.Sprintf("-Dalluxio.master.embedded.journal.port=%d", journal[i])}
		run(e, append([]string{"format", "-s"}, portFlags...)...) // the init container
		masters = append(masters, testcluster.Start(t, fmt.Sprintf("master%d", i), bin, append([]string{"master"}, portFlags...), e))
	}
	leader := waitPrimary(t, web, masters, -1)
	home := t.TempDir()
	testcluster.Start(t, "worker", bin, []string{"worker", fmt.Sprintf("-Dalluxio.worker.rpc.port=%d", workerRPC),
		fmt.Sprintf("-Dalluxio.worker.web.port=%d", workerWeb)}, env(site("", filepath.Join(home, "mem")), home))

	local := filepath.Join(t.TempDir(), "in.txt")
	data := strings.Repeat("rendered by helm, served by alluxio\n", 1000)
	if err := os.WriteFile(local, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	testcluster.WaitFor(t, 60*time.Second, 200*time.Millisecond, func() (bool, string) {
		out := run(clientEnv, "fsadmin", "report", "capacity")
		return strings.Contains(out, "127.0.0.1"), out
	})
	run(clientEnv, "fs", "copyFromLocal", local, "/k8s/file.txt")
	if got := run(clientEnv, "fs", "cat", "/k8s/file.txt"); got != data {
		t.Fatalf("cat gave %d bytes, want %d", len(got), len(data))
	}
	report := run(clientEnv, "fsadmin", "report")
	if strings.Count(report, "127.0.0.1:") < 4 || strings.Count(report, "STANDBY") != 2 || !strings.Contains(report, "PRIMARY") {
		t.Fatalf("report:\n%s", report)
	}

	// The proxy's container, with the client's configuration: an
	// unsigned GET of bucket k8s, key file.txt.
	proxy := o.daemonSets[release+"-alluxio-proxy"].Spec.Template.Spec.Containers[0]
	testcluster.Start(t, "proxy", bin, proxy.Args, clientEnv)
	object := fmt.Sprintf("http://127.0.0.1:%d/k8s/file.txt", proxyPort)
	getObject := func(when string) {
		t.Helper()
		var got string
		testcluster.WaitFor(t, 60*time.Second, 100*time.Millisecond, func() (bool, string) {
			resp, err := http.Get(object)
			if err != nil {
				return false, err.Error()
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			got = string(b)
			return err == nil && resp.StatusCode == http.StatusOK, fmt.Sprintf("GET %s %s: %d %v %.200s", when, object, resp.StatusCode, err, got)
		})
		if got != data {
			t.Fatalf("GET %s %s gave %d bytes, want the %d written", when, object, len(got), len(data))
		}
	}
	getObject("through the proxy")
	// A request signed for another user's access key: the proxy acts for
	// that user through the impersonation rule the chart sets.
	req, err := http.NewRequest(http.MethodGet, object, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	if err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: "bob", SecretAccessKey: "unchecked"}, req,
		"UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || string(b) != data {
		t.Fatalf("GET %s as bob: %d %v %.300s", object, resp.StatusCode, err, b)
	}

	// The FUSE container, its mount point a folder of the test.
	mnt := ""
	if why := testcluster.FuseMissing(); why != "" {
		// The rest still checks its point; under CI a machine without
		// FUSE is a failure.
		if testcluster.InCI() {
			t.Fatalf("the FUSE pod cannot run here: %s (CI is set)", why)
		}
		t.Logf("not running the FUSE pod: %s", why)
	} else {
		mnt = runFusePod(t, bin, o.daemonSets[release+"-alluxio-fuse"].Spec.Template.Spec.Containers[0], clientEnv)
		readMounted(t, filepath.Join(mnt, "file.txt"), data)
	}

	masters[leader].Kill()
	next := waitPrimary(t, web, masters, leader)
	t.Logf("leader master%d killed; master%d leads", leader, next)
	if got := run(clientEnv, "fs", "cat", "/k8s/file.txt"); got != data {
		t.Fatalf("after the failover cat gave %d bytes, want %d", len(got), len(data))
	}
	getObject("after the failover through the proxy")
	if mnt != "" {
		readMounted(t, filepath.Join(mnt, "file.txt"), data)
	}
}

// podMount is where the chart mounts FUSE inside its container.
const podMount = "/mnt/alluxio-fuse"

// runFusePod runs the FUSE container's command with its mount point moved
// to a folder of the test, waits until it serves, and returns the folder.
// Cleanup runs the container's preStop hook (alluxio fuse unmount) and
// expects the process to end by itself.
func runFusePod(t *testing.T, bin string, c corev1.Container, env []string) string {
	t.Helper()
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	moved := func(args []string) []string {
		out := append([]string(nil), args...)
		n := 0
		for i, a := range out {
			if a == podMount {
				out[i], n = mnt, n+1
			}
		}
		if n != 1 {
			t.Fatalf("the FUSE container's %q names its mount point %d times", args, n)
		}
		return out
	}
	proc := testcluster.Start(t, "fuse", bin, moved(c.Args), env)
	// Registered after Start's cleanup, so it runs first: the mount goes
	// before the process is stopped.
	t.Cleanup(func() {
		if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Exec == nil {
			t.Error("the FUSE container has no preStop hook to unmount")
		} else if cmd := moved(c.Lifecycle.PreStop.Exec.Command); cmd[0] != "alluxio" {
			t.Errorf("the preStop hook runs %q, not alluxio", cmd)
		} else if out, code := testcluster.RunCLI(t, bin, cmd[1:], env); code != 0 {
			t.Errorf("the preStop hook %q: exit %d\n%s", cmd, code, out)
		}
		deadline := time.Now().Add(30 * time.Second)
		for !proc.Exited() && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if !proc.Exited() {
			t.Errorf("the FUSE process did not end after the preStop hook; log %s", proc.LogPath())
			if mounted, _ := fuse.MountedAt(mnt); mounted {
				fuse.Unmount(mnt, true)
			}
		}
	})
	if !proc.WaitForLog(t, "msg=mounted", 90*time.Second) {
		t.Fatalf("the FUSE container did not mount; log %s", proc.LogPath())
	}
	return mnt
}

// readMounted reads path through the mount and compares it with want.
func readMounted(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("%s through FUSE: %d bytes (%v), want the %d written", path, len(got), err, len(want))
	}
}

// waitPrimary waits until one running master other than not says on its
// web port that it is primary, and returns its index.
func waitPrimary(t *testing.T, web []int, masters []*testcluster.Process, not int) int {
	t.Helper()
	found := -1
	testcluster.WaitFor(t, 90*time.Second, 100*time.Millisecond, func() (bool, string) {
		for i, m := range masters {
			if i == not || m.Exited() {
				continue
			}
			resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(web[i]) + "/healthz")
			if err != nil {
				continue
			}
			var h struct{ Role string }
			err = json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
			if err == nil && h.Role == "PRIMARY" {
				found = i
				return true, ""
			}
		}
		return false, "no primary yet"
	})
	return found
}
