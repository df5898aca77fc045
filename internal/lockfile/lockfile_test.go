package lockfile

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestAcquireRefusesASecondHolderAndNamesTheFirst(t *testing.T) {
	p := filepath.Join(t.TempDir(), Name)
	first, err := Acquire(p, "master localhost:19998")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(p, "alluxio format")
	var he *HeldError
	if !errors.Is(err, ErrHeld) || !errors.As(err, &he) {
		t.Fatalf("second Acquire = %v, want ErrHeld", err)
	}
	host, _ := os.Hostname()
	want := "master localhost:19998 (pid " + strconv.Itoa(os.Getpid()) + " on " + host + ")"
	if he.Holder != want || !strings.Contains(err.Error(), p+" is held by "+want) {
		t.Errorf("refusal %q names %q, want %q", err, he.Holder, want)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if err := first.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	again, err := Acquire(p, "worker")
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	defer again.Release()
	if b, _ := os.ReadFile(p); !strings.HasPrefix(string(b), "worker (pid ") || strings.Contains(string(b), "master") {
		t.Errorf("lock file after a new holder: %q", b)
	}
}

func TestAcquireAll(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"master0", "master1", "ufs/" + Dir} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A lock file nobody holds (a master that was killed) is no obstacle.
	if err := os.WriteFile(filepath.Join(root, "master0", Name), []byte("master0 (pid 1 on gone)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "master1", "NOTALOCK"), nil, 0o644)
	held, err := Acquire(filepath.Join(root, "ufs", Dir, "127.0.0.1_19998"), "master 127.0.0.1:19998")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AcquireAll(root, "alluxio format"); !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), "master 127.0.0.1:19998 (pid") {
		t.Fatalf("AcquireAll with a held lock = %v", err)
	}
	// The refused AcquireAll released what it took.
	if l, err := Acquire(filepath.Join(root, "master0", Name), "x"); err != nil {
		t.Fatalf("master0's lock was kept: %v", err)
	} else {
		l.Release()
	}
	held.Release()
	locks, err := AcquireAll(root, "alluxio format")
	if err != nil || len(locks) != 2 {
		t.Fatalf("AcquireAll = %d locks, %v; want 2", len(locks), err)
	}
	ReleaseAll(locks)
	if locks, err := AcquireAll(filepath.Join(root, "missing"), "x"); err != nil || len(locks) != 0 {
		t.Errorf("AcquireAll of a missing root = %v, %v", locks, err)
	}
}
