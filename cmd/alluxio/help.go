package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// groupHelp makes a command group (fs, fsadmin) answer as Alluxio's do:
// the group alone, or `help`, lists its commands and exits 0; `help CMD`
// prints that command's usage. An unknown word is still an error, so a
// typo in a script does not pass as help.
func groupHelp(c *cobra.Command) *cobra.Command {
	c.Args = cobra.NoArgs
	c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	c.AddCommand(&cobra.Command{
		Use:   "help [COMMAND]",
		Short: "list the commands, or print one command's usage",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			group := cmd.Parent()
			if len(args) == 0 {
				return group.Help()
			}
			sub, rest, err := group.Find(args)
			if err != nil || sub == group || len(rest) > 0 {
				return fmt.Errorf("%s help: unknown command %q (see '%s help')", group.CommandPath(), args[0], group.CommandPath())
			}
			return sub.Help()
		},
	})
	return c
}
