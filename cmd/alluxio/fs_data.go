package main

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
)

// This file holds the commands that move file data: cat, head, tail,
// checksum, copyFromLocal, copyToLocal, cp, load, free, persist and
// location.

// openData opens a file for reading, refusing a directory in Alluxio's
// words.
func openData(ctx context.Context, env *fsEnv, p string) (*client.FileReader, error) {
	r, err := env.fs.OpenFile(ctx, p, client.OpenOptions{})
	if errors.Is(err, client.ErrIsDirectory) {
		return nil, fmt.Errorf("Path %s must be a file.", p)
	}
	return r, err
}

// printSpan writes part of the file at p to out; span turns the file's
// length into the offset and the byte count (-1: to the end).
func printSpan(ctx context.Context, env *fsEnv, out io.Writer, p string, span func(length int64) (int64, int64)) error {
	r, err := openData(ctx, env, p)
	if err != nil {
		return err
	}
	defer r.Close()
	off, n := span(r.Info().Length)
	if _, err := r.Seek(off, io.SeekStart); err != nil {
		return err
	}
	var in io.Reader = r
	if n >= 0 {
		in = io.LimitReader(r, n)
	}
	_, err = io.CopyBuffer(struct{ io.Writer }{out}, in, make([]byte, 1<<20))
	return err
}

func catCmd() *cobra.Command {
	return pathCommand("cat PATH", "print a file's content", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			return printSpan(ctx, env, cmd.OutOrStdout(), env.paths[0], func(int64) (int64, int64) { return 0, -1 })
		})
}

// headTailCmd builds head (the first bytes) or tail (the last bytes).
func headTailCmd(tail bool) *cobra.Command {
	var size string
	use, short := "head [-c BYTES] PATH", "print the first bytes of a file (1KB unless -c says)"
	if tail {
		use, short = "tail [-c BYTES] PATH", "print the last bytes of a file (1KB unless -c says)"
	}
	c := pathCommand(use, short, cobra.ExactArgs(1), func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
		n, err := conf.ParseBytes(size)
		if err != nil {
			return fmt.Errorf("invalid -c %q: give bytes, or a size such as 4KB", size)
		}
		return printSpan(ctx, env, cmd.OutOrStdout(), env.paths[0], func(length int64) (int64, int64) {
			if tail {
				return max(length-n, 0), n
			}
			return 0, n
		})
	})
	c.Flags().StringVarP(&size, "bytes", "c", "1KB", "how many bytes (1024, 4KB, ...)")
	return c
}

func checksumCmd() *cobra.Command {
	return pathCommand("checksum PATH", "print the MD5 of a file's content", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			r, err := openData(ctx, env, env.paths[0])
			if err != nil {
				return err
			}
			defer r.Close()
			h := md5.New()
			if _, err := io.CopyBuffer(h, struct{ io.Reader }{r}, make([]byte, 1<<20)); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "md5sum: %x\n", h.Sum(nil))
			return nil
		})
}

// localArg reads a local path argument, which Alluxio lets users write
// as a file:// URI, as an absolute path.
func localArg(s string) (string, error) {
	p := strings.TrimPrefix(s, "file://")
	if p == "" {
		return "", fmt.Errorf("empty local path")
	}
	return filepath.Abs(p)
}

func isLocalArg(s string) bool { return strings.HasPrefix(s, "file://") }

func fileURI(p string) string { return "file://" + filepath.ToSlash(p) }

