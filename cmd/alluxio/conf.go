package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/internal/underfs"
)

func getConfCmd() *cobra.Command {
	var source bool
	c := &cobra.Command{
		Use:   "getConf [KEY]",
		Short: "print a resolved property (all of them without KEY)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := loadConf()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(args) == 1 {
				v, err := p.Get(args[0])
				if err != nil {
					return err
				}
				v = masked(args[0], v)
				if source {
					fmt.Fprintf(out, "%s (%s)\n", v, p.Source(args[0]))
				} else {
					fmt.Fprintln(out, v)
				}
				return nil
			}
			for _, k := range p.Names() {
				v, err := p.Get(k)
				if err != nil {
					v = "<" + err.Error() + ">"
				}
				v = masked(k, v)
				if source {
					fmt.Fprintf(out, "%s=%s (%s)\n", k, v, p.Source(k))
				} else {
					fmt.Fprintf(out, "%s=%s\n", k, v)
				}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&source, "source", false, "also print where each value comes from")
	return c
}

// masked hides the value of a credential (an object store's keys, a
// password), as Alluxio's getConf does.
func masked(key, value string) string {
	if underfs.IsSecret(key) && value != "" {
		return underfs.Masked
	}
	return value
}
