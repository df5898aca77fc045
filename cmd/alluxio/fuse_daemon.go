package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/fuse"
)

// The process that serves a mount: started in the background by `fuse
// mount`, which waits for its word that the mount is up, or run in the
// foreground with -f.

// readyFDEnv names the descriptor on which a mount process started by
// `fuse mount` (without -f) tells its parent that the mount is up, or why
// it failed.
const readyFDEnv = "ALLUXIO_FUSE_READY_FD"

// daemonize starts this command again with -f as a process of its own
// session, and returns once it says the mount is up (or why not).
func (m *mount) daemonize(cmd *cobra.Command) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"fuse", "mount", "--foreground", "--nonempty"}
	for _, d := range defines {
		args = append(args, "-D", d)
	}
	for _, o := range m.opts {
		args = append(args, "-o", o)
	}
	args = append(args, "--", m.point, m.alluxio)
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	// The process's own output (a panic, say) goes to fuse.out beside
	// its log, as Alluxio's .out files.
	logDir, _ := m.props.Get(conf.LogsDir)
	var out *os.File
	if logDir != "" && os.MkdirAll(logDir, 0o755) == nil {
		out, _ = os.OpenFile(filepath.Join(logDir, "fuse.out"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	}
	if out == nil {
		if out, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0); err != nil {
			return err
		}
	}
	defer out.Close()
	in, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	defer in.Close()
	p, err := os.StartProcess(exe, append([]string{exe}, args...), &os.ProcAttr{
		Env:   append(os.Environ(), readyFDEnv+"=3"),
		Files: []*os.File{in, out, out, w},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	w.Close()
	if err != nil {
		return fmt.Errorf("start the mount process: %w", err)
	}
	// The process checks the Alluxio path first, which may wait for a
	// primary master for the whole retry budget.
	deadline := time.Now().Add(m.ccfg.RetryMaxDuration + time.Minute)
	if m.ccfg.RetryMaxDuration == 0 {
		deadline = time.Now().Add(3 * time.Minute)
	}
	r.SetReadDeadline(deadline)
	buf := make([]byte, 4096)
	var msg []byte
	for {
		n, err := r.Read(buf)
		msg = append(msg, buf[:n]...)
		if err != nil {
			break
		}
	}
	word := strings.TrimSpace(string(msg))
	switch {
	case word == "ok":
		fmt.Fprintf(cmd.OutOrStdout(), "Mounted %s at %s (pid %d)\n", m.alluxio, m.point, p.Pid)
		p.Release()
		return nil
	case word != "":
		p.Wait()
		return errors.New(word)
	default:
		p.Kill()
		p.Wait()
		where := "its output"
		if logDir != "" {
			where = filepath.Join(logDir, "fuse.out") + " and fuse.log"
		}
		return fmt.Errorf("the mount process ended before mounting %s; see %s", m.point, where)
	}
}

// parentTold: the outcome was sent, and descriptor 3 closed (it may
// since have been reused for something else).
var parentTold bool

// tellParent sends the parent `fuse mount` the outcome, once: "ok", or
// the error.
func tellParent(err error) {
	if parentTold {
		return
	}
	parentTold = true
	f := os.NewFile(3, "ready")
	if f == nil {
		return
	}
	msg := "ok"
	if err != nil {
		msg = oneLine(err)
	}
	f.WriteString(msg + "\n")
	f.Close()
}

// serve mounts and serves until the mount goes away: `fuse unmount`, a
// lazy unmount once the last file closes, or SIGINT/SIGTERM, which
// unmount (lazily if files are open: they are served until closed).
func (m *mount) serve() error {
	logDir, _ := m.props.Get(conf.LogsDir)
	log, closer, err := openLog(logDir, "fuse")
	if err != nil {
		return err
	}
	defer closer.Close()
	m.fcfg.Logger = log
	c, err := client.New(m.ccfg)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	// A path that is not a directory is refused before anything is
	// mounted, with the master's reason.
	info, err := c.GetStatus(ctx, m.fcfg.Root, client.StatusOptions{})
	if err != nil {
		return fmt.Errorf("alluxio path %s: %w", m.fcfg.Root, err)
	}
	if !info.IsDir {
		return fmt.Errorf("alluxio path %s is not a directory", m.fcfg.Root)
	}
	fsys, err := fuse.New(c, m.fcfg)
	if err != nil {
		return err
	}
	err = fsys.Serve(ctx, m.point, func() {
		log.Info("mounted", "alluxio_path", m.fcfg.Root, "mount_point", m.point, "masters", m.ccfg.Masters,
			"zookeeper", m.ccfg.ZooKeeper, "attr_timeout", m.fcfg.AttrTimeout, "entry_timeout", m.fcfg.EntryTimeout,
			"metadata_cache", m.fcfg.MetadataCache.Enabled, "direct_io", m.fcfg.DirectIO)
		if os.Getenv(readyFDEnv) != "" {
			tellParent(nil)
		}
		os.Unsetenv(readyFDEnv)
	})
	if err != nil {
		return err
	}
	log.Info("unmounted", "mount_point", m.point)
	return nil
}
