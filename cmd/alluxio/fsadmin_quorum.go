package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// quorumCmd is `alluxio fsadmin journal quorum info|elect|remove|add`, the
// embedded journal's administration, with Alluxio's flags (-address, which
// is also accepted with one dash).
func quorumCmd() *cobra.Command {
	c := &cobra.Command{Use: "quorum", Short: "embedded journal quorum: info, elect, remove, add", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fmt.Errorf("alluxio fsadmin journal quorum: a command is required (info, elect, remove, add)")
		}}
	c.AddCommand(quorumInfoCmd(), quorumElectCmd(), quorumRemoveCmd(), quorumAddCmd())
	return c
}

func quorumInfoCmd() *cobra.Command {
	var domain string
	cmd := clusterCommand("info", "show the quorum: leader and each member's state", func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
		if domain != "" && !strings.EqualFold(domain, "MASTER") {
			return fmt.Errorf("alluxio fsadmin journal quorum info: -domain %q: only MASTER is supported", domain)
		}
		d, leader, members, err := env.fs.QuorumInfo(ctx)
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		fmt.Fprintf(out, "Journal domain\t: %s\nQuorum size\t: %d\nQuorum leader\t: %s\n\n", d, len(members), leader)
		fmt.Fprintf(out, "%-11s | %-8s | %-22s | %s\n", "STATE", "PRIORITY", "SERVER ADDRESS", "RPC ADDRESS")
		for _, m := range members {
			fmt.Fprintf(out, "%-11s | %-8d | %-22s | %s\n", m.State, 0, m.Address, m.RPCAddress)
		}
		return nil
	})
	cmd.Flags().StringVar(&domain, "domain", "MASTER", "journal domain (MASTER)")
	return cmd
}

// addressFlag adds the required -address flag to a quorum command.
func addressFlag(cmd *cobra.Command, addr *string) *cobra.Command {
	cmd.Flags().StringVar(addr, "address", "", "embedded journal address of the member (host:port)")
	cmd.MarkFlagRequired("address")
	return cmd
}

func quorumElectCmd() *cobra.Command {
	var addr string
	return addressFlag(clusterCommand("elect", "transfer leadership to a member", func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
		if err := env.fs.TransferLeadership(ctx, addr); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "Successfully elected %s as the new leader\n", addr)
		return nil
	}), &addr)
}

func quorumRemoveCmd() *cobra.Command {
	var addr string
	return addressFlag(clusterCommand("remove", "remove a member from the quorum", func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
		if err := env.fs.RemoveQuorumMember(ctx, addr); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "Removed %s from the quorum\n", addr)
		return nil
	}), &addr)
}

func quorumAddCmd() *cobra.Command {
	var addr, rpc string
	cmd := addressFlag(clusterCommand("add", "add a master to the quorum (start it first with the quorum's addresses)", func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
		if err := env.fs.AddQuorumMember(ctx, addr, rpc); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "Added %s (rpc %s) to the quorum\n", addr, rpc)
		return nil
	}), &addr)
	cmd.Flags().StringVar(&rpc, "rpcAddress", "", "rpc address of the new master (host:port)")
	cmd.MarkFlagRequired("rpcAddress")
	return cmd
}
