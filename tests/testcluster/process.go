package testcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Process is a child process started by a test, with its output captured.
// It can be stopped, killed, paused and started again with the same command
// line; each start is a new pid. Methods are safe for concurrent use.
type Process struct {
	name    string
	bin     string
	args    []string
	env     []string
	logPath string

	mu    sync.Mutex
	run   *run     // the latest start
	lines []string // output of every start, in order
	sink  *logSink // where lines also go as t.Log
}

// run is one start of the process.
type run struct {
	cmd       *exec.Cmd
	pid       int
	firstLine int           // index in Process.lines of this start's first line
	done      chan struct{} // closed once the process exited and its output is read
	err       error         // exit error, valid after done is closed
}

// outputDrainTimeout bounds how long we wait, after the process exited, for
// the pipe to report EOF: a descendant that escaped the process group would
// otherwise hold it open forever.
const outputDrainTimeout = 5 * time.Second

// cleanupKillTimeout bounds the wait for a killed process in cleanup: one
// stuck in the kernel (say, on a dead FUSE mount) must not hang the rest of
// the cleanups, which may be what unsticks it.
const cleanupKillTimeout = 30 * time.Second

// Start starts bin with args in its own process group and returns once it
// is running (not ready: wait for a log line or an endpoint for that). Its
// stdout and stderr go, line by line, to <LogDir(t)>/<name>.log and to t.Log
// with a "[name] " prefix. env entries are added to the test's environment
// (later entries win). The process group is killed with SIGKILL in t's
// cleanup, so every process a test starts dies with the test. name must be
// unique within the test.
func Start(t testing.TB, name, bin string, args, env []string) *Process {
	t.Helper()
	if name == "" || strings.ContainsRune(name, filepath.Separator) {
		t.Fatalf("testcluster: process name %q must be a non-empty file name", name)
	}
	p := &Process{
		name:    name,
		bin:     bin,
		args:    append([]string(nil), args...),
		env:     append([]string(nil), env...),
		logPath: filepath.Join(LogDir(t), name+".log"),
	}
	f, err := os.OpenFile(p.logPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatalf("testcluster: log file of %q (is the name used twice in this test?): %v", name, err)
	}
	f.Close()
	if err := p.start(t); err != nil {
		t.Fatalf("testcluster: starting %s: %v", name, err)
	}
	return p
}

// Restart starts the process again with the same arguments and environment,
// appending to the same log. The previous start must have exited (Stop or
// Kill it first); output from now on is logged through t.
func (p *Process) Restart(t testing.TB) {
	t.Helper()
	if !p.Exited() {
		t.Fatalf("testcluster: restarting %s: pid %d is still running", p.name, p.Pid())
	}
	if err := p.start(t); err != nil {
		t.Fatalf("testcluster: restarting %s: %v", p.name, err)
	}
}

