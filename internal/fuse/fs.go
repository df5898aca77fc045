package fuse

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"github.com/hanwen/go-fuse/v2/splice"

	"github.com/alluxio-go/alluxio/client"
)

// FS is one mount of the Alluxio namespace. Its methods are called by
// go-fuse from many goroutines at once.
type FS struct {
	c       *client.FileSystem
	cfg     Config
	log     *slog.Logger
	cache   *metaCache
	writers *writers
	owners  *owners
	statfs  statfsCache
	// spliceMax is the largest read spliced from a block file (0: none;
	// see spliceMaxRead).
	spliceMax int
	// replaced is the file each path was last replaced with in place by
	// this mount (see node.Open); forgotten whole when it grows past
	// maxReplaced, which costs an open of such a file an ESTALE and the
	// kernel a second lookup.
	replacedMu sync.Mutex
	replaced   map[string]int64
	// openHandles counts open files and directories: a mount unmounted
	// lazily is served until it is 0.
	openHandles atomic.Int64
	// bg outlives every request: handles' readers and writers run in it,
	// since a request's context ends with the request.
	bg     context.Context
	stopBg context.CancelFunc
}

// New returns a file system over c; Mount serves it.
func New(c *client.FileSystem, cfg Config) (*FS, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Root = path.Clean(cfg.Root)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	bg, stop := context.WithCancel(context.Background())
	return &FS{c: c, cfg: cfg, log: cfg.Logger.With("component", "fuse"), cache: newMetaCache(cfg.MetadataCache),
		writers: newWriters(), owners: newOwners(cfg.UserGroupTranslation), spliceMax: spliceMaxRead(),
		bg: bg, stopBg: stop}, nil
}

const maxReplaced = 10000

func (f *FS) noteReplaced(p string, id int64) {
	f.replacedMu.Lock()
	defer f.replacedMu.Unlock()
	if f.replaced == nil || len(f.replaced) >= maxReplaced {
		f.replaced = make(map[string]int64)
	}
	f.replaced[p] = id
}

// replacedHere reports whether this mount last replaced p with file id.
func (f *FS) replacedHere(p string, id int64) bool {
	f.replacedMu.Lock()
	defer f.replacedMu.Unlock()
	return f.replaced[p] == id
}

// maxRequest is the largest read or write request the kernel sends.
const maxRequest = 1 << 20

// spliceMaxRead is the largest read go-fuse can splice, or 0 when it
// cannot splice. Its pipe must hold the reply's header and data and a
// page more, and may grow no larger than pipe-max-size (1 MiB by
// default): a 1 MiB read never fits, a read two pages shorter does.
// Sequential reads measured faster spliced, in 1016 KiB requests, than
// read into the request's buffer in 1 MiB ones (docs/fuse.md).
func spliceMaxRead() int {
	if !splice.Resizable() {
		return 0
	}
	page := os.Getpagesize()
	n := min(splice.MaxPipeSize()-2*page, maxRequest)
	n -= n % page
	if n < 128<<10 {
		// Small pipes: more, smaller requests would cost more than the
		// copy saved.
		return 0
	}
	return n
}

// Root is the node of the mount point, for fs.Mount or tests that serve
// the file system themselves.
func (f *FS) Root() fs.InodeEmbedder { return &node{fsys: f} }