// copyOptions are a copy's options from the flags, the buffer size
// defaulting to alluxio.user.file.buffer.bytes; each file copied is told in
// Alluxio's words, local paths as file:// URIs, through pr, which counts
// the bytes on its bar.
func copyOptions(pr *progress, env *fsEnv, writeType, bufSize string, recursive, fromLocal, toLocal bool) (client.CopyOptions, error) {
	var n int64
	if bufSize == "" {
		// The key's own checks name it (1B to 1GB).
		var err error
		if n, err = env.props.GetBytes(conf.UserFileBufferBytes); err != nil {
			return client.CopyOptions{}, err
		}
	} else if v, err := conf.ParseBytes(bufSize); err != nil || v <= 0 || v > conf.MaxBufferBytes {
		return client.CopyOptions{}, fmt.Errorf("invalid --buffersize %q: give a size from 1B to 1GB", bufSize)
	} else {
		n = v
	}
	out := pr
	return client.CopyOptions{Recursive: recursive, BufferSize: int(n), WriteType: strings.ToUpper(writeType), Bytes: pr.add,
		Progress: func(e client.CopyEvent) {
			src, dst := e.Src, e.Dst
			if fromLocal {
				src = fileURI(src)
			}
			if toLocal {
				dst = fileURI(dst)
			}
			if e.Skipped != "" {
				fmt.Fprintf(out, "Skipped %s: %s\n", src, e.Skipped)
				return
			}
			fmt.Fprintf(out, "Copied %s to %s\n", src, dst)
		}}, nil
}

// copyFromLocal copies each local source to dst, which must be a
// directory when there are several.
func copyFromLocal(ctx context.Context, env *fsEnv, srcs []string, dst string, o client.CopyOptions) error {
	if len(srcs) > 1 {
		if _, inside, err := env.fs.CopyDestination(ctx, dst, "x"); err != nil {
			return err
		} else if !inside {
			return fmt.Errorf("copyFromLocal: %s must be an existing directory to copy %d sources into", dst, len(srcs))
		}
	}
	var errs []error
	for _, s := range srcs {
		local, err := localArg(s)
		if err != nil {
			return err
		}
		errs = append(errs, env.fs.CopyFromLocal(ctx, local, dst, o))
	}
	return errors.Join(errs...)
}

// cp copies src to dst; one of them may be a file:// URI.
func cp(ctx context.Context, env *fsEnv, src, dst string, o client.CopyOptions) error {
	switch {
	case isLocalArg(src):
		local, err := localArg(src)
		if err != nil {
			return err
		}
		return env.fs.CopyFromLocal(ctx, local, env.paths[0], o)
	case isLocalArg(dst):
		local, err := localArg(dst)
		if err != nil {
			return err
		}
		return env.fs.CopyToLocal(ctx, env.paths[0], local, o)
	}
	return env.fs.Copy(ctx, env.paths[0], env.paths[1], o)
}

// copyFlags adds copyFromLocal's --writeType and --buffersize.
func copyFlags(c *cobra.Command, writeType, bufSize *string) {
	c.Flags().StringVar(writeType, "writeType", "", "MUST_CACHE, CACHE_THROUGH, THROUGH or ASYNC_THROUGH (default: alluxio.user.file.writetype.default)")
	c.Flags().StringVar(bufSize, "buffersize", "", "bytes read and written at a time (default: alluxio.user.file.buffer.bytes)")
}

func copyFromLocalCmd() *cobra.Command {
	var writeType, bufSize string
	c := &cobra.Command{
		Use:   "copyFromLocal [--writeType T] [--buffersize N] LOCAL... DST",
		Short: "copy local files or directories into Alluxio",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			srcs := args[:len(args)-1]
			return withEnv(cmd, args[len(args)-1:], func(ctx context.Context, env *fsEnv) error {
				var locals []string
				for _, s := range srcs {
					if l, err := localArg(s); err == nil {
						locals = append(locals, l)
					}
				}
				pr := startProgress(cmd, "copyFromLocal", localSize(locals...))
				o, err := copyOptions(pr, env, writeType, bufSize, true, true, false)
				if err == nil {
					err = copyFromLocal(ctx, env, srcs, env.paths[0], o)
				}
				pr.finish(err)
				return err
			})
		},
	}
	copyFlags(c, &writeType, &bufSize)
	return c
}

