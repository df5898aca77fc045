package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/security"
)

// fsEnv is what every fs command works with: the configuration, a client
// for the cluster the paths name, and the paths themselves.
type fsEnv struct {
	props *conf.Properties
	fs    *client.FileSystem
	paths []string
}

// newFSEnv parses the path arguments and connects to the masters their URI
// names, or to the configured ones for plain paths.
func newFSEnv(args []string) (*fsEnv, error) {
	p, err := loadConf()
	if err != nil {
		return nil, err
	}
	env := &fsEnv{props: p}
	var first client.URI
	for i, a := range args {
		u, err := client.ParseURI(a)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first = u
		}
		env.paths = append(env.paths, u.Path)
	}
	cfg, err := clientConfig(p, first)
	if err != nil {
		return nil, err
	}
	if env.fs, err = client.New(cfg); err != nil {
		return nil, err
	}
	return env, nil
}

func (e *fsEnv) close() { e.fs.Close() }

// clientConfig turns properties (and the masters a URI names) into a
// client configuration.
func clientConfig(p *conf.Properties, u client.URI) (client.Config, error) {
	var cfg client.Config
	var errs []error
	get := func(k string) string {
		v, err := p.Get(k)
		if err != nil {
			errs = append(errs, err)
		}
		return v
	}
	dur := func(k string) time.Duration {
		v, err := p.GetDuration(k)
		if err != nil {
			errs = append(errs, err)
		}
		return v
	}
	cfg.Masters, cfg.ZooKeeper = u.Masters, u.ZooKeeper
	if len(cfg.Masters) == 0 && len(cfg.ZooKeeper) == 0 {
		zk, _ := p.GetBool("alluxio.zookeeper.enabled")
		if zk || u.FaultTolerant {
			cfg.ZooKeeper, _ = p.GetList("alluxio.zookeeper.address")
			if len(cfg.ZooKeeper) == 0 {
				return cfg, fmt.Errorf("alluxio.zookeeper.address is empty; set it to find the leader through ZooKeeper")
			}
		} else if addrs, _ := p.GetList("alluxio.master.rpc.addresses"); len(addrs) > 0 {
			cfg.Masters = addrs
		} else {
			host := get("alluxio.master.hostname")
			if host == "" {
				host = "localhost"
			}
			port, err := p.GetInt("alluxio.master.rpc.port")
			if err != nil {
				errs = append(errs, err)
			}
			cfg.Masters = []string{net.JoinHostPort(host, strconv.Itoa(port))}
		}
	}
	cfg.ZooKeeperLeaderPath = get("alluxio.zookeeper.leader.path")
	if n, err := p.GetInt("alluxio.zookeeper.leader.inquiry.retry"); err != nil {
		errs = append(errs, err)
	} else if n < 1 {
		errs = append(errs, fmt.Errorf("alluxio.zookeeper.leader.inquiry.retry (%d) must be at least 1", n))
	} else {
		cfg.ZooKeeperInquiries = n
	}
	sec, err := security.ConfigFromProperties(p)
	if err != nil {
		return cfg, err
	}
	cfg.User, cfg.ImpersonateAs, cfg.TLS = sec.LoginUser, sec.ImpersonateAs, sec.ClientTLS()
	cfg.RetryBaseSleep = dur("alluxio.user.rpc.retry.base.sleep")
	cfg.RetryMaxSleep = dur("alluxio.user.rpc.retry.max.sleep")
	cfg.RetryMaxDuration = dur("alluxio.user.rpc.retry.max.duration")
	cfg.DataTimeout = dur("alluxio.user.streaming.data.timeout")
	cfg.WriteType = get("alluxio.user.file.writetype.default")
	cfg.ReadType = get("alluxio.user.file.readtype.default")
	if sc, err := p.GetBool("alluxio.user.short.circuit.enabled"); err != nil {
		errs = append(errs, err)
	} else {
		cfg.NoShortCircuit = !sc
	}
	if n, err := p.GetInt("alluxio.user.file.read.ahead.blocks"); err != nil {
		errs = append(errs, err)
	} else if n == 0 {
		cfg.ReadAheadBlocks = -1
	} else {
		cfg.ReadAheadBlocks = n
	}
	if bs, err := p.GetBytes("alluxio.user.block.size.bytes.default"); err == nil {
		cfg.BlockSize = bs
	} else {
		errs = append(errs, err)
	}
	if p.IsSet("alluxio.user.file.metadata.sync.interval") {
		si := dur("alluxio.user.file.metadata.sync.interval")
		cfg.SyncInterval = &si
	}
	if len(errs) > 0 {
		return cfg, errs[0]
	}
	return cfg, nil
}

// fsCommand builds an fs subcommand whose RunE gets a connected fsEnv.
func fsCommand(use, short string, args cobra.PositionalArgs, run func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args,
		RunE: func(cmd *cobra.Command, a []string) error {
			env, err := newFSEnv(a)
			if err != nil {
				return err
			}
			defer env.close()
			return run(cmd.Context(), cmd, env)
		},
	}
}

func fsCmd() *cobra.Command {
	c := &cobra.Command{Use: "fs", Short: "file system commands (ls, mkdir, rm, mv, mount, ...)"}
	c.AddCommand(fsCommands()...)
	return groupHelp(c)
}
