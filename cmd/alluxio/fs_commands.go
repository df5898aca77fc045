package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
)

func fsCommands() []*cobra.Command {
	return nameArgErrors(
		lsCmd(), mkdirCmd(), touchCmd(), statCmd(), rmCmd(), mvCmd(), mountCmd(), unmountCmd(),
		chmodCmd(), chownCmd(), chgrpCmd(), setfaclCmd(), getfaclCmd(), pinCmd(true), pinCmd(false), setTTLCmd(), unsetTTLCmd(),
		testCmd(), countCmd(), duCmd(), leaderCmd(), masterInfoCmd(),
		catCmd(), headTailCmd(false), headTailCmd(true), checksumCmd(), copyFromLocalCmd(), copyToLocalCmd(), cpCmd(), loadCmd(), freeCmd(), persistCmd(), locationCmd(),
	)
}

// nameArgErrors makes the argument errors of cmds and their subcommands
// name the command and its usage: cobra's own "accepts 2 arg(s), received
// 1" does not say which command of a script failed.
func nameArgErrors(cmds ...*cobra.Command) []*cobra.Command {
	for _, c := range cmds {
		if check := c.Args; check != nil {
			c.Args = func(cmd *cobra.Command, args []string) error {
				err := check(cmd, args)
				if err != nil && !strings.Contains(err.Error(), cmd.CommandPath()) {
					return fmt.Errorf("%s: %v (usage: %s)", cmd.CommandPath(), err, cmd.UseLine())
				}
				return err
			}
		}
		nameArgErrors(c.Commands()...)
	}
	return cmds
}

// cmdContext is the command's context, or Background when the command runs
// outside Execute (tests calling RunE directly).
func cmdContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// pathCommand is fsCommand for commands whose positionals are all paths.
func pathCommand(use, short string, args cobra.PositionalArgs, run func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error) *cobra.Command {
	return fsCommand(use, short, args, func(_ context.Context, cmd *cobra.Command, env *fsEnv) error {
		return run(cmdContext(cmd), cmd, env)
	})
}

// withEnv connects for pathArgs only, for commands that also take
// positionals that are not paths (a mode, an owner, a UFS URI, a TTL).
func withEnv(cmd *cobra.Command, pathArgs []string, run func(ctx context.Context, env *fsEnv) error) error {
	env, err := newFSEnv(pathArgs)
	if err != nil {
		return err
	}
	defer env.close()
	return run(cmdContext(cmd), env)
}

// eachPath runs fn on every path and reports all failures, so one bad path
// does not hide what happened to the others.
func eachPath(paths []string, fn func(p string) error) error {
	var errs []error
	for _, p := range paths {
		if err := fn(p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// humanFlag defines Alluxio's -h. Cobra would claim -h for help and panic
// on the clash, so help is defined here too, as --help only.
func humanFlag(c *cobra.Command, v *bool) {
	c.Flags().BoolVarP(v, "human-readable", "h", false, "print sizes like 64.00MB")
	c.Flags().Bool("help", false, "help for "+c.Name())
}

func lsCmd() *cobra.Command {
	var recursive, human, force, pinnedOnly, dirAsFile, reverse bool
	var sortBy, timestamp string
	c := pathCommand("ls [-R] [-h] [-f] [-p] [-d] [--sort FIELD] [-r] [--timestamp FIELD] PATH...",
		"list files and directories", cobra.MinimumNArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			ts, err := lsTimestamp(timestamp)
			if err != nil {
				return err
			}
			// A recursive listing sorts by path unless told otherwise, so
			// each directory's contents follow it instead of being
			// scattered by name.
			field := sortBy
			if recursive && !cmd.Flags().Changed("sort") {
				field = "path"
			}
			if err := sortFileInfos(nil, field, reverse); err != nil {
				return err
			}
			var opts client.StatusOptions
			if force {
				zero := time.Duration(0)
				opts = client.StatusOptions{SyncInterval: &zero, LoadType: "ALWAYS"}
			}
			out := cmd.OutOrStdout()
			return eachPath(env.paths, func(p string) error {
				var list []*client.FileInfo
				var err error
				if dirAsFile {
					var fi *client.FileInfo
					fi, err = env.fs.GetStatus(ctx, p, opts)
					list = []*client.FileInfo{fi}
				} else {
					list, err = env.fs.ListStatus(ctx, p, recursive, opts)
				}
				if err != nil {
					return err
				}
				_ = sortFileInfos(list, field, reverse)
				for _, fi := range list {
					if pinnedOnly && !fi.Pinned {
						continue
					}
					fmt.Fprintln(out, lsLine(fi, human, ts(fi)))
				}
				return nil
			})
		})
	f := c.Flags()
	f.BoolVarP(&recursive, "recursive", "R", false, "list subdirectories recursively")
	humanFlag(c, &human)
	f.BoolVarP(&force, "force", "f", false, "sync the metadata with the under storage first")
	f.BoolVarP(&pinnedOnly, "pinned", "p", false, "list pinned files only")
	f.BoolVarP(&dirAsFile, "directory", "d", false, "list directories themselves, not their contents")
	f.BoolVarP(&reverse, "reverse", "r", false, "reverse the sort order")
	f.StringVar(&sortBy, "sort", "name", "sort by name, path, size, creationTime or lastModificationTime")
	f.StringVar(&timestamp, "timestamp", "lastModificationTime", "time to show: creationTime or lastModificationTime")
	return c
}

func mkdirCmd() *cobra.Command {
	var parents bool
	c := pathCommand("mkdir [-p] PATH...", "create directories (and their parents, as in Alluxio)", cobra.MinimumNArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			return eachPath(env.paths, func(p string) error {
				// Alluxio's mkdir always creates parents; -p also accepts
				// an existing directory, as POSIX mkdir -p does.
				o := client.CreateDirectoryOptions{Recursive: true, AllowExists: parents}
				if _, err := env.fs.CreateDirectory(ctx, p, o); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "Successfully created directory", p)
				return nil
			})
		})
	c.Flags().BoolVarP(&parents, "parents", "p", false, "no error if the directory exists")
	return c
}