func copyToLocalCmd() *cobra.Command {
	var bufSize string
	c := &cobra.Command{
		Use: "copyToLocal [--buffersize N] SRC LOCAL", Short: "copy an Alluxio file or directory to the local file system",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withEnv(cmd, args[:1], func(ctx context.Context, env *fsEnv) error {
				local, err := localArg(args[1])
				if err != nil {
					return err
				}
				pr := startProgress(cmd, "copyToLocal", alluxioSize(ctx, env.fs, env.paths[0]))
				o, err := copyOptions(pr, env, "", bufSize, true, false, true)
				if err == nil {
					err = env.fs.CopyToLocal(ctx, env.paths[0], local, o)
				}
				pr.finish(err)
				return err
			})
		},
	}
	c.Flags().StringVar(&bufSize, "buffersize", "", "bytes read and written at a time (default: alluxio.user.file.buffer.bytes)")
	return c
}

// cpArgs checks cp's two paths: one of them may be a file:// URI, not
// both. It returns the Alluxio ones, to connect for.
func cpArgs(src, dst string) ([]string, error) {
	switch {
	case isLocalArg(src) && isLocalArg(dst):
		return nil, fmt.Errorf("cp: at least one of %s and %s must be an Alluxio path", src, dst)
	case isLocalArg(src):
		return []string{dst}, nil
	case isLocalArg(dst):
		return []string{src}, nil
	}
	return []string{src, dst}, nil
}

func cpCmd() *cobra.Command {
	var recursive bool
	var writeType, bufSize string
	c := &cobra.Command{
		Use:   "cp [-R] SRC DST",
		Short: "copy a file or directory; file:// on one side copies from or to the local file system",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, dst := args[0], args[1]
			alluxioArgs, err := cpArgs(src, dst)
			if err != nil {
				return err
			}
			return withEnv(cmd, alluxioArgs, func(ctx context.Context, env *fsEnv) error {
				var total int64
				if isLocalArg(src) {
					if l, err := localArg(src); err == nil {
						total = localSize(l)
					}
				} else {
					total = alluxioSize(ctx, env.fs, env.paths[0])
				}
				pr := startProgress(cmd, "cp", total)
				o, err := copyOptions(pr, env, writeType, bufSize, recursive, isLocalArg(src), isLocalArg(dst))
				if err == nil {
					err = cp(ctx, env, src, dst, o)
				}
				pr.finish(err)
				if !recursive && errors.Is(err, client.ErrIsDirectory) {
					return fmt.Errorf("%s is a directory, to copy it please use \"cp -R <src> <dst>\"", src)
				}
				return err
			})
		},
	}
	c.Flags().BoolVarP(&recursive, "recursive", "R", false, "copy directories and their contents")
	copyFlags(c, &writeType, &bufSize)
	return c
}

