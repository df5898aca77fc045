package testcluster

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ZooKeeperClasspathEnv overrides the Java classpath of the ZooKeeper server,
// for machines where ZooKeeper is not Debian's package (an upstream tarball:
// "$ZK/lib/*"). Without it the harness uses Debian's jars.
const ZooKeeperClasspathEnv = "ALLUXIO_TEST_ZK_CLASSPATH"

// Debian's zookeeper.jar names its dependencies in its manifest but leaves
// the logging binding out; these two make log4j.properties take effect.
const (
	debianJavaDir     = "/usr/share/java"
	debianZooKeeper   = debianJavaDir + "/zookeeper.jar"
	debianSlf4jLog4j  = debianJavaDir + "/slf4j-log4j12.jar"
	debianLog4j       = debianJavaDir + "/log4j-1.2.jar"
	zkTickTime        = 500 // ms; ZooKeeper's timeouts are counted in ticks
	zkStopTimeout     = 10 * time.Second
	zkFourLetterLimit = 2 * time.Second
)

// ZKEnsemble is a real Apache ZooKeeper ensemble of JVM processes on
// loopback ports, for tests of leader election and of behaviour when
// ZooKeeper fails. Server i (from 0) has myid i+1.
type ZKEnsemble struct {
	t       testing.TB
	host    string // where servers take clients
	servers []*zkServer

	mu     sync.Mutex
	paused map[int]bool
}

type zkServer struct {
	clientPort int
	proc       *Process
}

// StartZooKeeper starts an ensemble of n servers (1 runs standalone; use 3
// to test quorum loss) and returns without waiting: call WaitReady. Short
// ticks make elections and failure detection take a few seconds. When java
// or ZooKeeper is missing the test is skipped, or fails when $CI is set so
// that CI cannot pass by skipping.
func StartZooKeeper(t testing.TB, n int) *ZKEnsemble {
	t.Helper()
	return StartZooKeeperOn(t, n, "127.0.0.1")
}

// StartZooKeeperOn is StartZooKeeper with the servers taking clients on
// host instead of loopback: a Net's PeerGateway, so that hosts in network
// namespaces reach ZooKeeper over their peer link and cutting it cuts them
// off from ZooKeeper too. Servers talk among themselves on loopback.
func StartZooKeeperOn(t testing.TB, n int, host string) *ZKEnsemble {
	t.Helper()
	if n < 1 {
		t.Fatalf("testcluster: StartZooKeeper: n = %d, need at least 1", n)
	}
	java, classpath := zooKeeperRuntime(t)

	ports := FreePorts(t, 3*n) // client, quorum and election port per server
	base := t.TempDir()
	logDir := LogDir(t)
	prefix := zkNamePrefix(logDir)

	var peers strings.Builder
	if n > 1 {
		for i := range n {
			fmt.Fprintf(&peers, "server.%d=127.0.0.1:%d:%d\n", i+1, ports[3*i+1], ports[3*i+2])
		}
	}

	e := &ZKEnsemble{t: t, host: host, paused: make(map[int]bool)}
	for i := range n {
		id := i + 1
		name := fmt.Sprintf("%s%d", prefix, id)
		dir := filepath.Join(base, name)
		dataDir := filepath.Join(dir, "data")
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			t.Fatalf("testcluster: %v", err)
		}
		cfg := zooCfg(dataDir, host, ports[3*i]) + peers.String()
		log4j := log4jProperties(filepath.Join(logDir, name+"-server.log"))
		for path, content := range map[string]string{
			filepath.Join(dataDir, "myid"):         strconv.Itoa(id) + "\n",
			filepath.Join(dir, "zoo.cfg"):          cfg,
			filepath.Join(dir, "log4j.properties"): log4j,
		} {
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatalf("testcluster: %v", err)
			}
		}
		args := []string{
			// A small heap, serial GC and the client compiler start the JVM
			// faster and keep three of them light on a two-core machine.
			"-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
			"-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError",
			"-Djava.net.preferIPv4Stack=true",
			"-Dlog4j.configuration=file:" + filepath.Join(dir, "log4j.properties"),
			"-Dzookeeper.jmx.log4j.disable=true",
			"-cp", classpath,
			"org.apache.zookeeper.server.quorum.QuorumPeerMain",
			filepath.Join(dir, "zoo.cfg"),
		}
		e.servers = append(e.servers, &zkServer{clientPort: ports[3*i]})
		e.servers[i].proc = Start(t, name, java, args, nil)
	}
	return e
}