// Options are the go-fuse options of a mount with this configuration.
func (f *FS) Options() *fs.Options {
	c := f.cfg
	o := &fs.Options{
		EntryTimeout:    &c.EntryTimeout,
		AttrTimeout:     &c.AttrTimeout,
		NegativeTimeout: new(time.Duration),
		UID:             uint32(os.Getuid()),
		GID:             uint32(os.Getgid()),
		RootStableAttr:  &fs.StableAttr{Mode: syscall.S_IFDIR, Ino: rootIno},
	}
	fsname := c.FsName
	if fsname == "" {
		fsname = SourcePrefix + c.Root
	}
	o.MountOptions = fuse.MountOptions{
		FsName:       fsname,
		Name:         "alluxio",
		AllowOther:   c.AllowOther,
		MaxWrite:     maxRequest,                 // also max_read (but see below) and max_pages
		MaxReadAhead: min(c.MaxReadAhead, 1<<20), // FUSE_INIT's; setReadahead raises the window
		// Reads of 1 MiB need enough requests in flight to keep the
		// short-circuit path busy; writes are sequential per file.
		MaxBackground: 64,
		// Extended attributes are not kept: ENOSYS stops the kernel from
		// asking for them on every ls -l.
		DisableXAttrs: true,
		DisableSplice: f.spliceMax == 0,
		DirectMount:   os.Geteuid() == 0,
		// open(O_TRUNC) arrives as one OPEN with the flag, not as a
		// truncate followed by an open: one replacement of the file.
		ExtraCapabilities: fuse.CAP_ATOMIC_O_TRUNC,
		// A complete file never changes and an inode is only ever one
		// file (node.Open), so its cached pages need no invalidating
		// when its attributes are fetched again; with auto_inval_data
		// the kernel fetches them before every read(2) once
		// attr_timeout has passed, which with attr_timeout=0 cost
		// sequential reads a third of their speed (docs/fuse.md).
		DisabledCapabilities: fuse.CAP_AUTO_INVAL_DATA,
		Debug:                c.Debug,
	}
	if f.spliceMax > 0 && f.spliceMax < maxRequest && o.MountOptions.DirectMount {
		// Reads no larger than go-fuse can splice. go-fuse's own
		// max_read (MaxWrite) comes first when it mounts directly, so
		// this one wins; through fusermount its own wins, and reads of
		// 1 MiB take the copy.
		o.MountOptions.Options = append(o.MountOptions.Options, fmt.Sprintf("max_read=%d", f.spliceMax))
	}
	if c.DefaultPermissions {
		o.MountOptions.Options = append(o.MountOptions.Options, "default_permissions")
	}
	if c.ReadOnly {
		o.MountOptions.Options = append(o.MountOptions.Options, "ro")
	}
	if c.Debug {
		o.MountOptions.Logger = log.New(os.Stderr, "fuse: ", 0)
	}
	return o
}

// Mount mounts the file system at dir and serves it in the background;
// the server's Wait returns once it is unmounted.
func (f *FS) Mount(dir string) (*fuse.Server, error) {
	srv, err := fs.Mount(dir, f.Root(), f.Options())
	if err != nil {
		return nil, fmt.Errorf("mount %s: %w", dir, err)
	}
	if err := setReadahead(dir, f.cfg.MaxReadAhead); err != nil {
		f.log.Warn("could not set the mount's readahead", "mount_point", dir, "err", err)
	}
	return srv, nil
}

// Close ends the readers still open and abandons writers that were never
// released (a forced unmount); call it after the server has stopped.
func (f *FS) Close() {
	f.writers.abandonAll()
	f.stopBg()
}

// rootIno is the inode number of the mount point; files get their Alluxio
// id plus inoOffset, so no file shares it.
const (
	rootIno   = 1
	inoOffset = 2
)

func inoOf(id int64) uint64 { return uint64(id) + inoOffset }

// alluxioPath is the Alluxio path of rel, a path below the mount point
// ("" for the mount point itself).
func (f *FS) alluxioPath(rel string) string {
	if rel == "" {
		return f.cfg.Root
	}
	if f.cfg.Root == "/" {
		return "/" + rel
	}
	return f.cfg.Root + "/" + rel
}

