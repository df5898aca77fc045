package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
)

// setfaclCmd is Alluxio's `fs setfacl`: -m, -x, -b, -k or --set, with -R.
func setfaclCmd() *cobra.Command {
	var modify, remove, set string
	var removeAll, removeDefault, recursive bool
	c := &cobra.Command{
		Use:   "setfacl [-R] [-m|-x|--set ENTRIES] [-b] [-k] PATH",
		Short: "change a file's or directory's ACL (entries such as user:bob:rw-,default:group::r-x)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			action, spec, err := setfaclAction(cmd, modify, remove, set, removeAll, removeDefault)
			if err != nil {
				return err
			}
			var entries []string
			if spec != "" {
				entries = []string{spec}
			}
			return withEnv(cmd, args, func(ctx context.Context, env *fsEnv) error {
				return env.fs.SetACL(ctx, env.paths[0], action, entries, recursive)
			})
		},
	}
	f := c.Flags()
	f.StringVarP(&modify, "modify", "m", "", "add or change these entries")
	f.StringVarP(&remove, "remove", "x", "", "remove these named entries (user:bob,default:group:staff)")
	f.StringVar(&set, "set", "", "replace the ACL with these entries (user::, group:: and other:: included)")
	f.BoolVarP(&removeAll, "remove-all", "b", false, "remove every entry but the owner's, the group's and others'")
	f.BoolVarP(&removeDefault, "remove-default", "k", false, "remove the default ACL")
	f.BoolVarP(&recursive, "recursive", "R", false, "change everything below the path too")
	return c
}

// setfaclAction picks the one action the flags ask for.
func setfaclAction(cmd *cobra.Command, modify, remove, set string, removeAll, removeDefault bool) (string, string, error) {
	var action, spec string
	n := 0
	for _, a := range []struct {
		flag, action, spec string
		on                 bool
	}{
		{"modify", client.ACLModify, modify, modify != ""},
		{"remove", client.ACLRemove, remove, remove != ""},
		{"set", client.ACLReplace, set, set != ""},
		{"remove-all", client.ACLRemoveAll, "", removeAll},
		{"remove-default", client.ACLRemoveDefault, "", removeDefault},
	} {
		if a.on || cmd.Flags().Changed(a.flag) {
			if !a.on {
				return "", "", fmt.Errorf("setfacl: --%s needs entries", a.flag)
			}
			action, spec = a.action, a.spec
			n++
		}
	}
	if n != 1 {
		return "", "", errors.New("setfacl: give exactly one of -m, -x, --set, -b or -k")
	}
	return action, spec, nil
}

// getfaclCmd is `fs getfacl`: the owner, group and ACL entries, as
// getfacl prints them.
func getfaclCmd() *cobra.Command {
	return pathCommand("getfacl PATH", "print a file's or directory's ACL", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			st, err := env.fs.GetStatus(ctx, env.paths[0], client.StatusOptions{})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "# file: %s\n# owner: %s\n# group: %s\n", st.Path, st.Owner, st.Group)
			lines := st.ACL
			if len(lines) == 0 {
				m := uint32(st.Mode.Perm())
				lines = []string{"user::" + permString(m>>6), "group::" + permString(m>>3), "other::" + permString(m)}
			}
			for _, l := range lines {
				fmt.Fprintln(out, l)
			}
			return nil
		})
}

func permString(bits uint32) string {
	b := []byte("---")
	for i, c := range "rwx" {
		if bits&(4>>i) != 0 {
			b[i] = byte(c)
		}
	}
	return string(b)
}
