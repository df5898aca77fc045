package fuse

import (
	"fmt"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"time"
)

// Config is how a mount behaves. DefaultConfig gives Alluxio's defaults;
// ParseOptions fills it from `-o` mount options.
type Config struct {
	// Root is the Alluxio path the mount point shows (default "/").
	Root string
	// AttrTimeout and EntryTimeout are how long the kernel may keep a
	// file's attributes and a name's lookup without asking again
	// (attr_timeout, entry_timeout, in seconds on the command line).
	AttrTimeout, EntryTimeout time.Duration
	// MaxReadAhead is the kernel's readahead per file (max_readahead):
	// how far ahead of a sequential reader it asks for data.
	MaxReadAhead int
	// DirectIO bypasses the kernel's page cache for file data
	// (direct_io); KernelCache keeps it across opens (kernel_cache),
	// which is safe because a complete file never changes.
	DirectIO, KernelCache bool
	// AllowOther lets users other than the mounting one use the mount
	// (allow_other); DefaultPermissions has the kernel check the mode
	// bits shown (default_permissions); ReadOnly mounts it read-only (ro).
	AllowOther, DefaultPermissions, ReadOnly bool
	// MetadataCache is alluxio.user.metadata.cache.*.
	MetadataCache MetadataCacheConfig
	// UserGroupTranslation shows owners and groups as the local uid and
	// gid of the same name (alluxio.fuse.user.group.translation.enabled);
	// otherwise every file shows the mounting process's.
	UserGroupTranslation bool
	// SlowThreshold: operations slower than this are logged
	// (alluxio.fuse.logging.threshold).
	SlowThreshold time.Duration
	// WriterWait bounds how long an operation that needs a complete file
	// (open for reading, rename) waits for this mount's writer of it to
	// finish (default: two minutes, the client's retry budget).
	WriterWait time.Duration
	// FsName is the source column of /proc/mounts (default
	// "alluxio:<Root>", which `alluxio fuse stat` reads).
	FsName string
	// Debug logs every FUSE request.
	Debug  bool
	Logger *slog.Logger
}

// MetadataCacheConfig is the user-space cache of file attributes.
type MetadataCacheConfig struct {
	Enabled    bool
	MaxSize    int
	Expiration time.Duration
}

// DefaultConfig is Alluxio's behaviour: the kernel caches attributes and
// entries for a second (libfuse's default), no user-space metadata cache.
func DefaultConfig() Config {
	return Config{
		Root:          "/",
		AttrTimeout:   time.Second,
		EntryTimeout:  time.Second,
		MaxReadAhead:  8 << 20,
		MetadataCache: MetadataCacheConfig{MaxSize: 100000, Expiration: 10 * time.Minute},
		SlowThreshold: 10 * time.Second,
		WriterWait:    2 * time.Minute,
	}
}

// Validate checks the values, naming the option or key that is wrong.
func (c Config) Validate() error {
	switch {
	case !path.IsAbs(c.Root):
		return fmt.Errorf("alluxio path %q must be absolute", c.Root)
	case c.AttrTimeout < 0:
		return fmt.Errorf("attr_timeout (%s) must not be negative", c.AttrTimeout)
	case c.EntryTimeout < 0:
		return fmt.Errorf("entry_timeout (%s) must not be negative", c.EntryTimeout)
	case c.MaxReadAhead < 0:
		return fmt.Errorf("max_readahead (%d) must not be negative", c.MaxReadAhead)
	case c.MetadataCache.Enabled && c.MetadataCache.MaxSize <= 0:
		return fmt.Errorf("alluxio.user.metadata.cache.max.size (%d) must be positive", c.MetadataCache.MaxSize)
	case c.MetadataCache.Enabled && c.MetadataCache.Expiration <= 0:
		return fmt.Errorf("alluxio.user.metadata.cache.expiration.time (%s) must be positive", c.MetadataCache.Expiration)
	case c.WriterWait <= 0:
		return fmt.Errorf("writer wait (%s) must be positive", c.WriterWait)
	}
	return nil
}

// ParseOptions applies `-o` mount options (each may hold several, comma
// separated) to c. Alluxio's FUSE options are understood; other options
// are refused by name, so a typo never passes silently.
func (c *Config) ParseOptions(opts []string) error {
	for _, o := range opts {
		for _, kv := range strings.Split(o, ",") {
			if kv = strings.TrimSpace(kv); kv == "" {
				continue
			}
			if err := c.parseOption(kv); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Config) parseOption(kv string) error {
	k, v, hasValue := strings.Cut(kv, "=")
	seconds := func() (time.Duration, error) {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || !hasValue {
			return 0, fmt.Errorf("mount option %s: %q is not a number of seconds", k, v)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	flag := func(dst *bool) error {
		if hasValue {
			return fmt.Errorf("mount option %s takes no value", k)
		}
		*dst = true
		return nil
	}
	var err error
	switch k {
	case "attr_timeout":
		c.AttrTimeout, err = seconds()
	case "entry_timeout":
		c.EntryTimeout, err = seconds()
	case "max_readahead":
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 {
			return fmt.Errorf("mount option max_readahead: %q is not a number of bytes", v)
		}
		c.MaxReadAhead = n
	case "direct_io":
		err = flag(&c.DirectIO)
	case "kernel_cache":
		err = flag(&c.KernelCache)
	case "allow_other":
		err = flag(&c.AllowOther)
	case "default_permissions":
		err = flag(&c.DefaultPermissions)
	case "ro":
		err = flag(&c.ReadOnly)
	case "rw":
		c.ReadOnly = false
	case "debug":
		err = flag(&c.Debug)
	case "fsname":
		if v == "" {
			return fmt.Errorf("mount option fsname needs a value")
		}
		c.FsName = v
	default:
		return fmt.Errorf("unknown mount option %q (known: attr_timeout=, entry_timeout=, max_readahead=, "+
			"direct_io, kernel_cache, allow_other, default_permissions, ro, rw, debug, fsname=)", kv)
	}
	return err
}