// callCtx is the context of the master calls a request makes. It is where
// the Alluxio user a request acts as is chosen: a caller whose uid is the
// mounting process's acts as the mount's user (the client's login user);
// any other caller (a mount with allow_other) acts as the local user of
// its uid, which the client asks the masters to impersonate
// (alluxio.master.security.impersonation.<mount user>.*): refused unless
// configured, so a shared mount gives nobody the mount user's rights.
//
// A kernel interrupt does not cancel the calls: Go programs get a signal
// (SIGURG, for preemption) in the middle of system calls all the time, and
// a mkdir answered EINTR after the master made the directory would be
// retried into EEXIST. The client's retry budget bounds every call; a
// process killed meanwhile does not wait for the answer.
func (f *FS) callCtx(ctx context.Context) context.Context {
	out := context.WithoutCancel(ctx)
	if c, ok := fuse.FromContext(ctx); ok && c.Uid != f.owners.uid {
		out = client.WithUser(out, f.owners.userName(c.Uid))
	}
	return out
}

// slow logs an operation that took longer than the threshold.
func (f *FS) slow(op, p string, start time.Time, err error) {
	if d := time.Since(start); d >= f.cfg.SlowThreshold {
		f.log.Warn("slow fuse operation", "op", op, "path", p, "took", d.Round(time.Millisecond), "err", err)
	}
}

// stat returns path's attributes: the cached ones while fresh, else the
// master's (which are then cached).
func (f *FS) stat(ctx context.Context, p string) (*client.FileInfo, error) {
	if info := f.cache.get(p); info != nil {
		return info, nil
	}
	info, err := f.c.GetStatus(f.callCtx(ctx), p, client.StatusOptions{})
	if err != nil {
		return nil, err
	}
	f.cache.put(p, info)
	return info, nil
}

// changed drops what a change to p makes stale: p and its parent's
// attributes (its modification time).
func (f *FS) changed(p string) {
	f.cache.drop(p)
	f.cache.drop(path.Dir(p))
}

// fillAttr sets a's fields from info.
func (f *FS) fillAttr(info *client.FileInfo, a *fuse.Attr) {
	a.Ino = inoOf(info.ID)
	a.Size = uint64(info.Length)
	a.Blocks = (a.Size + 511) / 512
	// st_blksize sizes cp's and stdio's buffers: 1 MiB reads and writes
	// match the largest FUSE request.
	a.Blksize = 1 << 20
	// The access time is not kept: it shows the modification time.
	mt, ct := info.Modified, info.Changed
	if ct.Before(mt) {
		ct = mt
	}
	a.SetTimes(&mt, &mt, &ct)
	a.Mode = modeBits(info)
	a.Nlink = 1
	if info.IsDir {
		a.Nlink = 2
	}
	a.Uid, a.Gid = f.owners.ids(info.Owner, info.Group)
}

// modeBits is the st_mode of info: type and permission bits (with setuid,
// setgid and sticky, which the master keeps in the low 12 bits).
func modeBits(info *client.FileInfo) uint32 {
	m := uint32(info.Mode) & 0o7777
	if info.IsDir {
		return m | syscall.S_IFDIR
	}
	return m | syscall.S_IFREG
}

func isDirMode(mode uint32) bool { return mode&syscall.S_IFMT == syscall.S_IFDIR }

// nodePath is the Alluxio path of a node of this mount. A node that no
// name leads to any more (unlinked, or replaced by a rename, while the
// kernel still held it) has none: go-fuse would give it the mount's root,
// and a chmod or stat meant for it would reach the root. ESTALE makes
// Linux walk the path again (path-based calls retry once with the
// dentries revalidated), so an open or stat that raced with a rename
// finds the file that now has the name.
func (f *FS) nodePath(n *fs.Inode) (string, syscall.Errno) {
	for p := n; !p.IsRoot(); {
		_, parent := p.Parent()
		if parent == nil {
			return "", syscall.ESTALE
		}
		p = parent
	}
	return f.alluxioPath(strings.TrimPrefix(n.Path(nil), "/")), 0
}

// childPath is the Alluxio path of name in the directory n.
func (f *FS) childPath(n *fs.Inode, name string) (string, syscall.Errno) {
	p, e := f.nodePath(n)
	return path.Join(p, name), e
}
