package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/fuse"
)

func fuseCmd() *cobra.Command {
	c := &cobra.Command{Use: "fuse", Short: "mount the Alluxio namespace as a local file system (FUSE)"}
	c.AddCommand(fuseMountCmd(), fuseUnmountCmd(), fuseStatCmd())
	return groupHelp(c)
}

func fuseMountCmd() *cobra.Command {
	var opts []string
	var foreground, nonEmpty bool
	c := &cobra.Command{
		Use:   "mount <mount point> [<alluxio path>]",
		Short: "mount an Alluxio path (default /) at a local directory; runs in the background unless -f",
		Long: `Mounts an Alluxio path at a local directory. The mount is served by a
process of its own, which this command starts in the background and leaves
once the mount is up; -f serves it in the foreground (containers, systemd).

-o takes FUSE options (attr_timeout=SECONDS, entry_timeout=SECONDS,
max_readahead=BYTES, direct_io, kernel_cache, allow_other,
default_permissions, ro, fsname=NAME) and Alluxio properties
(-o alluxio.user.metadata.cache.enabled=true), comma separated or repeated.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if os.Getenv(readyFDEnv) != "" {
				// The parent waits for a word from this process.
				defer func() { tellParent(err) }()
			}
			m, err := prepareMount(args, opts, nonEmpty)
			if err != nil {
				return err
			}
			if !foreground {
				return m.daemonize(cmd)
			}
			return m.serve()
		},
	}
	c.Flags().StringArrayVarP(&opts, "option", "o", nil, "mount options and Alluxio properties, comma separated")
	c.Flags().BoolVarP(&foreground, "foreground", "f", false, "serve the mount in this process until it is unmounted")
	c.Flags().BoolVar(&nonEmpty, "nonempty", false, "allow mounting over a directory that is not empty")
	return c
}

// mount is a checked `fuse mount` request.
type mount struct {
	point   string // absolute
	uri     client.URI
	alluxio string // the argument as given
	opts    []string
	props   *conf.Properties
	ccfg    client.Config
	fcfg    fuse.Config
}

// prepareMount parses and checks everything before any process starts,
// so mistakes show in the caller's terminal.
func prepareMount(args, opts []string, nonEmpty bool) (*mount, error) {
	mp, err := filepath.Abs(args[0])
	if err != nil {
		return nil, err
	}
	m := &mount{point: mp, alluxio: "/", opts: opts}
	if len(args) == 2 {
		m.alluxio = args[1]
	}
	if m.uri, err = client.ParseURI(m.alluxio); err != nil {
		return nil, err
	}
	var fuseOpts []string
	for _, o := range opts {
		for _, kv := range strings.Split(o, ",") {
			if strings.HasPrefix(strings.TrimSpace(kv), "alluxio.") {
				defines = append(defines, strings.TrimSpace(kv))
			} else {
				fuseOpts = append(fuseOpts, kv)
			}
		}
	}
	if m.props, err = loadConf(); err != nil {
		return nil, err
	}
	if err := m.props.Validate(); err != nil {
		return nil, err
	}
	if m.ccfg, err = clientConfig(m.props, m.uri); err != nil {
		return nil, err
	}
	if m.fcfg, err = fuseConfig(m.props, m.uri.Path, fuseOpts); err != nil {
		return nil, err
	}
	return m, checkMountPoint(mp, nonEmpty)
}

// fuseConfig is the mount's configuration from properties and -o options.
func fuseConfig(p *conf.Properties, root string, opts []string) (fuse.Config, error) {
	c := fuse.DefaultConfig()
	if root != "" {
		c.Root = root
	}
	var errs []error
	b := func(k string) bool {
		v, err := p.GetBool(k)
		errs = append(errs, err)
		return v
	}
	d := func(k string) time.Duration {
		v, err := p.GetDuration(k)
		errs = append(errs, err)
		return v
	}
	c.MetadataCache.Enabled = b(conf.UserMetadataCacheEnabled)
	n, err := p.GetInt(conf.UserMetadataCacheMaxSize)
	errs = append(errs, err)
	c.MetadataCache.MaxSize = n
	c.MetadataCache.Expiration = d(conf.UserMetadataCacheExpirationTime)
	c.UserGroupTranslation = b(conf.FuseUserGroupTranslationEnabled)
	c.SlowThreshold = d(conf.FuseLoggingThreshold)
	c.WriterWait = d(conf.UserRPCRetryMaxDuration)
	errs = append(errs, c.ParseOptions(opts))
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// checkMountPoint refuses a mount point that does not exist, is not a
// directory, is mounted already, or (without --nonempty) holds files. A
// mount point left by a killed mount process ("transport endpoint is not
// connected") is unmounted first.
func checkMountPoint(mp string, nonEmpty bool) error {
	if fuse.IsStale(mp) {
		if err := fuse.Unmount(mp, true); err != nil {
			return fmt.Errorf("mount point %s is left from a mount whose process is gone, and unmounting it failed: %w", mp, err)
		}
		fmt.Fprintf(os.Stderr, "Unmounted %s, left by a mount process that is gone.\n", mp)
	}
	st, err := os.Stat(mp)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("mount point %s does not exist; create the directory first", mp)
	case err != nil:
		return fmt.Errorf("mount point %s: %w", mp, err)
	case !st.IsDir():
		return fmt.Errorf("mount point %s is not a directory", mp)
	}
	if onMount, err := fuse.MountedAt(mp); err != nil {
		return err
	} else if onMount {
		return fmt.Errorf("mount point %s is busy: something is mounted there already (see alluxio fuse stat, or mount)", mp)
	}
	if !nonEmpty {
		d, err := os.Open(mp)
		if err != nil {
			return fmt.Errorf("mount point %s: %w", mp, err)
		}
		names, _ := d.Readdirnames(1)
		d.Close()
		if len(names) > 0 {
			return fmt.Errorf("mount point %s is not empty (--nonempty mounts over its files)", mp)
		}
	}
	return nil
}

func fuseUnmountCmd() *cobra.Command {
	var lazy bool
	var wait time.Duration
	c := &cobra.Command{
		Use:     "unmount <mount point>",
		Aliases: []string{"umount"},
		Short:   "unmount an Alluxio FUSE mount and wait for its process to finish",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			mp, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			if fuse.IsStale(mp) {
				// The process is gone; the kernel still holds the mount.
				if err := fuse.Unmount(mp, true); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Unmounted %s (its mount process was gone)\n", mp)
				return nil
			}
			mi, err := fuse.FindMount(mp)
			if err != nil {
				return err
			}
			if mi == nil {
				return fmt.Errorf("%s is not an Alluxio FUSE mount point (see alluxio fuse stat)", mp)
			}
			if err := fuse.Unmount(mp, lazy); err != nil {
				if errors.Is(err, syscall.EBUSY) {
					return fmt.Errorf("%s is busy: files or directories in it are open (close them, or use -l to "+
						"detach it now and let it end when they are closed)", mp)
				}
				return err
			}
			if !lazy && mi.Pid > 0 {
				// The process completes files still being released, then
				// exits.
				deadline := time.Now().Add(wait)
				for fuse.PidAlive(mi.Pid) && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				if fuse.PidAlive(mi.Pid) {
					return fmt.Errorf("unmounted %s, but its process %d is still running after %s", mp, mi.Pid, wait)
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Unmounted %s\n", mp)
			return nil
		},
	}
	c.Flags().BoolVarP(&lazy, "lazy", "l", false, "detach the mount even if files are open; it ends when they are closed")
	c.Flags().DurationVar(&wait, "wait", 2*time.Minute, "how long to wait for the mount process to finish")
	return c
}

func fuseStatCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "stat",
		Short: "list the Alluxio FUSE mounts of this machine",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ms, err := fuse.Mounts()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 8, 2, ' ', 0)
			fmt.Fprintln(tw, "pid\tmount_point\talluxio_path\tstate")
			for _, m := range ms {
				pid, state := "-", "mounted"
				if m.Pid > 0 {
					pid = fmt.Sprint(m.Pid)
				}
				if fuse.IsStale(m.MountPoint) {
					state = "stale (process gone; alluxio fuse unmount releases it)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", pid, m.MountPoint, m.AlluxioPath, state)
			}
			return tw.Flush()
		},
	}
}