func touchCmd() *cobra.Command {
	return pathCommand("touch PATH", "create an empty file", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			p := env.paths[0]
			// An empty copyFromLocal: the configured write type decides
			// whether the file goes to the under storage, now or later.
			// Recursive, like Alluxio's touch and mkdir.
			if err := env.fs.CreateFrom(ctx, p, strings.NewReader(""), client.CopyOptions{}); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), p, "has been created")
			return nil
		})
}

func statCmd() *cobra.Command {
	var format string
	c := pathCommand("stat [-f FORMAT] PATH", "print a file's or directory's metadata", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			p := env.paths[0]
			fi, err := env.fs.GetStatus(ctx, p, client.StatusOptions{})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if cmd.Flags().Changed("format") {
				fmt.Fprintln(out, statFormat(format, fi))
				return nil
			}
			kind := "file"
			if fi.IsDir {
				kind = "directory"
			}
			fmt.Fprintf(out, "%s is a %s path.\n%s\n", p, kind, statDump(fi))
			for _, l := range ufsLines(fi) {
				fmt.Fprintln(out, l)
			}
			if fi.IsDir {
				return nil
			}
			fmt.Fprintln(out, "Containing the following blocks: ")
			for _, id := range fi.BlockIDs {
				fmt.Fprintf(out, "BlockInfo{id=%d}\n", id)
			}
			return nil
		})
	c.Flags().StringVarP(&format, "format", "f", "", "print only these fields: %N name, %z size, %u owner, %g group, %y/%Y modification time, %b blocks")
	return c
}

func rmCmd() *cobra.Command {
	var recursive, alluxioOnly bool
	c := pathCommand("rm [-R] [--alluxioOnly] PATH...", "remove files and directories", cobra.MinimumNArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			return eachPath(env.paths, func(p string) error {
				// Like Alluxio, refuse even an empty directory without -R.
				if !recursive {
					fi, err := env.fs.GetStatus(ctx, p, client.StatusOptions{})
					if err != nil {
						return err
					}
					if fi.IsDir {
						return fmt.Errorf("%s is a directory, to remove it, please use \"rm -R <path>\"", p)
					}
				}
				if err := env.fs.Delete(ctx, p, client.DeleteOptions{Recursive: recursive, AlluxioOnly: alluxioOnly}); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), p, "has been removed")
				return nil
			})
		})
	c.Flags().BoolVarP(&recursive, "recursive", "R", false, "remove directories and their contents")
	c.Flags().BoolVar(&alluxioOnly, "alluxioOnly", false, "remove from Alluxio only, keeping the under storage copy")
	return c
}

func mvCmd() *cobra.Command {
	return pathCommand("mv SRC DST", "rename a file or directory", cobra.ExactArgs(2),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			src, dst := env.paths[0], env.paths[1]
			// As in Alluxio, moving onto a directory moves into it.
			if fi, err := env.fs.GetStatus(ctx, dst, client.StatusOptions{}); err == nil && fi.IsDir {
				dst = strings.TrimSuffix(dst, "/") + "/" + baseName(src)
			} else if err != nil && !errors.Is(err, client.ErrNotFound) {
				return err
			}
			if err := env.fs.Rename(ctx, src, dst); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Renamed %s to %s\n", src, dst)
			return nil
		})
}

