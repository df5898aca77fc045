package main

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
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

// alluxioChild is path dir/name in the Alluxio namespace.
func alluxioChild(dir, name string) string { return path.Join(dir, name) }

// relBelow is p relative to the directory top, both Alluxio paths.
func relBelow(top, p string) string {
	return strings.TrimPrefix(p, strings.TrimSuffix(path.Clean(top), "/")+"/")
}

// copier copies files into, out of and within Alluxio, and says what it
// copied in Alluxio's words.
type copier struct {
	ctx    context.Context
	env    *fsEnv
	out    io.Writer
	buf    []byte
	create client.CreateFileOptions
}

func newCopier(ctx context.Context, env *fsEnv, out io.Writer, bufSize int64, writeType string) *copier {
	if bufSize <= 0 {
		bufSize = 8 << 20
	}
	return &copier{ctx: ctx, env: env, out: out, buf: make([]byte, bufSize),
		create: client.CreateFileOptions{Recursive: true, WriteType: writeType}}
}

// destination is where src lands when copied to dst: inside dst when dst
// is an existing Alluxio directory, or ends in a slash.
func (c *copier) destination(dst, name string) (string, bool, error) {
	fi, err := c.env.fs.GetStatus(c.ctx, dst, client.StatusOptions{})
	if errors.Is(err, client.ErrNotFound) {
		if strings.HasSuffix(dst, "/") {
			return alluxioChild(dst, name), true, nil
		}
		return dst, false, nil
	}
	if err != nil {
		return "", false, err
	}
	if fi.IsDir {
		return alluxioChild(dst, name), true, nil
	}
	return dst, false, nil
}

// write copies r into the new Alluxio file dst. A failed copy leaves no
// incomplete file behind.
func (c *copier) write(dst string, r io.Reader) error {
	w, err := c.env.fs.Create(c.ctx, dst, c.create)
	if err != nil {
		return err
	}
	// Hiding WriterTo makes io.CopyBuffer use the configured buffer size.
	if _, err := io.CopyBuffer(w, struct{ io.Reader }{r}, c.buf); err != nil {
		w.Cancel()
		c.dropIncomplete(dst)
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	if err := w.Close(); err != nil {
		c.dropIncomplete(dst)
		return err
	}
	return nil
}

func (c *copier) dropIncomplete(p string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 30*time.Second)
	defer cancel()
	if fi, err := c.env.fs.GetStatus(ctx, p, client.StatusOptions{}); err == nil && !fi.Completed {
		c.env.fs.Delete(ctx, p, client.DeleteOptions{AlluxioOnly: true})
	}
}

// fromLocal copies local files and directories (recursively) to dst.
func (c *copier) fromLocal(srcs []string, dst string) error {
	var errs []error
	for _, s := range srcs {
		local, err := localArg(s)
		if err != nil {
			return err
		}
		to, dstIsDir, err := c.destination(dst, filepath.Base(local))
		if err != nil {
			return err
		}
		if len(srcs) > 1 && !dstIsDir {
			return fmt.Errorf("copyFromLocal: %s must be an existing directory to copy %d sources into", dst, len(srcs))
		}
		errs = append(errs, filepath.WalkDir(local, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(local, p)
			target := to
			if rel != "." {
				target = alluxioChild(to, filepath.ToSlash(rel))
			}
			if d.IsDir() {
				_, err := c.env.fs.CreateDirectory(c.ctx, target, client.CreateDirectoryOptions{Recursive: true, AllowExists: true})
				return err
			}
			st, err := os.Stat(p) // a symlink is followed to what it names
			if err != nil {
				return err
			}
			if !st.Mode().IsRegular() && st.Mode()&os.ModeNamedPipe == 0 {
				// Sockets and devices have no content to copy.
				fmt.Fprintf(c.out, "Skipped %s: not a regular file\n", fileURI(p))
				return nil
			}
			return c.fromLocalFile(p, target)
		}))
	}
	return errors.Join(errs...)
}

func (c *copier) fromLocalFile(local, dst string) error {
	in, err := os.Open(local)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := c.write(dst, in); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Copied %s to %s\n", fileURI(local), dst)
	return nil
}

