package testcluster

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestFreePortsDistinctAndBindable(t *testing.T) {
	t.Parallel()
	lo, hi := portRange()
	seen := make(map[int]bool)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, p := range FreePorts(t, 25) {
				mu.Lock()
				if seen[p] {
					t.Errorf("port %d handed out twice", p)
				}
				seen[p] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for p := range seen {
		if p < lo || p >= hi {
			t.Errorf("port %d outside [%d, %d)", p, lo, hi)
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Errorf("port %d: %v", p, err)
			continue
		}
		l.Close()
	}
}

// A port released by one test is not handed to a later one in the same
// binary: a process of the first test might still be dying on it.
func TestFreePortNotReused(t *testing.T) {
	t.Parallel()
	var first int
	t.Run("a", func(t *testing.T) { first = FreePort(t) })
	ports.mu.Lock()
	issued := ports.issued[first]
	ports.mu.Unlock()
	if !issued {
		t.Fatalf("port %d not recorded", first)
	}
	for _, p := range FreePorts(t, 50) {
		if p == first {
			t.Fatalf("port %d handed out again", p)
		}
	}
}

// flock conflicts between two open files even within one process, which
// stands in for a second test binary here.
func TestPortLockExcludesOthers(t *testing.T) {
	t.Parallel()
	p := FreePort(t)
	if _, err := lockPort(p); !errors.Is(err, errPortTaken) {
		t.Fatalf("second lock of port %d: %v, want errPortTaken", p, err)
	}
}

func TestPortLockReleasedAtCleanup(t *testing.T) {
	t.Parallel()
	var p int
	t.Run("hold", func(t *testing.T) { p = FreePort(t) })
	l, err := lockPort(p)
	if err != nil {
		t.Fatalf("port %d still locked after its test: %v", p, err)
	}
	l.release()
}

func TestPollReportsLastMessage(t *testing.T) {
	t.Parallel()
	n := 0
	err := poll(50*time.Millisecond, 5*time.Millisecond, func() (bool, string) {
		n++
		return false, "attempt " + strconv.Itoa(n)
	})
	if err == nil || err.Error() != "timed out after 50ms: attempt "+strconv.Itoa(n) {
		t.Fatalf("poll() = %v after %d attempts", err, n)
	}
	if err := poll(time.Second, time.Millisecond, func() (bool, string) { return true, "" }); err != nil {
		t.Fatal(err)
	}
}
