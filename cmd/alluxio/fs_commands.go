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
		chmodCmd(), chownCmd(), chgrpCmd(), pinCmd(true), pinCmd(false), setTTLCmd(), unsetTTLCmd(),
		testCmd(), countCmd(), duCmd(), leaderCmd(), masterInfoCmd(),
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
	c := pathCommand("mkdir [-p] PATH...", "create directories", cobra.MinimumNArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			return eachPath(env.paths, func(p string) error {
				// POSIX semantics (the project's e2e tests expect them):
				// only -p creates parents and accepts an existing directory.
				o := client.CreateDirectoryOptions{Recursive: parents, AllowExists: parents}
				if _, err := env.fs.CreateDirectory(ctx, p, o); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "Successfully created directory", p)
				return nil
			})
		})
	c.Flags().BoolVarP(&parents, "parents", "p", false, "create parents too; no error if the directory exists")
	return c
}

func touchCmd() *cobra.Command {
	return pathCommand("touch PATH", "create an empty file", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			p := env.paths[0]
			if _, err := env.fs.CreateFile(ctx, p, client.CreateFileOptions{}); err != nil {
				return err
			}
			if _, err := env.fs.CompleteFile(ctx, p, 0, false); err != nil {
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
						return rmDirError(ctx, env, p)
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

// rmDirError refuses rm of a directory without -R, in Alluxio's words,
// and says "not empty" (ErrNotEmpty) when the directory has children.
func rmDirError(ctx context.Context, env *fsEnv, p string) error {
	const hint = "to remove it, please use \"rm -R <path>\""
	children, err := env.fs.ListStatus(ctx, p, false, client.StatusOptions{})
	if err == nil && len(children) > 0 {
		return fmt.Errorf("%s is a directory and %w; %s", p, client.ErrNotEmpty, hint)
	}
	return fmt.Errorf("%s is a directory, %s", p, hint)
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

func testCmd() *cobra.Command {
	var dir, exists, file, nonEmpty, zero bool
	oneFlag := func(*cobra.Command, []string) error {
		n := 0
		for _, b := range []bool{dir, exists, file, nonEmpty, zero} {
			if b {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("give exactly one of -d, -e, -f, -s, -z")
		}
		return nil
	}
	c := pathCommand("test -d|-e|-f|-s|-z PATH", "test a path; exit 0 if true, 1 if false, without output",
		cobra.MatchAll(cobra.ExactArgs(1), oneFlag), func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			fi, err := env.fs.GetStatus(ctx, env.paths[0], client.StatusOptions{})
			if errors.Is(err, client.ErrNotFound) {
				return exitCode(1)
			}
			if err != nil {
				return err
			}
			ok := exists || (dir && fi.IsDir) || (file && !fi.IsDir) || (zero && !fi.IsDir && fi.Length == 0)
			if nonEmpty {
				ok = !fi.IsDir && fi.Length > 0
				if fi.IsDir {
					children, err := env.fs.ListStatus(ctx, env.paths[0], false, client.StatusOptions{})
					if err != nil {
						return err
					}
					ok = len(children) > 0
				}
			}
			if !ok {
				return exitCode(1)
			}
			return nil
		})
	f := c.Flags()
	f.BoolVarP(&dir, "dir", "d", false, "the path is a directory")
	f.BoolVarP(&exists, "exists", "e", false, "the path exists")
	f.BoolVarP(&file, "file", "f", false, "the path is a file")
	f.BoolVarP(&nonEmpty, "nonempty", "s", false, "the path is a non-empty file or directory")
	f.BoolVarP(&zero, "zero", "z", false, "the path is a file of zero length")
	return c
}

// tree is the path's own status and, for a directory, everything below it.
func tree(ctx context.Context, env *fsEnv, p string) (*client.FileInfo, []*client.FileInfo, error) {
	fi, err := env.fs.GetStatus(ctx, p, client.StatusOptions{})
	if err != nil || !fi.IsDir {
		return fi, nil, err
	}
	below, err := env.fs.ListStatus(ctx, p, true, client.StatusOptions{})
	return fi, below, err
}

func countCmd() *cobra.Command {
	var human bool
	c := pathCommand("count [-h] PATH", "count files, folders and bytes below a path", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			fi, below, err := tree(ctx, env, env.paths[0])
			if err != nil {
				return err
			}
			var files, folders, size int64
			for _, f := range append(below, fi) {
				if f.IsDir {
					folders++
				} else {
					files++
					size += f.Length
				}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, countFormat+"\n", "File Count", "Folder Count", "Folder Size")
			fmt.Fprintf(out, countFormat+"\n", fmt.Sprint(files), fmt.Sprint(folders), formatSize(size, human))
			return nil
		})
	humanFlag(c, &human)
	return c
}

func duCmd() *cobra.Command {
	var summary, human bool
	c := pathCommand("du [-s] [-h] PATH", "show the size of files, and how much of it is in Alluxio", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			fi, below, err := tree(ctx, env, env.paths[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, duFormat+"\n", "File Size", "In Alluxio", "Path")
			var size, inAlluxio int64
			for _, f := range append(below, fi) {
				if f.IsDir {
					continue
				}
				cached := mulDiv(f.Length, int64(f.InAlluxioPercent), 100)
				size, inAlluxio = size+f.Length, inAlluxio+cached
				if !summary {
					fmt.Fprintln(out, duRow(f.Length, cached, f.Path, human))
				}
			}
			if summary {
				fmt.Fprintln(out, duRow(size, inAlluxio, env.paths[0], human))
			}
			return nil
		})
	c.Flags().BoolVarP(&summary, "summary", "s", false, "print one total for the path")
	humanFlag(c, &human)
	return c
}