// toLocal copies an Alluxio file or directory (recursively) to the local
// path dst, or into it when it is an existing directory.
func (c *copier) toLocal(src, dst string) error {
	local, err := localArg(dst)
	if err != nil {
		return err
	}
	if st, err := os.Stat(local); err == nil && st.IsDir() {
		local = filepath.Join(local, baseName(src))
	}
	fi, below, err := tree(c.ctx, c.env, src)
	if err != nil {
		return err
	}
	if !fi.IsDir {
		return c.toLocalFile(src, local)
	}
	sort.Slice(below, func(i, j int) bool { return below[i].Path < below[j].Path })
	if err := os.MkdirAll(local, 0o755); err != nil {
		return err
	}
	for _, f := range below {
		target := filepath.Join(local, filepath.FromSlash(relBelow(src, f.Path)))
		if f.IsDir {
			err = os.MkdirAll(target, 0o755)
		} else {
			err = c.toLocalFile(f.Path, target)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// toLocalFile writes into a temporary file renamed at the end, so a
// failed copy leaves no partial file under the wanted name.
func (c *copier) toLocalFile(src, local string) error {
	if _, err := os.Lstat(local); err == nil {
		return fmt.Errorf("copyToLocal: %s already exists", local)
	}
	r, err := c.env.fs.OpenFile(c.ctx, src, client.OpenOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	tmp, err := os.CreateTemp(filepath.Dir(local), "."+filepath.Base(local)+".copying-*")
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(struct{ io.Writer }{tmp}, struct{ io.Reader }{r}, c.buf)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), local)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("copy %s to %s: %w", src, local, err)
	}
	fmt.Fprintf(c.out, "Copied %s to %s\n", src, fileURI(local))
	return nil
}

// within copies src to dst inside Alluxio.
func (c *copier) within(src, dst string, recursive bool) error {
	fi, below, err := tree(c.ctx, c.env, src)
	if err != nil {
		return err
	}
	dst, _, err = c.destination(dst, baseName(src))
	if err != nil {
		return err
	}
	if !fi.IsDir {
		return c.withinFile(src, dst)
	}
	if !recursive {
		return fmt.Errorf("%s is a directory, to copy it please use \"cp -R <src> <dst>\"", src)
	}
	if rel := relBelow(src, dst); rel != dst || path.Clean(src) == path.Clean(dst) {
		return fmt.Errorf("cp: cannot copy %s into itself (%s)", src, dst)
	}
	sort.Slice(below, func(i, j int) bool { return below[i].Path < below[j].Path })
	mkdir := client.CreateDirectoryOptions{Recursive: true, AllowExists: true}
	if _, err := c.env.fs.CreateDirectory(c.ctx, dst, mkdir); err != nil {
		return err
	}
	for _, f := range below {
		target := alluxioChild(dst, relBelow(src, f.Path))
		if f.IsDir {
			_, err = c.env.fs.CreateDirectory(c.ctx, target, mkdir)
		} else {
			err = c.withinFile(f.Path, target)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *copier) withinFile(src, dst string) error {
	r, err := openData(c.ctx, c.env, src)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := c.write(dst, r); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Copied %s to %s\n", src, dst)
	return nil
}

// copyFlags adds copyFromLocal's --writeType and --buffersize.
func copyFlags(c *cobra.Command, writeType, bufSize *string) {
	c.Flags().StringVar(writeType, "writeType", "", "MUST_CACHE, CACHE_THROUGH, THROUGH or ASYNC_THROUGH (default: alluxio.user.file.writetype.default)")
	c.Flags().StringVar(bufSize, "buffersize", "", "bytes read and written at a time (default: alluxio.user.file.buffer.bytes)")
}

// newCopierFor builds a copier from the flags, the buffer size defaulting
// to alluxio.user.file.buffer.bytes.
func newCopierFor(ctx context.Context, cmd *cobra.Command, env *fsEnv, writeType, bufSize string) (*copier, error) {
	var n int64
	if bufSize == "" {
		// The key's own checks name it (1B to 1GB).
		var err error
		if n, err = env.props.GetBytes(conf.UserFileBufferBytes); err != nil {
			return nil, err
		}
	} else if v, err := conf.ParseBytes(bufSize); err != nil || v <= 0 || v > conf.MaxBufferBytes {
		return nil, fmt.Errorf("invalid --buffersize %q: give a size from 1B to 1GB", bufSize)
	} else {
		n = v
	}
	return newCopier(ctx, env, cmd.OutOrStdout(), n, strings.ToUpper(writeType)), nil
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
				cp, err := newCopierFor(ctx, cmd, env, writeType, bufSize)
				if err != nil {
					return err
				}
				return cp.fromLocal(srcs, env.paths[0])
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
				cp, err := newCopierFor(ctx, cmd, env, "", bufSize)
				if err != nil {
					return err
				}
				return cp.toLocal(env.paths[0], args[1])
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
				cp, err := newCopierFor(ctx, cmd, env, writeType, bufSize)
				if err != nil {
					return err
				}
				switch {
				case isLocalArg(src):
					if st, err := os.Stat(strings.TrimPrefix(src, "file://")); err == nil && st.IsDir() && !recursive {
						return fmt.Errorf("%s is a directory, to copy it please use \"cp -R <src> <dst>\"", src)
					}
					return cp.fromLocal([]string{src}, env.paths[0])
				case isLocalArg(dst):
					if fi, err := env.fs.GetStatus(ctx, env.paths[0], client.StatusOptions{}); err == nil && fi.IsDir && !recursive {
						return fmt.Errorf("%s is a directory, to copy it please use \"cp -R <src> <dst>\"", env.paths[0])
					}
					return cp.toLocal(env.paths[0], dst)
				}
				return cp.within(env.paths[0], env.paths[1], recursive)
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
			out := cmd.OutOrStdout()
			for _, f := range files(fi, below) {
				if !local && f.InAlluxioPercent == 100 {
					fmt.Fprintln(out, f.Path, "already in Alluxio fully")
					continue
				}
				if err := env.fs.Load(ctx, f.Path, client.LoadOptions{Local: local}); err != nil {
					return err
				}
				fmt.Fprintln(out, f.Path, "loaded")
			}
			return nil
		})
	c.Flags().BoolVar(&local, "local", false, "load into the worker on this host")
	return c
}

// cachedBlocks counts the blocks of f that some worker holds.
func cachedBlocks(f *client.FileInfo) int {
	n := 0
	for _, b := range f.Blocks {
		if len(b.Locations) > 0 {
			n++
		}
	}
	return n
}

// poll calls done until it says yes, fails, or timeout passes.
func poll(ctx context.Context, timeout time.Duration, done func() (bool, error)) (bool, error) {
	deadline := time.Now().Add(timeout)
	for wait := 100 * time.Millisecond; ; wait = min(wait*2, time.Second) {
		ok, err := done()
		if ok || err != nil || time.Now().After(deadline) {
			return ok, err
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(wait):
		}
	}
}

func freeCmd() *cobra.Command {
	var force bool
	c := pathCommand("free [-f] PATH", "drop a file's or directory's data from Alluxio, keeping it in the under storage", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			p := env.paths[0]
			o := client.FreeOptions{Recursive: true, Forced: force}
			if err := env.fs.Free(ctx, p, o); err != nil {
				return err
			}
			// Workers drop blocks at their next heartbeat. Free again
			// while waiting, as Alluxio does, in case a reader brought
			// some back.
			freed, err := poll(ctx, 30*time.Second, func() (bool, error) {
				fi, below, err := tree(ctx, env, p)
				if err != nil {
					return false, err
				}
				for _, f := range files(fi, below) {
					if cachedBlocks(f) > 0 {
						return false, env.fs.Free(ctx, p, o)
					}
				}
				return true, nil
			})
			if err != nil {
				return err
			}
			if !freed {
				return fmt.Errorf("timed out waiting for %s to be freed. Another user may be loading it.", p)
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
			var pending []*client.FileInfo
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
					pending = append(pending, f)
				}
				return nil
			})
			done, err := poll(ctx, limit, func() (bool, error) {
				left := pending[:0]
				for _, f := range pending {
					now, err := env.fs.GetStatus(ctx, f.Path, client.StatusOptions{})
					if err != nil {
						return false, err
					}
					if now.Persisted {
						fmt.Fprintf(out, "persisted file %s with size %d\n", f.Path, now.Length)
					} else {
						left = append(left, f)
					}
				}
				pending = left
				return len(pending) == 0, nil
			})
			if err == nil && !done {
				err = fmt.Errorf("timed out after %s waiting for %s to be persisted", limit, pending[0].Path)
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