func baseName(p string) string {
	p = strings.TrimRight(p, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}

// attrCmd builds chmod, chown and chgrp: VALUE PATH with -R, where parse
// turns VALUE into the change and the message printed on success.
func attrCmd(use, short string, parse func(v string) (client.SetAttributeOptions, func(p string) string, error)) *cobra.Command {
	var recursive bool
	c := &cobra.Command{
		Use: use, Short: short, Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, msg, err := parse(args[0])
			if err != nil {
				return err
			}
			o.Recursive = recursive
			return withEnv(cmd, args[1:], func(ctx context.Context, env *fsEnv) error {
				if err := env.fs.SetAttribute(ctx, env.paths[0], o); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), msg(env.paths[0]))
				return nil
			})
		},
	}
	c.Flags().BoolVarP(&recursive, "recursive", "R", false, "change everything below the path too")
	return c
}

func chmodCmd() *cobra.Command {
	return attrCmd("chmod [-R] MODE PATH", "change permissions (octal MODE such as 755)",
		func(v string) (client.SetAttributeOptions, func(string) string, error) {
			m, err := parseOctalMode(v)
			return client.SetAttributeOptions{Mode: &m},
				func(p string) string { return fmt.Sprintf("Changed permission of %s to %o", p, uint32(m)) }, err
		})
}

func chownCmd() *cobra.Command {
	return attrCmd("chown [-R] OWNER[:GROUP] PATH", "change the owner (and group)",
		func(v string) (client.SetAttributeOptions, func(string) string, error) {
			owner, group, err := parseOwnerGroup(v)
			if group == "" {
				return client.SetAttributeOptions{Owner: &owner},
					func(p string) string { return fmt.Sprintf("Changed owner of %s to %s.", p, owner) }, err
			}
			return client.SetAttributeOptions{Owner: &owner, Group: &group},
				func(p string) string { return fmt.Sprintf("Changed owner:group of %s to %s:%s.", p, owner, group) }, err
		})
}

func chgrpCmd() *cobra.Command {
	return attrCmd("chgrp [-R] GROUP PATH", "change the group",
		func(v string) (client.SetAttributeOptions, func(string) string, error) {
			err := checkName("group", v)
			return client.SetAttributeOptions{Group: &v},
				func(p string) string { return fmt.Sprintf("Changed group of %s to %s.", p, v) }, err
		})
}

func pinCmd(pin bool) *cobra.Command {
	use, short, word := "pin PATH", "keep a file's or directory's data in Alluxio", "pinned"
	if !pin {
		use, short, word = "unpin PATH", "let a file's or directory's data be evicted again", "unpinned"
	}
	return pathCommand(use, short, cobra.ExactArgs(1), func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
		if err := env.fs.SetAttribute(ctx, env.paths[0], client.SetAttributeOptions{Pinned: &pin}); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "File '%s' was successfully %s.\n", env.paths[0], word)
		return nil
	})
}

func setTTLCmd() *cobra.Command {
	var action string
	c := &cobra.Command{
		Use:   "setTtl [--action free|delete|delete_alluxio] PATH TTL",
		Short: "set a time to live (TTL in ms, or with a unit: 10s, 1h)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ttl, err := parseTTL(args[1])
			if err != nil {
				return err
			}
			a, err := parseTTLAction(action)
			if err != nil {
				return err
			}
			return withEnv(cmd, args[:1], func(ctx context.Context, env *fsEnv) error {
				if err := env.fs.SetAttribute(ctx, env.paths[0], client.SetAttributeOptions{TTL: &ttl, TTLAction: &a}); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "TTL of path '%s' was successfully set to %d milliseconds, with expiry action set to %s\n",
					env.paths[0], ttl.Milliseconds(), a)
				return nil
			})
		},
	}
	c.Flags().StringVar(&action, "action", "free", "what to do when the TTL expires: free, delete or delete_alluxio")
	return c
}

func unsetTTLCmd() *cobra.Command {
	return pathCommand("unsetTtl PATH", "remove the time to live", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			none := time.Duration(-1)
			if err := env.fs.SetAttribute(ctx, env.paths[0], client.SetAttributeOptions{TTL: &none}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "TTL of path '%s' was successfully removed.\n", env.paths[0])
			return nil
		})
}
