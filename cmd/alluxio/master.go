package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/journal/ufsjournal"
	"github.com/alluxio-go/alluxio/internal/lockfile"
	"github.com/alluxio-go/alluxio/internal/logging"
	"github.com/alluxio-go/alluxio/internal/master"
	"github.com/alluxio-go/alluxio/internal/master/state"
)

func masterCmd() *cobra.Command {
	var join bool
	c := &cobra.Command{
		Use:   "master",
		Short: "run a master in the foreground (Ctrl-C or SIGTERM stops it)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, cfg, err := loadMasterConfig()
			if err != nil {
				return err
			}
			cfg.JoinQuorum = join
			log, closer, err := openLog(cfg.LogDir, "master")
			if err != nil {
				return err
			}
			defer closer.Close()
			log.Info("configuration", "site_file", p.SiteFile(), "hostname", cfg.Hostname, "rpc_port", cfg.RPCPort,
				"web_port", cfg.WebPort, "journal_type", cfg.JournalType, "journal_folder", cfg.JournalFolder,
				"root_ufs", cfg.RootUFS)
			return runServer(log, func(ctx context.Context) (stopper, <-chan error, error) {
				s, err := master.New(cfg, log)
				if err != nil {
					return nil, nil, err
				}
				return s, s.Fatal(), s.Start(ctx)
			})
		},
	}
	c.Flags().BoolVar(&join, "join", false, "embedded journal: this master is being added to a running quorum (alluxio fsadmin journal quorum add); do not found a new one")
	return c
}

type stopper interface{ Stop(context.Context) error }

// runServer starts a server and blocks until SIGINT/SIGTERM or a fatal
// error, then stops it.
func runServer(log *slog.Logger, start func(context.Context) (stopper, <-chan error, error)) error {
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	s, fatal, err := start(ctx)
	if err != nil {
		// The log is where an operator looks first; the exit status and
		// stderr say it too.
		log.Error("cannot start", "err", err)
		return err
	}
	var runErr error
	select {
	case <-ctx.Done():
		log.Info("stopping on signal")
	case runErr = <-fatal:
		log.Error("stopping on a fatal error", "err", runErr)
	}
	stopCtx, stopCancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer stopCancel()
	if err := s.Stop(stopCtx); err != nil && runErr == nil {
		runErr = err
	}
	log.Info("stopped")
	return runErr
}

func formatCmd() *cobra.Command {
	var onlyIfEmpty bool
	c := &cobra.Command{
		Use:   "format",
		Short: "format the master journal (all metadata is lost)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, cfg, err := loadMasterConfig()
			if err != nil {
				return err
			}
			var seed *state.State
			if from := mustGet(p, conf.MasterJournalInitFromBackup); from != "" {
				if seed, err = readBackup(from, p, cfg); err != nil {
					return err
				}
			}
			if onlyIfEmpty {
				if entries, err := os.ReadDir(cfg.JournalFolder); err == nil && len(entries) > 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "Journal folder %s is not empty; not formatting.\n", cfg.JournalFolder)
					return nil
				}
			}
			if err := formatJournal(cfg, seed); err != nil {
				return fmt.Errorf("format journal %s: %w", cfg.JournalFolder, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Formatted journal at %s\n", cfg.JournalFolder)
			if seed != nil {
				files, dirs := seed.Counts()
				fmt.Fprintf(cmd.OutOrStdout(), "Restored the backup %s: %d files, %d directories, journal sequence %d\n",
					mustGet(p, conf.MasterJournalInitFromBackup), files, dirs, seed.LastSequence())
			}
			return nil
		},
	}
	c.Flags().BoolVarP(&onlyIfEmpty, "s", "s", false, "format only if the journal folder is missing or empty")
	return c
}

// openLog opens the process's logger and makes it the default too, so a
// library or component that logs through slog.Default() or the log
// package writes the same format into the same file, not bare lines on
// stderr that miss the log file.
func openLog(dir, name string) (*slog.Logger, io.Closer, error) {
	log, closer, err := logging.Open(dir, name, slog.LevelInfo)
	if err == nil {
		slog.SetDefault(log)
	}
	return log, closer, err
}

// formatJournal empties the journal: the shared-folder layout for UFS, an
// empty directory (Raft state starts afresh) for EMBEDDED; with seed, the
// journal then starts from it (a backup). It refuses while a master holds
// the folder (each keeps a lock file in it), and holds the locks itself
// meanwhile, so no master can start on a half-formatted one.
func formatJournal(cfg *master.Config, seed *state.State) error {
	locks, err := lockfile.AcquireAll(cfg.JournalFolder, "alluxio format")
	if err != nil {
		if errors.Is(err, lockfile.ErrHeld) {
			return fmt.Errorf("the journal is in use, stop that master first: %w", err)
		}
		return err
	}
	defer lockfile.ReleaseAll(locks)
	if cfg.JournalType == "EMBEDDED" {
		if err := os.RemoveAll(cfg.JournalFolder); err != nil {
			return err
		}
		err = os.MkdirAll(cfg.JournalFolder, 0o755)
	} else {
		err = ufsjournal.Format(cfg.JournalFolder)
	}
	if err != nil || seed == nil {
		return err
	}
	return seedJournal(cfg, seed)
}

// loadMasterConfig resolves and checks the configuration, and parses the
// master's part of it.
func loadMasterConfig() (*conf.Properties, *master.Config, error) {
	p, err := loadConf()
	if err != nil {
		return nil, nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	cfg, err := master.ConfigFromProperties(p)
	return p, cfg, err
}
