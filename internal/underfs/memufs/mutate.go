package memufs

import (
	"context"
	"os"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// Delete implements underfs.UnderFileSystem.
func (fs *FS) Delete(ctx context.Context, p string, recursive bool) error {
	const op = "delete"
	rel, comps, err := fs.begin(ctx, op, p)
	if err != nil {
		return err
	}
	if rel == "" {
		return fs.fail(errs.ErrInvalidArg, op, rel, "the root of a mount cannot be deleted")
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, err := fs.lookup(op, rel, comps)
	if err != nil {
		return err
	}
	if n.dir && len(n.kids) > 0 && !recursive {
		return fs.fail(errs.ErrNotEmpty, op, rel, "")
	}
	dir, _ := fs.parent(op, rel, comps)
	delete(dir.kids, comps[len(comps)-1])
	return nil
}

// Rename implements underfs.UnderFileSystem. It is atomic, and so is its
// check that dst does not exist.
func (fs *FS) Rename(ctx context.Context, src, dst string) error {
	const op = "rename"
	srcRel, srcComps, err := fs.begin(ctx, op, src)
	if err != nil {
		return err
	}
	dstRel, dstComps, err := fs.begin(ctx, op, dst)
	if err != nil {
		return err
	}
	if srcRel == "" || dstRel == "" {
		return fs.fail(errs.ErrInvalidArg, op, srcRel, "the root of a mount cannot be renamed or replaced")
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, err := fs.lookup(op, srcRel, srcComps)
	switch {
	case err != nil:
		return err
	case srcRel == dstRel:
		return fs.fail(errs.ErrAlreadyExists, op, srcRel, "destination is the source")
	case fspath.IsAncestor("/"+srcRel, "/"+dstRel):
		return fs.fail(errs.ErrInvalidArg, op, srcRel, "destination "+dstRel+" is inside it")
	}
	to, err := fs.parent(op, dstRel, dstComps)
	if err != nil {
		return err
	}
	name := dstComps[len(dstComps)-1]
	if to.kids[name] != nil {
		return fs.fail(errs.ErrAlreadyExists, op, srcRel, "destination "+dstRel+" exists")
	}
	from, _ := fs.parent(op, srcRel, srcComps)
	delete(from.kids, srcComps[len(srcComps)-1])
	to.kids[name] = n
	return nil
}

// SetMode implements underfs.UnderFileSystem.
func (fs *FS) SetMode(ctx context.Context, p string, perm os.FileMode) error {
	const op = "set mode of"
	rel, comps, err := fs.begin(ctx, op, p)
	if err != nil {
		return err
	}
	if perm&^os.ModePerm != 0 {
		return fs.fail(errs.ErrInvalidArg, op, rel, "mode "+perm.String()+" has bits other than permissions")
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, err := fs.lookup(op, rel, comps)
	if err != nil {
		return err
	}
	n.mode = perm
	return nil
}

// SetOwner implements underfs.UnderFileSystem. Every name is accepted.
func (fs *FS) SetOwner(ctx context.Context, p, owner, group string) error {
	const op = "set owner of"
	rel, comps, err := fs.begin(ctx, op, p)
	if err != nil {
		return err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, err := fs.lookup(op, rel, comps)
	if err != nil {
		return err
	}
	if owner != "" {
		n.owner = owner
	}
	if group != "" {
		n.group = group
	}
	return nil
}
