package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/journal/ufsjournal"
	"github.com/alluxio-go/alluxio/internal/master"
	"github.com/alluxio-go/alluxio/internal/worker"
)

// localDefaults are what `alluxio local` sets unless the user did: a work
// dir in the home directory, the memory tier in /dev/shm, everything on
// localhost and Alluxio's default ports, so `alluxio fs` needs no flags.
func localDefaults(p *conf.Properties) error {
	home, err := os.UserHomeDir()
	if err != nil {
		return err
	}
	name := "alluxio"
	if u, err := user.Current(); err == nil {
		name = "alluxio-" + u.Username
	}
	shm := "/dev/shm"
	if st, err := os.Stat(shm); err != nil || !st.IsDir() {
		shm = os.TempDir()
	}
	defaults := map[string]string{
		"alluxio.work.dir":                              filepath.Join(home, ".alluxio", "local"),
		"alluxio.master.hostname":                       "localhost",
		"alluxio.worker.hostname":                       "localhost",
		"alluxio.master.journal.type":                   "UFS",
		"alluxio.worker.tieredstore.levels":             "1",
		conf.TierKey(0, "alias"):                        "MEM",
		conf.TierKey(0, "dirs.path"):                    filepath.Join(shm, name),
		"alluxio.master.lost.worker.detection.interval": "5sec",
	}
	for k, v := range defaults {
		if !p.IsSet(k) {
			p.Set(k, v)
		}
	}
	return nil
}

func localCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "local",
		Short: "run a master and a worker on this machine (Ctrl-C stops them)",
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
			mcfg, err := master.ConfigFromProperties(p)
			if err != nil {
				return err
			}
			wcfg, err := worker.ConfigFromProperties(p)
			if err != nil {
				return err
			}
			ccfg, err := clientConfig(p, client.URI{})
			if err != nil {
				return err
			}
			log, closer, err := openLog(mcfg.LogDir, "local")
			if err != nil {
				return err
			}
			defer closer.Close()
			if _, err := os.Stat(filepath.Join(mcfg.JournalFolder, "FORMAT")); errors.Is(err, os.ErrNotExist) {
				if err := ufsjournal.Format(mcfg.JournalFolder); err != nil {
					return err
				}
				log.Info("formatted a new journal", "folder", mcfg.JournalFolder)
			}
			return runServer(log, func(ctx context.Context) (stopper, <-chan error, error) {
				m, err := master.New(mcfg, log.With("role", "master"))
				if err != nil {
					return nil, nil, err
				}
				if err := m.Start(ctx); err != nil {
					return nil, nil, err
				}
				deadline := time.Now().Add(30 * time.Second)
				for !m.IsPrimary() {
					if time.Now().After(deadline) {
						m.Stop(ctx)
						return nil, nil, fmt.Errorf("the master did not become primary within 30s")
					}
					time.Sleep(20 * time.Millisecond)
				}
				c, err := client.New(ccfg)
				if err != nil {
					m.Stop(ctx)
					return nil, nil, err
				}
				w, err := worker.New(wcfg, c, log.With("role", "worker"))
				if err == nil {
					err = w.Start(ctx)
				}
				if err != nil {
					c.Close()
					m.Stop(ctx)
					return nil, nil, err
				}
				workDir, _ := p.Get("alluxio.work.dir")
				log.Info("local cluster ready", "master", mcfg.RPCAddress(), "worker", wcfg.Address(), "work_dir", workDir)
				return localCluster{m: m, w: closing{w, c}}, m.Fatal(), nil
			})
		},
	}
}

// localCluster stops the worker before the master it reports to.
type localCluster struct {
	m *master.Server
	w closing
}

func (l localCluster) Stop(ctx context.Context) error {
	return errors.Join(l.w.Stop(ctx), l.m.Stop(ctx))
}
