package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/prototext"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/journal/ufsjournal"
)

func readJournalCmd() *cobra.Command {
	var start int64
	var end int64
	c := &cobra.Command{
		Use:   "readJournal",
		Short: "print the journal's records (reads the journal folder; the master may be running)",
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
			return ufsjournal.ReadEntries(cfg.JournalFolder, uint64(start), func(file string, e *journalpb.Entry) error {
				if end >= 0 && e.Sequence >= uint64(end) {
					return nil
				}
				fmt.Fprintf(out, "%d\t%s\n", e.Sequence, opts.Format(e))
				return nil
			})
		},
	}
	c.Flags().Int64Var(&start, "start", 0, "first sequence number to print")
	c.Flags().Int64Var(&end, "end", -1, "print sequence numbers below this one (-1: to the end)")
	return c
}
