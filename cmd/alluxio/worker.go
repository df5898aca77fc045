package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/lockfile"
	"github.com/alluxio-go/alluxio/internal/worker"
	"github.com/alluxio-go/alluxio/internal/worker/blockstore"
)

func workerCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "run a worker in the foreground (Ctrl-C or SIGTERM stops it)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := loadConf()
			if err != nil {
				return err
			}
			if err := p.Validate(); err != nil {
				return err
			}
			cfg, err := worker.ConfigFromProperties(p)
			if err != nil {
				return err
			}
			ccfg, err := clientConfig(p, client.URI{})
			if err != nil {
				return err
			}
			cfg.Masters = ccfg.Masters
			log, closer, err := openLog(cfg.LogDir, "worker")
			if err != nil {
				return err
			}
			defer closer.Close()
			log.Info("configuration", "site_file", p.SiteFile(), "address", cfg.Address(), "masters", ccfg.Masters,
				"tiers", fmt.Sprint(cfg.Tiers))
			return runServer(log, func(ctx context.Context) (stopper, <-chan error, error) {
				master, err := client.New(ccfg)
				if err != nil {
					return nil, nil, err
				}
				s, err := worker.New(cfg, master, log)
				if err != nil {
					return nil, nil, err
				}
				return closing{s, master}, nil, s.Start(ctx)
			})
		},
	}
}

// closing stops a worker and then closes its master client.
type closing struct {
	s *worker.Server
	c *client.FileSystem
}

func (c closing) Stop(ctx context.Context) error {
	err := c.s.Stop(ctx)
	c.c.Close()
	return err
}

func formatWorkerCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "formatWorker",
		Short: "remove every cached block from this worker's storage directories",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := loadConf()
			if err != nil {
				return err
			}
			cfg, err := worker.ConfigFromProperties(p)
			if err != nil {
				return err
			}
			// Every directory is claimed before any is emptied: a worker
			// running on one of them stops the whole format.
			var dirs []string
			var locks []*lockfile.Lock
			defer func() { lockfile.ReleaseAll(locks) }()
			for _, t := range cfg.Tiers {
				for _, d := range t.Dirs {
					dir := filepath.Join(d.Path, blockstore.LayoutDirName)
					l, err := lockfile.Acquire(filepath.Join(dir, lockfile.Name), "alluxio formatWorker")
					if errors.Is(err, lockfile.ErrHeld) {
						return fmt.Errorf("worker storage %s is in use, stop that worker first: %w", dir, err)
					}
					if err != nil && !errors.Is(err, fs.ErrNotExist) {
						return fmt.Errorf("format worker storage %s: %w", dir, err)
					}
					locks = append(locks, l)
					dirs = append(dirs, dir)
				}
			}
			for _, dir := range dirs {
				if err := os.RemoveAll(dir); err != nil {
					return fmt.Errorf("format worker storage %s: %w", dir, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Formatted worker storage %s\n", dir)
			}
			return nil
		},
	}
}
