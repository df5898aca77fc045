//go:build !linux

package testcluster

import (
	"syscall"
	"time"
)

func sysProcAttr() *syscall.SysProcAttr {
	// Its own group, so that kill(-pid) also reaches whatever it forks.
	// Without Pdeathsig a child outlives a test binary killed on timeout.
	return &syscall.SysProcAttr{Setpgid: true}
}

const pauseTimeout = 10 * time.Second

// waitGroupStopped cannot look without /proc; SIGSTOP usually takes hold
// within a scheduler tick.
func waitGroupStopped(pgid int, timeout time.Duration) error { return nil }
