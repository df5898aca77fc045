package testcluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		// Its own group, so that kill(-pid) also reaches whatever it forks.
		Setpgid: true,
		// Cleanups do not run when go test kills a binary on timeout;
		// this keeps the child from outliving it. (The signal follows the
		// forking OS thread, which the Go runtime only retires for
		// goroutines that exit while locked to their thread.)
		Pdeathsig: syscall.SIGKILL,
	}
}

// pauseTimeout bounds the wait for SIGSTOP to take hold.
const pauseTimeout = 10 * time.Second

// waitGroupStopped waits until every thread of every process in group pgid
// is stopped. SIGSTOP is asynchronous: kill returns once the signal is
// queued, and until each thread next enters the kernel it keeps running, so
// on a busy machine a "paused" server can still answer a request sent right
// after Pause.
func waitGroupStopped(pgid int, timeout time.Duration) error {
	return poll(timeout, 5*time.Millisecond, func() (bool, string) {
		running, err := runningThreads(pgid)
		if err != nil {
			return false, err.Error()
		}
		return len(running) == 0, fmt.Sprintf("process group %d not stopped: threads %v still run", pgid, running)
	})
}

// runningThreads lists the threads of group pgid that are not stopped (or
// dead), read from /proc.
func runningThreads(pgid int) ([]string, error) {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var running []string
	for _, e := range procs {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		_, pgrp, ok := readStat(filepath.Join("/proc", e.Name(), "stat"))
		if !ok || pgrp != pgid {
			continue
		}
		tasks, err := os.ReadDir(filepath.Join("/proc", e.Name(), "task"))
		if err != nil {
			continue // exited meanwhile
		}
		for _, task := range tasks {
			state, _, ok := readStat(filepath.Join("/proc", e.Name(), "task", task.Name(), "stat"))
			if !ok {
				continue
			}
			switch state {
			case "T", "t", "Z", "X":
			default:
				running = append(running, e.Name()+"/"+task.Name()+":"+state)
			}
		}
	}
	return running, nil
}

// readStat returns the state and process group fields of a /proc stat file.
func readStat(path string) (state string, pgrp int, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", 0, false
	}
	// "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 3 {
		return "", 0, false
	}
	pgrp, err = strconv.Atoi(f[2])
	if err != nil {
		return "", 0, false
	}
	return f[0], pgrp, true
}
