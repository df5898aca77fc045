package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/master"
	"github.com/alluxio-go/alluxio/internal/proxy"
	"github.com/alluxio-go/alluxio/internal/worker"
)

// localMasters is how many masters `alluxio local` runs: enough for the
// embedded journal to survive one failure.
const localMasters = 3

// localDefaults are what `alluxio local` sets unless the user did: a work
// dir in the home directory, the memory tier in /dev/shm, everything on
// localhost, and three masters on Alluxio's ports and the next thousands
// (19998, 20998, 21998; journal 19200, 20200, 21200; web 19999, 20999,
// 21999), so `alluxio fs` needs no flags.
func localDefaults(p *conf.Properties) error {
	home, err := os.UserHomeDir()
	if err != nil {
		return err
	}
	if !p.IsSet("alluxio.work.dir") {
		p.Set("alluxio.work.dir", filepath.Join(home, ".alluxio", "local"))
	}
	workDir, err := p.GetString("alluxio.work.dir")
	if err != nil {
		return err
	}
	defaults := map[string]string{
		"alluxio.master.hostname":                       "localhost",
		"alluxio.worker.hostname":                       "localhost",
		"alluxio.worker.tieredstore.levels":             "1",
		conf.TierKey(0, "alias"):                        "MEM",
		conf.TierKey(0, "dirs.path"):                    localMemoryTier(workDir),
		"alluxio.master.lost.worker.detection.interval": "5sec",
		"alluxio.proxy.web.bind.host":                   "localhost",
	}
	for k, v := range defaults {
		if !p.IsSet(k) {
			p.Set(k, v)
		}
	}
	// The local S3 proxy acts for its requests' users through
	// impersonation; the login user it runs as may do so here, unless
	// the configuration says otherwise.
	if login := localLoginUser(p); login != "" {
		users, groups := conf.ImpersonationPrefix+login+".users", conf.ImpersonationPrefix+login+".groups"
		if !p.IsSet(users) && !p.IsSet(groups) {
			p.Set(users, "*")
		}
	}
	lists := map[string]string{"alluxio.master.rpc.addresses": "alluxio.master.rpc.port",
		"alluxio.master.embedded.journal.addresses": "alluxio.master.embedded.journal.port"}
	for list, portKey := range lists {
		if p.IsSet(list) {
			continue
		}
		port, err := p.GetInt(portKey)
		if err != nil {
			return err
		}
		var addrs []string
		for i := 0; i < localMasters; i++ {
			addrs = append(addrs, net.JoinHostPort("localhost", strconv.Itoa(port+1000*i)))
		}
		p.Set(list, strings.Join(addrs, ","))
	}
	return nil
}

// localMemoryTier is where a local cluster keeps its memory tier: in
// /dev/shm, under a name of the user and of the cluster's work directory,
// so two local clusters (two homes, or two work dirs) never share it. A
// worker also locks its directories, but a cluster that found its tier
// taken would not start at all.
func localMemoryTier(workDir string) string {
	name := "alluxio"
	if u, err := user.Current(); err == nil {
		name = "alluxio-" + u.Username
	}
	if abs, err := filepath.Abs(workDir); err == nil {
		workDir = abs
	}
	sum := sha256.Sum256([]byte(workDir))
	shm := "/dev/shm"
	if st, err := os.Stat(shm); err != nil || !st.IsDir() {
		shm = os.TempDir()
	}
	return filepath.Join(shm, name+"-"+hex.EncodeToString(sum[:4]))
}

// localMasterConfig is the configuration of local master i: its own ports
// from the address lists, its own journal directory, and the web port
// alluxio.master.web.port + 1000·i (19999, 20999, 21999), next to its rpc
// port.
func localMasterConfig(p *conf.Properties, i int) (*master.Config, error) {
	mp := p.Clone()
	for list, portKey := range map[string]string{"alluxio.master.rpc.addresses": "alluxio.master.rpc.port",
		"alluxio.master.embedded.journal.addresses": "alluxio.master.embedded.journal.port"} {
		addrs, err := mp.GetList(list)
		if err != nil {
			return nil, err
		}
		if len(addrs) != localMasters {
			return nil, fmt.Errorf("%s (%s): alluxio local runs %d masters and needs %d addresses", list, strings.Join(addrs, ","), localMasters, localMasters)
		}
		host, port, err := net.SplitHostPort(addrs[i])
		if err != nil {
			return nil, fmt.Errorf("%s (%q): %v", list, addrs[i], err)
		}
		mp.Set(portKey, port)
		mp.Set("alluxio.master.hostname", host)
	}
	web, err := mp.GetInt("alluxio.master.web.port")
	if err != nil {
		return nil, err
	}
	if web != 0 {
		if web += 1000 * i; web > 65535 {
			return nil, fmt.Errorf("alluxio.master.web.port (%d): alluxio local gives master %d port %d, which is out of range", web-1000*i, i, web)
		}
	}
	mp.Set("alluxio.master.web.port", strconv.Itoa(web))
	folder, err := mp.GetString("alluxio.master.journal.folder")
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(mustGet(mp, "alluxio.master.journal.type"), "EMBEDDED") {
		mp.Set("alluxio.master.journal.folder", filepath.Join(folder, "master"+strconv.Itoa(i)))
	}
	c, err := master.ConfigFromProperties(mp)
	if err != nil {
		return nil, err
	}
	c.LogName = "local"
	// Each master knows its own journal; the others' are next to it.
	c.ProtectedDirs = append(c.ProtectedDirs, master.ProtectedDir{Path: folder, What: "the journals of the local masters"})
	return c, nil
}