func zooCfg(dataDir, host string, clientPort int) string {
	return fmt.Sprintf(`tickTime=%d
initLimit=10
syncLimit=5
dataDir=%s
clientPortAddress=%s
clientPort=%d
admin.enableServer=false
4lw.commands.whitelist=*
# All clients come from 127.0.0.1; the default cap of 60 per address is
# within reach of a cluster test.
maxClientCnxns=0
# Durability across power loss is of no use to a test, and fsync on a
# loaded CI disk stalls the quorum past syncLimit.
forceSync=no
preAllocSize=4096
# A server killed before its first snapshot must still start again.
snapshot.trust.empty=true
`, zkTickTime, dataDir, host, clientPort)
}

// log4jProperties sends everything to the server's own log file and only
// warnings to stdout, which the harness copies into the test log: the INFO
// stream and the stack traces of three servers would bury the test's own
// lines.
func log4jProperties(file string) string {
	const layout = "%d{ISO8601} %-5p [%t:%C{1}@%L] - %m%n"
	return fmt.Sprintf(`log4j.rootLogger=INFO, CONSOLE, FILE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.Threshold=WARN
log4j.appender.CONSOLE.layout=org.apache.log4j.EnhancedPatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%[2]s%%throwable{short}
log4j.appender.FILE=org.apache.log4j.FileAppender
log4j.appender.FILE.File=%[1]s
log4j.appender.FILE.Append=true
log4j.appender.FILE.layout=org.apache.log4j.PatternLayout
log4j.appender.FILE.layout.ConversionPattern=%[2]s
`, file, layout)
}

// zkNamePrefix keeps process names unique when a test starts two ensembles.
func zkNamePrefix(logDir string) string {
	for k := 0; ; k++ {
		prefix := "zk"
		if k > 0 {
			prefix = fmt.Sprintf("zk%c", 'a'+k)
		}
		if _, err := os.Stat(filepath.Join(logDir, prefix+"1.log")); os.IsNotExist(err) {
			return prefix
		}
	}
}

// zooKeeperRuntime finds java and the ZooKeeper classpath, or skips (fails
// under CI) with the way to install them.
func zooKeeperRuntime(t testing.TB) (java, classpath string) {
	t.Helper()
	java, err := exec.LookPath("java")
	if home := os.Getenv("JAVA_HOME"); home != "" {
		if _, statErr := os.Stat(filepath.Join(home, "bin", "java")); statErr == nil {
			java, err = filepath.Join(home, "bin", "java"), nil
		}
	}
	if err != nil {
		missingDependency(t, "java is not installed")
	}
	if cp := os.Getenv(ZooKeeperClasspathEnv); cp != "" {
		return java, cp
	}
	if _, err := os.Stat(debianZooKeeper); err != nil {
		missingDependency(t, "ZooKeeper is not installed ("+debianZooKeeper+" is missing)")
	}
	cp := []string{debianZooKeeper}
	for _, jar := range []string{debianSlf4jLog4j, debianLog4j} {
		if _, err := os.Stat(jar); err == nil {
			cp = append(cp, jar)
		} else {
			t.Logf("testcluster: %s is missing; ZooKeeper will not log", jar)
		}
	}
	return java, strings.Join(cp, string(os.PathListSeparator))
}

