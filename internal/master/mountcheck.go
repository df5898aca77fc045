package master

import (
	"fmt"
	"path/filepath"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// checkMountTarget refuses to mount uri at path when the under storage
// overlaps that of a mount (the same place spelled otherwise, a place
// inside it, or one that holds it: Alluxio would show the same objects at
// two paths, and a delete through one would pull them from under the
// other), or holds, or lies inside, a directory the cluster itself keeps:
// this master's journal and metastore and the workers' storage
// directories, which `rm -R` through the mount would destroy. Local paths
// are compared as this master sees them; workers' directories are taken as
// local paths wherever the worker runs, which errs on the safe side for a
// shared (NFS) directory.
func (fs *fileSystem) checkMountTarget(path, uri string) error {
	c, err := underfs.CanonicalURI(uri)
	if err != nil {
		return err
	}
	refuse := func(format string, args ...any) error {
		return errs.New(errs.ErrInvalidArg, "cannot mount %s at %s: "+format, append([]any{uri, path}, args...)...)
	}
	for _, m := range fs.st.MountTable() {
		mc, err := underfs.CanonicalURI(m.UfsURI)
		if err != nil || !c.Overlaps(mc) {
			continue
		}
		switch {
		case c == mc:
			return refuse("it is %s, mounted at %s already", m.UfsURI, m.AlluxioPath)
		case c.Contains(mc):
			return refuse("it is a prefix of %s, mounted at %s", m.UfsURI, m.AlluxioPath)
		default:
			return refuse("it is inside %s, mounted at %s", m.UfsURI, m.AlluxioPath)
		}
	}
	if why := reachesKept(c, fs.keptDirs()); why != "" {
		return refuse("%s", why)
	}
	return nil
}

// checkRootUFS refuses a configuration whose root under storage
// (alluxio.master.mount.table.root.ufs) holds, or lies inside, a directory
// of the master's own or one of the configured worker storage
// directories: `rm -R /` would destroy it, and a metadata load would show
// the journal as files. The master does not start with it.
func checkRootUFS(cfg *Config) error {
	c, err := underfs.CanonicalURI(cfg.RootUFS)
	if err != nil {
		if abs, aerr := filepath.Abs(cfg.RootUFS); aerr == nil && underfs.Scheme(cfg.RootUFS) == "" {
			c, err = underfs.CanonicalURI(abs)
		}
		if err != nil {
			return fmt.Errorf("alluxio.master.mount.table.root.ufs (%s): %v", cfg.RootUFS, err)
		}
	}
	var kept []keptDir
	for _, d := range cfg.ProtectedDirs {
		kept = append(kept, keptDir{d.Path, d.What})
	}
	if why := reachesKept(c, kept); why != "" {
		return fmt.Errorf("alluxio.master.mount.table.root.ufs (%s) cannot be the root under storage: %s; "+
			"choose a directory apart from them", cfg.RootUFS, why)
	}
	return nil
}

// reachesKept says how c reaches one of dirs ("" when it reaches none).
// Relative local directories are taken from the working directory.
func reachesKept(c underfs.Canonical, dirs []keptDir) string {
	for _, d := range dirs {
		p := d.path
		if p == "" {
			continue
		}
		if underfs.Scheme(p) == "" && !filepath.IsAbs(p) {
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
		}
		dc, err := underfs.CanonicalURI(p)
		if err != nil || !c.Overlaps(dc) {
			continue
		}
		if c.Contains(dc) {
			return fmt.Sprintf("it holds %s (%s)", d.what, d.path)
		}
		return fmt.Sprintf("it is inside %s (%s)", d.what, d.path)
	}
	return ""
}

type keptDir struct{ path, what string }

// keptDirs are the directories no mount may reach: this master's own and
// the storage directories live workers reported.
func (fs *fileSystem) keptDirs() []keptDir {
	var out []keptDir
	for _, d := range fs.cfg.ProtectedDirs {
		out = append(out, keptDir{d.Path, d.What})
	}
	if b := fs.blocks; b != nil {
		b.mu.Lock()
		for _, w := range b.workers {
			for _, t := range w.tiers {
				for _, d := range t.Dirs {
					out = append(out, keptDir{d, "a storage directory of worker " + w.addr.GetHost()})
				}
			}
		}
		b.mu.Unlock()
	}
	return out
}