// localLoginUser is the user the local cluster's clients log in as.
func localLoginUser(p *conf.Properties) string {
	if u := mustGet(p, conf.SecurityLoginUsername); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

func mustGet(p *conf.Properties, k string) string {
	v, _ := p.Get(k)
	return v
}

func localCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "local",
		Short: "run three masters (embedded journal) and a worker on this machine (Ctrl-C stops them)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := loadConf()
			if err != nil {
				return err
			}
			if err := localDefaults(p); err != nil {
				return err
			}
			if err := p.Validate(); err != nil {
				return err
			}
			if !strings.EqualFold(mustGet(p, "alluxio.master.journal.type"), "EMBEDDED") {
				return fmt.Errorf("alluxio local runs the embedded journal; alluxio.master.journal.type is %s", mustGet(p, "alluxio.master.journal.type"))
			}
			var mcfgs []*master.Config
			for i := 0; i < localMasters; i++ {
				c, err := localMasterConfig(p, i)
				if err != nil {
					return err
				}
				mcfgs = append(mcfgs, c)
			}
			wcfg, err := worker.ConfigFromProperties(p)
			if err != nil {
				return err
			}
			ccfg, err := clientConfig(p, client.URI{})
			if err != nil {
				return err
			}
			ccfg.Masters = mcfgs[0].RPCAddresses
			wcfg.Masters, wcfg.LogName = ccfg.Masters, "local"
			pcfg, err := proxy.ConfigFromProperties(p)
			if err != nil {
				return err
			}
			log, closer, err := openLog(mcfgs[0].LogDir, "local")
			if err != nil {
				return err
			}
			defer closer.Close()
			return runServer(log, func(ctx context.Context) (stopper, <-chan error, error) {
				return startLocal(ctx, log, mcfgs, wcfg, ccfg, pcfg)
			})
		},
	}
}

func startLocal(ctx context.Context, log *slog.Logger, mcfgs []*master.Config, wcfg *worker.Config, ccfg client.Config, pcfg *proxy.ProcessConfig) (stopper, <-chan error, error) {
	cluster := &localCluster{fatal: make(chan error, len(mcfgs))}
	fail := func(err error) (stopper, <-chan error, error) {
		cluster.Stop(context.Background())
		return nil, nil, err
	}
	for i, mc := range mcfgs {
		m, err := master.New(mc, log.With("role", "master"+strconv.Itoa(i)))
		if err != nil {
			return fail(err)
		}
		if err := m.Start(ctx); err != nil {
			return fail(err)
		}
		cluster.masters = append(cluster.masters, m)
		go func() {
			if err := <-m.Fatal(); err != nil {
				cluster.fatal <- err
			}
		}()
	}
	if err := cluster.waitPrimary(ctx, 60*time.Second); err != nil {
		return fail(err)
	}
	c, err := client.New(ccfg)
	if err != nil {
		return fail(err)
	}
	w, err := worker.New(wcfg, c, log.With("role", "worker"))
	if err == nil {
		err = w.Start(ctx)
	}
	if err != nil {
		c.Close()
		return fail(err)
	}
	cluster.worker = &closing{w, c}
	pc, err := client.New(ccfg)
	if err != nil {
		return fail(err)
	}
	px, err := proxy.Start(pcfg, pc, log.With("role", "proxy"))
	if err != nil {
		pc.Close()
		return fail(err)
	}
	cluster.proxy = &proxyStopper{px, pc}
	for i, m := range cluster.masters {
		log.Info(fmt.Sprintf("master%d listening", i), "rpc", mcfgs[i].RPCAddress(), "web", m.WebAddr().String())
	}
	log.Info("local cluster ready", "masters", strings.Join(mcfgs[0].RPCAddresses, ","), "worker", wcfg.Address(),
		"memory_tier", strings.Join(tierPaths(wcfg), ","), "s3", "http://"+px.Addr().String())
	return cluster, cluster.fatal, nil
}

// localCluster stops the proxy, then the worker, before the masters they
// report to.
type localCluster struct {
	masters []*master.Server
	worker  *closing
	proxy   *proxyStopper
	fatal   chan error
}

// waitPrimary waits until one of the masters serves as primary.
func (l *localCluster) waitPrimary(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel() // releases the other masters' waits
	done := make(chan error, len(l.masters))
	for _, m := range l.masters {
		go func() { done <- m.WaitPrimary(ctx) }()
	}
	var err error
	for range l.masters {
		if err = <-done; err == nil {
			return nil
		}
	}
	return fmt.Errorf("no master became primary within %s: %w", limit, err)
}

func (l *localCluster) Stop(ctx context.Context) error {
	var errs []error
	if l.proxy != nil {
		errs = append(errs, l.proxy.Stop(ctx))
	}
	if l.worker != nil {
		errs = append(errs, l.worker.Stop(ctx))
	}
	for _, m := range l.masters {
		errs = append(errs, m.Stop(ctx))
	}
	return errors.Join(errs...)
}

// tierPaths lists the worker's storage directories.
func tierPaths(c *worker.Config) []string {
	var out []string
	for _, t := range c.Tiers {
		for _, d := range t.Dirs {
			out = append(out, d.Path)
		}
	}
	return out
}
