package local

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Mkdirs implements underfs.UnderFileSystem. New directories get perm
// exactly, whatever the umask, and are made durable before it returns.
func (fs *FS) Mkdirs(ctx context.Context, p string, perm os.FileMode) error {
	const op = "make directory"
	rel, _, err := fs.resolve(ctx, op, p)
	if err != nil {
		return err
	}
	if perm, err = fs.checkPerm(op, rel, perm, underfs.DefaultDirPerm); err != nil {
		return err
	}
	return fs.mkdirs(op, rel, perm)
}

// mkdirs creates rel and its missing parents. It walks down from the root
// so that it knows which directories it created: only those get perm, and
// only their parents need syncing.
func (fs *FS) mkdirs(op, rel string, perm os.FileMode) error {
	if rel == "" {
		return nil // the root is not ours to create
	}
	if info, err := os.Stat(fs.abs(rel)); err == nil && info.IsDir() {
		return nil
	}
	var created []string
	names := strings.Split(rel, "/")
	for i := range names {
		dir := strings.Join(names[:i+1], "/")
		// Owner rwx while building, or a perm like 0o555 would stop us
		// from creating the next level; the final perm is set below.
		err := os.Mkdir(fs.abs(dir), perm|0o700)
		if err == nil {
			created = append(created, dir)
			continue
		}
		if !errors.Is(err, syscall.EEXIST) {
			if errors.Is(err, syscall.ENOTDIR) {
				return fs.fail(errs.ErrNotDirectory, op, rel, "an ancestor is a file")
			}
			return fs.osErr(op, rel, err)
		}
		info, err := os.Stat(fs.abs(dir))
		switch {
		case err != nil:
			return fs.osErr(op, rel, err)
		case info.IsDir():
			continue // exists already, perhaps made by a concurrent call
		case i == len(names)-1:
			return fs.fail(errs.ErrAlreadyExists, op, rel, "a file is there")
		default:
			return fs.fail(errs.ErrNotDirectory, op, rel, "ancestor "+dir+" is a file")
		}
	}
	if len(created) == 0 {
		return nil
	}
	// Each new directory is an entry in its parent: sync the deepest old
	// directory and every new one but the last, which is still empty. This
	// comes before the chmods, which may take away our right to open them.
	toSync := append([]string{parentOf(created[0])}, created[:len(created)-1]...)
	for _, dir := range toSync {
		if err := syncDir(fs.abs(dir)); err != nil {
			return fs.osErr(op, rel, err)
		}
	}
	// Deepest first: a parent without owner x would hide its children.
	for i := len(created) - 1; i >= 0; i-- {
		if err := os.Chmod(fs.abs(created[i]), perm); err != nil {
			return fs.osErr(op, created[i], err)
		}
	}
	return nil
}

// Delete implements underfs.UnderFileSystem. A symbolic link is removed
// itself, never what it points to.
func (fs *FS) Delete(ctx context.Context, p string, recursive bool) error {
	const op = "delete"
	rel, abs, err := fs.resolve(ctx, op, p)
	if err != nil {
		return err
	}
	if rel == "" {
		return fs.fail(errs.ErrInvalidArg, op, rel, "the root of a mount cannot be deleted")
	}
	info, err := os.Lstat(abs)
	if err != nil {
		return fs.lookupErr(op, rel, err)
	}
	switch {
	case info.IsDir() && recursive:
		err = os.RemoveAll(abs)
	case info.IsDir():
		err = syscall.Rmdir(abs)
		if errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST) {
			err = fs.rmdirHidingTemps(abs)
		}
	default:
		err = syscall.Unlink(abs)
	}
	if errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST) {
		return fs.fail(errs.ErrNotEmpty, op, rel, "")
	}
	if err != nil {
		return fs.lookupErr(op, rel, err)
	}
	if err := syncDir(filepath.Dir(abs)); err != nil {
		return fs.osErr(op, rel, err)
	}
	return nil
}

// rmdirHidingTemps removes dir when all it holds are temporary files:
// List shows it empty, so Delete must treat it as empty, and this is how
// the leftovers of a crashed writer go away. A writer still working there
// will fail on Close, as it would if its directory were deleted a moment
// before it started.
func (fs *FS) rmdirHidingTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), TempPrefix) {
			return syscall.ENOTEMPTY
		}
	}
	for _, e := range entries {
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return syscall.Rmdir(dir)
}

