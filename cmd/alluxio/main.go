// Command alluxio is the one binary of Alluxio in Go: the master, the
// worker, and the CLI (fs, fsadmin, format, getConf, ...), with the
// command names and flags Alluxio users know.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/internal/buildinfo"
	"github.com/alluxio-go/alluxio/internal/conf"
)

// props are the -D definitions of every command.
var defines []string

func main() {
	root := rootCmd()
	root.SetArgs(longSingleDash(os.Args[1:]))
	if err := root.Execute(); err != nil {
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(int(ec))
		}
		fmt.Fprintln(os.Stderr, oneLine(err))
		os.Exit(1)
	}
}

// rootCmd is the whole command tree.
func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "alluxio",
		Short:         "Alluxio in Go: a distributed caching file system",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringArrayVarP(&defines, "property", "D", nil, "set a property: -D key=value or -Dkey=value")
	root.AddCommand(masterCmd(), workerCmd(), formatWorkerCmd(), localCmd(), proxyCmd(), formatCmd(), getConfCmd(), readJournalCmd(), versionCmd(), fsCmd(), fsadminCmd(), runUfsTestsCmd(),
		fuseCmd(), validateEnvCmd())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%s: %v (see '%s --help')", c.CommandPath(), err, c.CommandPath())
	})
	return root
}

// exitCode lets a command fail with a chosen status and no message (fs test).
type exitCode int

func (e exitCode) Error() string { return "" }

// singleDashFlags are long flags Alluxio's CLI spells with one dash
// (readJournal -start, fsadmin journal quorum elect -address).
var singleDashFlags = map[string]bool{"start": true, "end": true, "address": true, "domain": true, "rpcAddress": true}

// longSingleDash rewrites "-start" to "--start" for those flags, so Alluxio
// users' scripts keep working with a standard flag parser.
func longSingleDash(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		name, _, _ := strings.Cut(strings.TrimPrefix(a, "-"), "=")
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && singleDashFlags[name] {
			a = "-" + a
		}
		out[i] = a
	}
	return out
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// loadConf resolves the configuration once for the running command and
// prints warnings about unknown keys to stderr.
func loadConf() (*conf.Properties, error) {
	p, err := conf.Load(conf.LoadOptions{Defines: defines})
	if err != nil {
		return nil, err
	}
	for _, w := range p.Warnings() {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	return p, nil
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "Alluxio version:", buildinfo.Version)
			return nil
		},
	}
}
