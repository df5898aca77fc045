package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// The configuration the chart renders forms a working cluster: three
// masters and a worker run as local processes with the rendered
// alluxio-site.properties, as the pods would, with what differs between
// pods and this machine remapped (the masters' DNS names to 127.0.0.1 and
// a port each from the harness, the journal volume, the memory tier and
// the root under storage to folders of the test). They elect a leader,
// serve a write and a read, and keep serving after the leader is killed.
func TestChartConfigurationFormsACluster(t *testing.T) {
	o := mustRender(t, minimal())
	props := o.siteProperties(t)
	bin := testcluster.Binary(t)
	ports := testcluster.FreePorts(t, 11)
	rpc, web, journal := ports[0:3], ports[3:6], ports[6:9]
	workerRPC, workerWeb := ports[9], ports[10]
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

	masters[leader].Kill()
	next := waitPrimary(t, web, masters, leader)
	t.Logf("leader master%d killed; master%d leads", leader, next)
	if got := run(clientEnv, "fs", "cat", "/k8s/file.txt"); got != data {
		t.Fatalf("after the failover cat gave %d bytes, want %d", len(got), len(data))
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
