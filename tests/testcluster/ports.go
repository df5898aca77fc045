package testcluster

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Ports are chosen from a fixed range below the kernel's ephemeral range
// rather than by listening on 127.0.0.1:0, because a port the kernel handed
// out for :0 is an ephemeral port: between the moment we close the probe and
// the moment the server binds it, and again while a test has killed a server
// that it means to restart on the same port, any outgoing connection on the
// machine (a ZooKeeper client, the go command, another test) may be given it
// as its source port, and the restart then fails with EADDRINUSE. Ports below
// the ephemeral range are never given out implicitly, so once we own one only
// an explicit bind can take it.
//
// Several test binaries run at once (go test runs packages in parallel), so
// the in-process record of ports handed out is not enough. Each port handed
// out is also locked with flock(2) on a file named after it under
// os.TempDir(). flock rather than an O_EXCL marker file, because the kernel
// drops a flock when its holder dies: a test binary killed by a timeout or by
// CI cannot leave stale locks that block ports for every later run.
const (
	portRangeLow     = 15000
	portRangeMinSize = 2000
)

var ports struct {
	mu     sync.Mutex
	issued map[int]bool // every port this binary handed out, never reused
	lo, hi int          // candidate range [lo, hi)
}

// FreePort returns a loopback TCP port that no other caller in this test
// binary has been given and that no other test binary using this package
// holds. It stays reserved until t's cleanup; the caller's processes must
// bind it themselves (on 127.0.0.1).
func FreePort(t testing.TB) int {
	t.Helper()
	return FreePorts(t, 1)[0]
}

// FreePorts returns n distinct ports as FreePort does.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	out := make([]int, 0, n)
	for range n {
		p, lock, err := reservePort()
		if err != nil {
			t.Fatalf("testcluster: allocating a port: %v", err)
		}
		t.Cleanup(lock.release)
		out = append(out, p)
	}
	return out
}

// portRange picks [lo, hi) outside the ephemeral range. Linux publishes its
// range; elsewhere (macOS uses 49152-65535) the Linux default is a safe guess.
func portRange() (lo, hi int) {
	ephLo, ephHi := 32768, 60999
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		f := strings.Fields(string(b))
		if len(f) == 2 {
			a, errA := strconv.Atoi(f[0])
			b, errB := strconv.Atoi(f[1])
			if errA == nil && errB == nil {
				ephLo, ephHi = a, b
			}
		}
	}
	if ephLo-portRangeLow >= portRangeMinSize {
		return portRangeLow, ephLo
	}
	if 65536-(ephHi+1) >= portRangeMinSize {
		return ephHi + 1, 65536
	}
	// A machine whose ephemeral range covers nearly everything: nothing is
	// safe from source-port reuse, so take what is left and rely on locks.
	return 1024, 65536
}

func reservePort() (int, *portLock, error) {
	ports.mu.Lock()
	defer ports.mu.Unlock()
	if ports.issued == nil {
		ports.issued = make(map[int]bool)
		ports.lo, ports.hi = portRange()
	}
	size := ports.hi - ports.lo
	// A random start spreads concurrent test binaries over the range, so
	// they seldom contend for the same lock files.
	start := rand.IntN(size)
	var lastErr error
	for i := range size {
		p := ports.lo + (start+i)%size
		if ports.issued[p] {
			continue
		}
		lock, err := lockPort(p)
		if err != nil {
			if !errors.Is(err, errPortTaken) {
				lastErr = err
			}
			continue
		}
		if !canListen(p) {
			lock.release()
			continue
		}
		ports.issued[p] = true
		return p, lock, nil
	}
	if lastErr != nil {
		return 0, nil, fmt.Errorf("no free port in [%d, %d): %w", ports.lo, ports.hi, lastErr)
	}
	return 0, nil, fmt.Errorf("no free port in [%d, %d)", ports.lo, ports.hi)
}

// canListen catches ports that something outside this package (a daemon,
// another user's tests) is listening on.
func canListen(p int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

var errPortTaken = errors.New("port locked by another process")

type portLock struct {
	path string
	f    *os.File
	once sync.Once
}

func portLockDir() string {
	// Per user, so that one user's directory mode cannot lock out another.
	return filepath.Join(os.TempDir(), fmt.Sprintf("alluxio-go-testports-%d", os.Getuid()))
}

func lockPort(p int) (*portLock, error) {
	dir := portLockDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, strconv.Itoa(p)+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errPortTaken
		}
		return nil, err
	}
	// The holder removes the file before unlocking, so we may have locked an
	// inode that is no longer at path while a third process locks the new
	// file there. Only the inode still named by path counts.
	var held, named syscall.Stat_t
	if syscall.Fstat(int(f.Fd()), &held) != nil || syscall.Stat(path, &named) != nil ||
		held.Ino != named.Ino || held.Dev != named.Dev {
		f.Close()
		return nil, errPortTaken
	}
	return &portLock{path: path, f: f}, nil
}

func (l *portLock) release() {
	l.once.Do(func() {
		os.Remove(l.path)
		l.f.Close()
	})
}
