package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
)

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
