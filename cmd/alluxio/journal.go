package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/prototext"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/journal/raftjournal"
	"github.com/alluxio-go/alluxio/internal/journal/ufsjournal"
)

func readJournalCmd() *cobra.Command {
	var start int64
	var end int64
	c := &cobra.Command{
		Use:   "readJournal",
		Short: "print the journal's entries (UFS: the master may be running; EMBEDDED: a stopped master's Raft log)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, cfg, err := loadMasterConfig()
			if err != nil {
				return err
			}
			if start < 0 {
				return fmt.Errorf("readJournal: -start %d must not be negative", start)
			}
			out := cmd.OutOrStdout()
			opts := prototext.MarshalOptions{}
			print := func(e *journalpb.Entry) {
				if end < 0 || e.Sequence < uint64(end) {
					fmt.Fprintf(out, "%d\t%s\n", e.Sequence, opts.Format(e))
				}
			}
			if cfg.JournalType != "EMBEDDED" {
				return ufsjournal.ReadEntries(cfg.JournalFolder, uint64(start), func(file string, e *journalpb.Entry) error {
					print(e)
					return nil
				})
			}
			stderr := cmd.ErrOrStderr()
			err = raftjournal.ReadLog(cfg.JournalFolder, uint64(start), func(li raftjournal.LogInfo) {
				fmt.Fprintf(stderr, "Embedded journal in %s: raft log %d to %d; ", cfg.JournalFolder, li.First, li.Last)
				if li.SnapshotIndex > 0 {
					fmt.Fprintf(stderr, "its snapshot (raft index %d) holds the entries below sequence %d.\n", li.SnapshotIndex, li.NextSequence)
				} else {
					fmt.Fprintln(stderr, "no snapshot yet.")
				}
			}, func(le raftjournal.LogEntry) error {
				if le.Err != nil {
					fmt.Fprintf(stderr, "warning: skipped (as the masters do): %v\n", le.Err)
					return nil
				}
				print(le.Entry)
				return nil
			})
			if err != nil {
				return localJournalHint(cfg.JournalFolder, err)
			}
			return nil
		},
	}
	c.Flags().Int64Var(&start, "start", 0, "first sequence number to print")
	c.Flags().Int64Var(&end, "end", -1, "print sequence numbers below this one (-1: to the end)")
	return c
}

// localJournalHint adds, when folder is alluxio local's journal folder, where
// each of its masters keeps its own log.
func localJournalHint(folder string, err error) error {
	if _, serr := os.Stat(filepath.Join(folder, "master0", "wal")); serr == nil {
		return fmt.Errorf("%w; alluxio local keeps one per master: set alluxio.master.journal.folder to %s (or master1, master2)",
			err, filepath.Join(folder, "master0"))
	}
	return err
}