func (p *Process) start(t testing.TB) error {
	t.Helper()
	logFile, err := os.OpenFile(p.logPath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		logFile.Close()
		return err
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	// One pipe for both streams keeps their lines in the order written.
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.SysProcAttr = sysProcAttr()

	p.mu.Lock()
	if p.run != nil {
		fmt.Fprintf(logFile, "--- testcluster: %s restarted ---\n", p.name)
	}
	err = cmd.Start()
	pw.Close()
	if err != nil {
		p.mu.Unlock()
		pr.Close()
		logFile.Close()
		return err
	}
	r := &run{cmd: cmd, pid: cmd.Process.Pid, firstLine: len(p.lines), done: make(chan struct{})}
	p.run = r
	sink := &logSink{t: t}
	p.sink = sink
	p.mu.Unlock()

	// Registered before the kill below, so it runs after it: t.Log is
	// allowed until the very end of the cleanup, never after.
	t.Cleanup(sink.close)
	t.Cleanup(func() {
		if !p.killRun(r, cleanupKillTimeout) {
			t.Errorf("testcluster: %s (pid %d) still runs %v after SIGKILL", p.name, r.pid, cleanupKillTimeout)
		}
	})

	copied := make(chan struct{})
	go func() {
		defer close(copied)
		defer logFile.Close()
		p.copyLines(pr, logFile)
	}()
	go func() {
		err := cmd.Wait()
		select {
		case <-copied:
		case <-time.After(outputDrainTimeout):
			pr.Close() // unblocks the reader
			<-copied
		}
		pr.Close()
		r.err = err
		close(r.done)
	}()
	t.Logf("testcluster: started %s (pid %d): %s %q; log %s", p.name, r.pid, p.bin, p.args, p.logPath)
	return nil
}

func (p *Process) current() *run {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.run
}

// Name returns the name given to Start.
func (p *Process) Name() string { return p.name }

// LogPath returns the file that holds the output of every start.
func (p *Process) LogPath() string { return p.logPath }

// Pid returns the pid of the latest start.
func (p *Process) Pid() int { return p.current().pid }

// Signal sends sig to the process (not to its group).
func (p *Process) Signal(sig syscall.Signal) error {
	r := p.current()
	if r.exited() {
		return os.ErrProcessDone
	}
	return syscall.Kill(r.pid, sig)
}

// signalGroup sends sig to the whole process group. It is also used after the
// leader exited, to reach descendants left behind: the group id cannot be
// reused while any member lives, and once it is empty Linux hands out pids in
// sequence, so the id will not name an unrelated group within a test.
func (r *run) signalGroup(sig syscall.Signal) error {
	err := syscall.Kill(-r.pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

func (r *run) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// killRun kills r's group and waits up to timeout (0: no limit) for r to
// exit, reporting whether it did.
func (p *Process) killRun(r *run, timeout time.Duration) bool {
	r.signalGroup(syscall.SIGKILL)
	if timeout == 0 {
		<-r.done
		return true
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-r.done:
		return true
	case <-timer.C:
		return false
	}
}

// Kill kills the process group with SIGKILL and waits for the process to
// exit, as a crash or an OOM kill would end it.
func (p *Process) Kill() {
	p.killRun(p.current(), 0)
}

// Stop asks the process to exit with SIGTERM and waits up to timeout, then
// kills the group with SIGKILL. It returns the exit error (nil for exit
// status 0; a process that does not handle SIGTERM reports "signal:
// terminated").
func (p *Process) Stop(timeout time.Duration) error {
	r := p.current()
	if !r.exited() {
		syscall.Kill(r.pid, syscall.SIGTERM)
		// A paused process would not act on SIGTERM until continued.
		r.signalGroup(syscall.SIGCONT)
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		select {
		case <-r.done:
		case <-timer.C:
			r.signalGroup(syscall.SIGKILL)
		}
	}
	<-r.done
	// Descendants that ignored the leader's exit still hold ports.
	r.signalGroup(syscall.SIGKILL)
	return r.err
}

// Pause stops the whole process group with SIGSTOP: the process keeps its
// sockets but answers nothing, like a machine stalled in a long GC pause or
// cut off by a partition. It returns once every thread has stopped.
func (p *Process) Pause() error {
	r := p.current()
	if err := r.signalGroup(syscall.SIGSTOP); err != nil {
		return err
	}
	return waitGroupStopped(r.pid, pauseTimeout)
}

// Resume continues a paused process group with SIGCONT.
func (p *Process) Resume() error { return p.current().signalGroup(syscall.SIGCONT) }

// Wait waits for the latest start to exit and returns its exit error.
func (p *Process) Wait() error {
	r := p.current()
	<-r.done
	return r.err
}

// Exited reports whether the latest start has exited.
func (p *Process) Exited() bool { return p.current().exited() }

// ExitErr returns the exit error of the latest start, or nil while it runs.
func (p *Process) ExitErr() error {
	r := p.current()
	if !r.exited() {
		return nil
	}
	return r.err
}