func missingDependency(t testing.TB, what string) {
	t.Helper()
	msg := "testcluster: " + what + "; `make deps` installs it (apt-get install -y zookeeper)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Servers returns the client addresses, "127.0.0.1:port" (the host given
// to StartZooKeeperOn), by server index.
func (e *ZKEnsemble) Servers() []string {
	out := make([]string, len(e.servers))
	for i, s := range e.servers {
		out[i] = net.JoinHostPort(e.host, strconv.Itoa(s.clientPort))
	}
	return out
}

// Address returns the connect string, the client addresses joined by commas,
// as alluxio.zookeeper.address takes it.
func (e *ZKEnsemble) Address() string { return strings.Join(e.Servers(), ",") }

// Process returns server i's process, for its log and signals.
func (e *ZKEnsemble) Process(i int) *Process { return e.servers[i].proc }

// Stop stops server i with SIGTERM (SIGKILL after a while).
func (e *ZKEnsemble) Stop(i int) {
	e.setPaused(i, false)
	e.servers[i].proc.Stop(zkStopTimeout)
}

// Kill kills server i with SIGKILL.
func (e *ZKEnsemble) Kill(i int) {
	e.setPaused(i, false)
	e.servers[i].proc.Kill()
}

// Start starts server i again after Stop or Kill, with its data and ports.
// Its output is logged through the test that started the ensemble, which
// must still be running.
func (e *ZKEnsemble) Start(i int) {
	e.t.Helper()
	e.servers[i].proc.Restart(e.t)
}

// Pause freezes server i with SIGSTOP: its peers and clients see a server
// that holds its connections open and answers nothing.
func (e *ZKEnsemble) Pause(i int) {
	e.t.Helper()
	if err := e.servers[i].proc.Pause(); err != nil {
		e.t.Fatalf("testcluster: pausing zk server %d: %v", i, err)
	}
	e.setPaused(i, true)
}

// Resume continues server i after Pause.
func (e *ZKEnsemble) Resume(i int) {
	e.t.Helper()
	if err := e.servers[i].proc.Resume(); err != nil {
		e.t.Fatalf("testcluster: resuming zk server %d: %v", i, err)
	}
	e.setPaused(i, false)
}

func (e *ZKEnsemble) setPaused(i int, v bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.paused[i] = v
}

func (e *ZKEnsemble) isPaused(i int) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.paused[i]
}

// Mode asks server i with the srvr command for its role: "leader",
// "follower" or "standalone" while it serves; an error when it is down or
// not serving (no quorum).
func (e *ZKEnsemble) Mode(i int) (string, error) {
	out, err := FourLetterWord(e.Servers()[i], "srvr")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(out, "\n") {
		if mode, ok := strings.CutPrefix(line, "Mode: "); ok {
			return strings.TrimSpace(mode), nil
		}
	}
	return "", fmt.Errorf("not serving: %s", strings.TrimSpace(out))
}

// Leader returns the index of the server that says it leads (or runs
// standalone), or -1.
func (e *ZKEnsemble) Leader() int {
	for i := range e.servers {
		if e.servers[i].proc.Exited() || e.isPaused(i) {
			continue
		}
		if m, err := e.Mode(i); err == nil && (m == "leader" || m == "standalone") {
			return i
		}
	}
	return -1
}

// WaitReady waits until every server that is running (not stopped, killed
// or paused) answers ruok and srvr, and they serve as one ensemble: exactly
// one leader (or a standalone server) and followers. It fails the test on
// timeout with each server's state.
func (e *ZKEnsemble) WaitReady(t testing.TB, timeout time.Duration) {
	t.Helper()
	WaitFor(t, timeout, 100*time.Millisecond, e.ready)
}

func (e *ZKEnsemble) ready() (bool, string) {
	var states []string
	ok, leaders := true, 0
	for i, s := range e.servers {
		switch {
		case s.proc.Exited():
			states = append(states, fmt.Sprintf("zk%d: exited (%v)", i+1, s.proc.ExitErr()))
			continue
		case e.isPaused(i):
			states = append(states, fmt.Sprintf("zk%d: paused", i+1))
			continue
		}
		if out, err := FourLetterWord(e.Servers()[i], "ruok"); err != nil || out != "imok" {
			ok = false
			states = append(states, fmt.Sprintf("zk%d: ruok: %q %v", i+1, out, err))
			continue
		}
		mode, err := e.Mode(i)
		switch {
		case err != nil:
			ok = false
			states = append(states, fmt.Sprintf("zk%d: %v", i+1, err))
			continue
		case mode == "leader" || mode == "standalone":
			leaders++
		case mode != "follower":
			ok = false
		}
		states = append(states, fmt.Sprintf("zk%d: %s", i+1, mode))
	}
	return ok && leaders == 1, "zookeeper not ready: " + strings.Join(states, "; ")
}

// FourLetterWord sends a ZooKeeper four-letter command (ruok, srvr, stat,
// mntr, ...) to addr and returns the reply. The server closes the
// connection after replying.
func FourLetterWord(addr, cmd string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, zkFourLetterLimit)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(zkFourLetterLimit))
	if _, err := io.WriteString(conn, cmd); err != nil {
		return "", err
	}
	b, err := io.ReadAll(conn)
	if err != nil {
		return string(b), err
	}
	return string(b), nil
}
