package testcluster

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Net is a set of network namespaces ("hosts") that a test creates itself,
// each attached to two bridges in the root namespace: a "peer" network the
// hosts use among themselves and a "client" network the test reaches them
// on. Cutting a host's peer link isolates it from the other hosts while the
// test can still talk to it: the partition of a real cluster. Everything is
// removed in cleanup. It needs root and iproute2.
type Net struct {
	t      testing.TB
	id     string
	peer   string // bridge names
	client string
	prefix [2]string // "10.213.7" and "10.214.7": peer and client subnets
	hosts  []string
}

// NetAvailable reports why network namespaces cannot be used here ("" when
// they can). It probes once per process: parallel tests probing at the
// same time would collide on the probe's name and see a failure that is
// not there.
func NetAvailable() string {
	netProbe.once.Do(func() { netProbe.why = probeNet() })
	return netProbe.why
}

var netProbe struct {
	once sync.Once
	why  string
}

func probeNet() string {
	if os.Geteuid() != 0 {
		return "network namespaces need root"
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return "network namespaces need iproute2 (ip)"
	}
	// Root inside a sandbox may still lack the right to make namespaces or
	// links: try once.
	probe := fmt.Sprintf("alxprobe%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", probe).CombinedOutput(); err != nil {
		return fmt.Sprintf("cannot create a network namespace here: %v: %s", err, strings.TrimSpace(string(out)))
	}
	exec.Command("ip", "netns", "del", probe).Run()
	return ""
}

func ipCmd(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// NewNet creates n hosts. Their addresses are PeerIP(i) and ClientIP(i).
// Where namespaces cannot be made it skips the test, or fails it under CI.
func NewNet(t testing.TB, n int) *Net {
	t.Helper()
	if why := NetAvailable(); why != "" {
		SkipOrFail(t, "testcluster: "+why)
	}
	// Subnets and names from the pid and a counter, so parallel test
	// binaries do not collide.
	k := os.Getpid()%150 + 50 + int(netSeq.Add(1))%50
	nt := &Net{t: t, id: fmt.Sprintf("%d%d", os.Getpid()%10000, k),
		prefix: [2]string{fmt.Sprintf("10.213.%d", k), fmt.Sprintf("10.214.%d", k)}}
	nt.peer, nt.client = "alxp"+nt.id, "alxc"+nt.id
	t.Cleanup(nt.remove)
	for b, bridge := range []string{nt.peer, nt.client} {
		ipCmd(t, "link", "add", bridge, "type", "bridge")
		ipCmd(t, "addr", "add", nt.prefix[b]+".1/24", "dev", bridge)
		ipCmd(t, "link", "set", bridge, "up")
	}
	for i := 0; i < n; i++ {
		ns := fmt.Sprintf("alx%sh%d", nt.id, i)
		ipCmd(t, "netns", "add", ns)
		nt.hosts = append(nt.hosts, ns)
		ipCmd(t, "-n", ns, "link", "set", "lo", "up")
		for b, bridge := range []string{nt.peer, nt.client} {
			outer, inner := nt.veth(i, b), fmt.Sprintf("eth%d", b)
			ipCmd(t, "link", "add", outer, "type", "veth", "peer", "name", inner, "netns", ns)
			ipCmd(t, "link", "set", outer, "master", bridge, "up")
			ipCmd(t, "-n", ns, "addr", "add", fmt.Sprintf("%s.%d/24", nt.prefix[b], 10+i), "dev", inner)
			ipCmd(t, "-n", ns, "link", "set", inner, "up")
		}
	}
	return nt
}

func (nt *Net) veth(i, b int) string { return fmt.Sprintf("alx%s%c%d", nt.id, "pc"[b], i) }

// PeerIP is host i's address on the peer network.
func (nt *Net) PeerIP(i int) string { return fmt.Sprintf("%s.%d", nt.prefix[0], 10+i) }

// ClientIP is host i's address on the client network.
func (nt *Net) ClientIP(i int) string { return fmt.Sprintf("%s.%d", nt.prefix[1], 10+i) }

// PeerGateway is the root namespace's own address on the peer network: a
// service the test runs there (ZooKeeper, say) on this address is reached
// by the hosts over their peer links, so CutPeer cuts them off from it too.
func (nt *Net) PeerGateway() string { return nt.prefix[0] + ".1" }

// ClientGateway is the root namespace's own address on the client network:
// a service the test runs there (an S3 server, say) is reached by the
// hosts over their client links, which CutPeer leaves up.
func (nt *Net) ClientGateway() string { return nt.prefix[1] + ".1" }

// Command returns the argv that runs bin with args on host i.
func (nt *Net) Command(i int, bin string, args ...string) (string, []string) {
	return "ip", append([]string{"netns", "exec", nt.hosts[i], bin}, args...)
}

// LimitClient makes host i's client link carry at most rate (in tc's
// units: "4gbit") each way, as a link to a store across a network does,
// where loopback has no bound but the CPUs that also run the store.
func (nt *Net) LimitClient(i int, rate string) {
	nt.t.Helper()
	tbf := []string{"root", "tbf", "rate", rate, "burst", "4mb", "latency", "50ms"}
	for _, args := range [][]string{
		append([]string{"qdisc", "add", "dev", nt.veth(i, 1)}, tbf...),
		append([]string{"-n", nt.hosts[i], "qdisc", "add", "dev", "eth1"}, tbf...),
	} {
		if out, err := exec.Command("tc", args...).CombinedOutput(); err != nil {
			nt.t.Fatalf("tc %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
}

// CutPeer takes host i off the peer network; HealPeer puts it back.
func (nt *Net) CutPeer(i int) { ipCmd(nt.t, "link", "set", nt.veth(i, 0), "down") }

// HealPeer puts host i back on the peer network.
func (nt *Net) HealPeer(i int) { ipCmd(nt.t, "link", "set", nt.veth(i, 0), "up") }

func (nt *Net) remove() {
	for _, ns := range nt.hosts {
		exec.Command("ip", "netns", "del", ns).Run()
	}
	for _, b := range []string{nt.peer, nt.client} {
		exec.Command("ip", "link", "del", b).Run()
	}
}

var netSeq atomic.Int32
