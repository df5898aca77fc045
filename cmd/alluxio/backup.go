package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/journal/raftjournal"
	"github.com/alluxio-go/alluxio/internal/journal/ufsjournal"
	"github.com/alluxio-go/alluxio/internal/master"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// backupCmd is fsadmin backup: the primary writes a consistent copy of
// the metadata and names the file, which alluxio format restores with
// -Dalluxio.master.journal.init.from.backup=<file>.
func backupCmd() *cobra.Command {
	var local bool
	c := &cobra.Command{
		Use:   "backup [DIRECTORY] [--local]",
		Short: "back up the metadata: into DIRECTORY of the root under storage (or a URI), or with --local of the leading master's machine",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			return withEnv(cmd, nil, func(ctx context.Context, env *fsEnv) error {
				b, err := env.fs.Backup(ctx, dir, local)
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				fmt.Fprintln(out, "Backup Host        : "+b.Hostname)
				fmt.Fprintln(out, "Backup URI         : "+b.URI)
				fmt.Fprintf(out, "Backup Entry Count : %d\n", b.Entries)
				fmt.Fprintf(out, "Journal Sequence   : %d\n", b.Sequence)
				return nil
			})
		},
	}
	c.Flags().BoolVar(&local, "local", false, "write to a local directory of the leading master (an absolute path) instead of the root under storage")
	return c
}

// readBackup loads and checks a backup: a local file, or a file of an
// under storage given by URI. A damaged backup is refused here, before
// anything is formatted.
func readBackup(uri string, p *conf.Properties, cfg *master.Config) (*state.State, error) {
	var r io.ReadCloser
	if underfs.Scheme(uri) == "" {
		f, err := os.Open(uri)
		if err != nil {
			return nil, err
		}
		r = f
	} else {
		c, err := underfs.CanonicalURI(uri)
		if err != nil {
			return nil, err
		}
		u, err := underfs.OpenWithOptions(c.Scheme+"://"+c.Authority+"/", underfs.Options{Properties: cfg.UFSProperties})
		if err != nil {
			return nil, err
		}
		defer u.Close()
		if r, err = u.Open(context.Background(), strings.TrimPrefix(path.Clean(c.Path), "/"), 0); err != nil {
			return nil, err
		}
	}
	defer r.Close()
	st := state.New(state.Options{RetryCacheSize: cfg.RetryCacheSize, RootOwner: cfg.SuperUser, RootGroup: cfg.SuperUser})
	if err := st.Restore(r, uri); err != nil {
		return nil, fmt.Errorf("%s: %w (give a file alluxio fsadmin backup wrote)", conf.MasterJournalInitFromBackup, err)
	}
	return st, nil
}

// seedJournal writes the backup into a journal just formatted.
func seedJournal(cfg *master.Config, st *state.State) error {
	if cfg.JournalType == "EMBEDDED" {
		var peers []raftjournal.Peer
		for i, a := range cfg.EmbeddedAddresses {
			peers = append(peers, raftjournal.Peer{JournalAddress: a, RPCAddress: cfg.RPCAddresses[i]})
		}
		return raftjournal.Seed(cfg.JournalFolder, peers, st)
	}
	return ufsjournal.Seed(cfg.JournalFolder, st)
}