// Rename implements underfs.UnderFileSystem. The move is one rename(2);
// see the package documentation for how "dst must not exist" is checked.
func (fs *FS) Rename(ctx context.Context, src, dst string) error {
	const op = "rename"
	srcRel, srcAbs, err := fs.resolve(ctx, op, src)
	if err != nil {
		return err
	}
	dstRel, dstAbs, err := fs.resolve(ctx, op, dst)
	if err != nil {
		return err
	}
	if srcRel == "" || dstRel == "" {
		return fs.fail(errs.ErrInvalidArg, op, srcRel, "the root of a mount cannot be renamed or replaced")
	}
	if _, err := os.Lstat(srcAbs); err != nil {
		return fs.lookupErr(op, srcRel, err)
	}
	if srcRel == dstRel {
		return fs.fail(errs.ErrAlreadyExists, op, srcRel, "destination is the source")
	}
	if fspath.IsAncestor("/"+srcRel, "/"+dstRel) {
		return fs.fail(errs.ErrInvalidArg, op, srcRel, "destination "+dstRel+" is inside it")
	}
	dstParent := parentOf(dstRel)
	switch info, err := os.Stat(fs.abs(dstParent)); {
	case errors.Is(err, syscall.ENOENT):
		return fs.fail(errs.ErrNotFound, op, srcRel, "parent of destination "+dstRel+" does not exist")
	case errors.Is(err, syscall.ENOTDIR) || err == nil && !info.IsDir():
		return fs.fail(errs.ErrNotDirectory, op, srcRel, "parent of destination "+dstRel+" is a file")
	case err != nil:
		return fs.osErr(op, dstParent, err)
	}
	if err := renameNoReplace(srcAbs, dstAbs); err != nil {
		if errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY) {
			return fs.fail(errs.ErrAlreadyExists, op, srcRel, "destination "+dstRel+" exists")
		}
		return fs.osErr(op, srcRel, err)
	}
	for _, dir := range []string{filepath.Dir(srcAbs), filepath.Dir(dstAbs)} {
		if err := syncDir(dir); err != nil {
			return fs.osErr(op, srcRel, err)
		}
	}
	return nil
}

// SetMode implements underfs.UnderFileSystem.
func (fs *FS) SetMode(ctx context.Context, p string, perm os.FileMode) error {
	const op = "set mode of"
	rel, abs, err := fs.resolve(ctx, op, p)
	if err != nil {
		return err
	}
	if perm&^os.ModePerm != 0 {
		return fs.fail(errs.ErrInvalidArg, op, rel, "mode "+perm.String()+" has bits other than permissions")
	}
	if err := os.Chmod(abs, perm); err != nil {
		return fs.lookupErr(op, rel, err)
	}
	return nil
}

// SetOwner implements underfs.UnderFileSystem. Names are looked up in
// this machine's user and group databases; a decimal id is taken as it
// is. An unknown name, or a chown this process may not do (it is not
// root), is logged and skipped.
func (fs *FS) SetOwner(ctx context.Context, p, owner, group string) error {
	const op = "set owner of"
	rel, abs, err := fs.resolve(ctx, op, p)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fs.lookupErr(op, rel, err)
	}
	uid, gid := -1, -1
	if owner != "" {
		if uid = lookupUID(owner); uid < 0 {
			fs.log.Warn("ufs set owner skipped: unknown user", "path", rel, "owner", owner)
		}
	}
	if group != "" {
		if gid = lookupGID(group); gid < 0 {
			fs.log.Warn("ufs set owner skipped: unknown group", "path", rel, "group", group)
		}
	}
	if uid < 0 && gid < 0 {
		return nil
	}
	err = os.Chown(abs, uid, gid)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) || errors.Is(err, errors.ErrUnsupported):
		fs.log.Warn("ufs set owner skipped: not allowed; run as root to change owners of local files",
			"path", rel, "owner", owner, "group", group, "error", err)
		return nil
	}
	return fs.lookupErr(op, rel, err)
}