// files is fi itself when it is a file, or the files below it.
func files(fi *client.FileInfo, below []*client.FileInfo) []*client.FileInfo {
	if !fi.IsDir {
		return []*client.FileInfo{fi}
	}
	var out []*client.FileInfo
	for _, f := range below {
		if !f.IsDir {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func loadCmd() *cobra.Command {
	var local bool
	c := pathCommand("load [--local] PATH", "cache a file, or the files below a directory, in Alluxio", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			fi, below, err := tree(ctx, env, env.paths[0])
			if err != nil {
				return err
			}
			var todo []*client.FileInfo
			var total int64
			for _, f := range files(fi, below) {
				if local || f.InAlluxioPercent != 100 {
					total += f.Length
				}
				todo = append(todo, f)
			}
			pr := startProgress(cmd, "load", total)
			err = loadFiles(ctx, env, pr, todo, local)
			pr.finish(err)
			return err
		})
	c.Flags().BoolVar(&local, "local", false, "load into the worker on this host")
	return c
}

// loadFiles loads each file not fully in Alluxio yet (with local, into
// this host's worker), telling each in Alluxio's words.
func loadFiles(ctx context.Context, env *fsEnv, pr *progress, todo []*client.FileInfo, local bool) error {
	for _, f := range todo {
		if !local && f.InAlluxioPercent == 100 {
			fmt.Fprintln(pr, f.Path, "already in Alluxio fully")
			continue
		}
		if err := env.fs.Load(ctx, f.Path, client.LoadOptions{Local: local, Bytes: pr.add}); err != nil {
			return err
		}
		fmt.Fprintln(pr, f.Path, "loaded")
	}
	return nil
}

// freeWait is how long free waits for the workers to drop the blocks.
const freeWait = 30 * time.Second

func freeCmd() *cobra.Command {
	var force bool
	c := pathCommand("free [-f] PATH", "drop a file's or directory's data from Alluxio, keeping it in the under storage", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			p := env.paths[0]
			o := client.FreeOptions{Recursive: true, Forced: force}
			if err := env.fs.Free(ctx, p, o); err != nil {
				return err
			}
			wctx, cancel := context.WithTimeout(ctx, freeWait)
			defer cancel()
			if err := env.fs.WaitFreed(wctx, p, o); err != nil {
				if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
					return fmt.Errorf("timed out waiting for %s to be freed. Another user may be loading it.", p)
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s was successfully freed from Alluxio space.\n", p)
			return nil
		})
	c.Flags().BoolVarP(&force, "force", "f", false, "free pinned files too")
	return c
}

func persistCmd() *cobra.Command {
	var timeout string
	c := pathCommand("persist [-t TIMEOUT] PATH...", "copy files to the under storage and wait until they are there", cobra.MinimumNArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			limit, err := conf.ParseDuration(timeout)
			if err != nil || limit <= 0 {
				return fmt.Errorf("invalid --timeout %q: give milliseconds or a duration such as 20min", timeout)
			}
			out := cmd.OutOrStdout()
			var pending []string
			var total int64
			scheduled := eachPath(env.paths, func(p string) error {
				fi, below, err := tree(ctx, env, p)
				if err != nil {
					return err
				}
				for _, f := range files(fi, below) {
					if f.Persisted {
						fmt.Fprintln(out, f.Path, "is already persisted")
						continue
					}
					if err := env.fs.Persist(ctx, f.Path); err != nil {
						return err
					}
					pending = append(pending, f.Path)
					total += f.Length
				}
				return nil
			})
			wctx, cancel := context.WithTimeout(ctx, limit)
			defer cancel()
			// The bar moves a file at a time: the workers copy, this
			// command only sees each file become persisted.
			pr := startProgress(cmd, "persist", total)
			err = env.fs.WaitPersisted(wctx, pending, func(f *client.FileInfo) {
				fmt.Fprintf(pr, "persisted file %s with size %d\n", f.Path, f.Length)
				pr.add(f.Length)
			})
			pr.finish(err)
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				err = fmt.Errorf("timed out after %s: %w", limit, err)
			}
			return errors.Join(scheduled, err)
		})
	c.Flags().StringVarP(&timeout, "timeout", "t", "20min", "how long to wait for the files to be persisted")
	return c
}

func locationCmd() *cobra.Command {
	var blocks bool
	c := pathCommand("location [--blocks] PATH", "print the workers that hold a file's blocks", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			fi, err := env.fs.GetStatus(ctx, env.paths[0], client.StatusOptions{})
			if err != nil {
				return err
			}
			for _, l := range locationLines(env.paths[0], fi, blocks) {
				fmt.Fprintln(cmd.OutOrStdout(), l)
			}
			return nil
		})
	c.Flags().BoolVar(&blocks, "blocks", false, "print one line per block: its id and the hosts that hold it")
	return c
}

// locationLines is Alluxio's location output: a header, then the host of
// each copy of each block; with perBlock, one line per block instead.
func locationLines(p string, fi *client.FileInfo, perBlock bool) []string {
	out := []string{fmt.Sprintf("%s with file id %d is on nodes: ", p, fi.ID)}
	for _, b := range fi.Blocks {
		var hosts []string
		for _, l := range b.Locations {
			hosts = append(hosts, l.Host)
		}
		switch {
		case !perBlock:
			out = append(out, hosts...)
		case len(hosts) == 0:
			out = append(out, fmt.Sprintf("block %d: not in Alluxio", b.ID))
		default:
			out = append(out, fmt.Sprintf("block %d: %s", b.ID, strings.Join(hosts, ", ")))
		}
	}
	return out
}
