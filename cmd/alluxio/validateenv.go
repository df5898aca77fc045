package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/lockfile"
	"github.com/alluxio-go/alluxio/internal/master"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/worker"
	"github.com/alluxio-go/alluxio/internal/worker/blockstore"
)

// envCheck is one check of validateEnv: its name, and what it found
// ("" when fine). warn marks a finding that does not stop the process.
type envCheck struct {
	name    string
	problem string
	warn    bool
}

// validateEnvCmd is alluxio validateEnv: can a master (or a worker) start
// here with this configuration? It exits with status 1 when a check
// failed.
func validateEnvCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "validateEnv [master|worker|all]",
		Short:     "check this machine for a master or worker: ports free, directories writable, ZooKeeper reachable, tier directories usable",
		Args:      cobra.MatchAll(cobra.MaximumNArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{"master", "worker", "all"},
		RunE: func(cmd *cobra.Command, args []string) error {
			role := "all"
			if len(args) == 1 {
				role = args[0]
			}
			p, err := loadConf()
			if err != nil {
				return err
			}
			checks := validateEnv(p, role)
			failed := printChecks(cmd.OutOrStdout(), checks)
			if failed > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%d of %d checks failed.\n", failed, len(checks))
				return exitCode(1)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "All %d checks passed.\n", len(checks))
			return nil
		},
	}
}

func printChecks(w io.Writer, checks []envCheck) (failed int) {
	for _, c := range checks {
		switch {
		case c.problem == "":
			fmt.Fprintf(w, "Validating %s: OK\n", c.name)
		case c.warn:
			fmt.Fprintf(w, "Validating %s: WARN: %s\n", c.name, c.problem)
		default:
			failed++
			fmt.Fprintf(w, "Validating %s: FAILED: %s\n", c.name, c.problem)
		}
	}
	return failed
}

// validateEnv runs the checks of role against p.
func validateEnv(p *conf.Properties, role string) []envCheck {
	var out []envCheck
	check := func(name string, err error) {
		c := envCheck{name: name}
		if err != nil {
			c.problem = err.Error()
		}
		out = append(out, c)
	}
	if err := p.Validate(); err != nil {
		check("configuration", err)
		return out
	}
	check("configuration", nil)
	for _, k := range []string{conf.WorkDir, conf.LogsDir} {
		if dir := mustGet(p, k); dir != "" {
			check(fmt.Sprintf("%s (%s) is writable", k, dir), writableDir(dir))
		}
	}
	if role == "master" || role == "all" {
		cfg, err := master.ConfigFromProperties(p)
		if err != nil {
			check("master configuration", err)
			return out
		}
		ports := [][2]string{{"alluxio.master.rpc.port", strconv.Itoa(cfg.RPCPort)}, {"alluxio.master.web.port", strconv.Itoa(cfg.WebPort)}}
		if cfg.JournalType == "EMBEDDED" {
			ports = append(ports, [2]string{"alluxio.master.embedded.journal.port", strconv.Itoa(cfg.EmbeddedPort)})
		}
		for _, pt := range ports {
			check(fmt.Sprintf("%s %s is free", pt[0], pt[1]), portFree(cfg.BindHost, pt[1]))
		}
		if s := underfs.Scheme(cfg.JournalFolder); s == "" || s == underfs.LocalScheme {
			check(fmt.Sprintf("alluxio.master.journal.folder (%s) is writable", cfg.JournalFolder), writableDir(cfg.JournalFolder))
		}
		if cfg.ZooKeeperEnabled {
			check("ZooKeeper ("+strings.Join(cfg.ZooKeeperAddress, ",")+") is reachable", zkReachable(cfg.ZooKeeperAddress, cfg.ZKConnectTimeout))
		}
	}
	if role == "worker" || role == "all" {
		cfg, err := worker.ConfigFromProperties(p)
		if err != nil {
			check("worker configuration", err)
			return out
		}
		for _, pt := range [][2]string{{"alluxio.worker.rpc.port", strconv.Itoa(cfg.RPCPort)}, {"alluxio.worker.web.port", strconv.Itoa(cfg.WebPort)}} {
			check(fmt.Sprintf("%s %s is free", pt[0], pt[1]), portFree(cfg.BindHost, pt[1]))
		}
		for _, t := range cfg.Tiers {
			for _, d := range t.Dirs {
				c := envCheck{name: fmt.Sprintf("tier %s directory %s (quota %s) is usable", t.Alias, d.Path, conf.FormatBytes(d.Quota))}
				if err := tierDirUsable(d.Path); err != nil {
					c.problem = err.Error()
				} else if free, ok := freeBytes(d.Path); ok && free < d.Quota {
					c.problem, c.warn = fmt.Sprintf("only %s free on its file system", conf.FormatBytes(free)), true
				}
				out = append(out, c)
			}
		}
	}
	return out
}

// writableDir checks dir exists (or can be made) and takes a file.
func writableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".validateEnv-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_, err = f.Write([]byte("ok"))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	return err
}

// portFree checks that a server could listen on port.
func portFree(host, port string) error {
	if port == "0" {
		return nil // any free port
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("port %s is in use by another process", port)
		}
		return err
	}
	return l.Close()
}

// zkReachable opens a ZooKeeper session, which proves a quorum answers.
func zkReachable(servers []string, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	c, events, err := zk.Connect(servers, timeout, zk.WithLogInfo(false), zk.WithLogger(discardLogger{}))
	if err != nil {
		return err
	}
	defer c.Close()
	deadline := time.After(timeout)
	for {
		select {
		case e := <-events:
			if e.State == zk.StateHasSession {
				return nil
			}
		case <-deadline:
			return fmt.Errorf("no ZooKeeper session within %v (alluxio.zookeeper.connection.timeout)", timeout)
		}
	}
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// tierDirUsable checks a worker storage directory can be made and written,
// and that no running worker holds it.
func tierDirUsable(dir string) error {
	if err := writableDir(dir); err != nil {
		return err
	}
	layout := filepath.Join(dir, blockstore.LayoutDirName)
	l, err := lockfile.Acquire(filepath.Join(layout, lockfile.Name), "alluxio validateEnv")
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil // never used: nothing holds it
	case err != nil:
		return err
	}
	lockfile.ReleaseAll([]*lockfile.Lock{l})
	return nil
}

// freeBytes is the room left on the file system holding path.
func freeBytes(path string) (int64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}
