package master

import (
	"cmp"
	"context"
	"errors"
	"os"
	"path"
	"slices"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Each intent kind is carried out so that running it again after it was
// (partly) done is harmless: a new primary cannot tell whether its
// predecessor got to it. Intents on one path run in journal order, so
// what an intent finds at its paths is what the entries before it left,
// or what it did itself on an earlier attempt.

// published is what the store says of a copy it published, which readers
// check the copy by: its modification time (ms; 0 when the store does not
// say) and its fingerprint (its ETag on S3; "" when the store has none).
type published struct {
	modMs       int64
	fingerprint string
	// moved is, for a directory's rename, what its files' moved copies
	// are checked by now.
	moved []*journalpb.MovedCopy
}

// execute carries out one intent, after confirming this master still
// leads, and returns what the store observed of a copy it published.
func (r *intentRunner) execute(ctx context.Context, in *journalpb.UfsIntent) (published, error) {
	mp, ok := r.fs.st.MountByID(in.MountId)
	if !ok {
		return published{}, errs.New(errs.ErrNotFound, "mount %d of %s is gone", in.MountId, in.Path)
	}
	f, err := r.fs.ufs.get(mp)
	if err != nil {
		return published{}, err
	}
	c, err := f.change(ctx)
	if err != nil {
		return published{}, err
	}
	// Asked again now that primacy is confirmed: a master deposed while it
	// paused and elected again meanwhile is primary, and has applied what
	// its successor journaled, which may include this intent's outcome
	// (and a newer file at the path that the change would now destroy).
	if !r.fs.st.IntentPending(in.Id) {
		return published{}, errIntentResolved
	}
	switch in.Kind {
	case journalpb.UfsIntentKind_UFS_MKDIRS:
		return published{}, mkdirsIntent(ctx, c, in)
	case journalpb.UfsIntentKind_UFS_DELETE:
		return published{}, deleteIntent(ctx, c, in)
	case journalpb.UfsIntentKind_UFS_RENAME:
		if err := r.renameIntent(ctx, c, in); err != nil {
			return published{}, err
		}
		if in.FileId == 0 {
			return published{moved: r.movedCopies(ctx, c, in)}, nil
		}
		return movedCopy(ctx, c, in), nil
	case journalpb.UfsIntentKind_UFS_PUBLISH:
		var p published
		if len(in.PublishToken) > 0 {
			p, err = publishStagedIntent(ctx, c, in)
		} else {
			p, err = publishIntent(ctx, c, in)
		}
		if err != nil && permanent(err) {
			// Nobody will publish it now; the cache keeps the data.
			if len(in.PublishToken) > 0 {
				c.Discard(ctx, in.UfsPath, in.PublishToken)
			} else {
				dropIgnoringAbsent(ctx, c, underfs.TempPath(in.UfsPath, in.FileId))
			}
		}
		return p, err
	case journalpb.UfsIntentKind_UFS_SET_ATTRIBUTE:
		return published{}, setAttributeIntent(ctx, c, in)
	case journalpb.UfsIntentKind_UFS_DROP_UNPUBLISHED:
		if len(in.PublishToken) > 0 {
			return published{}, c.Discard(ctx, in.UfsPath, in.PublishToken)
		}
		return published{}, dropIgnoringAbsent(ctx, c, in.UfsPath)
	}
	return published{}, errs.New(errs.ErrInvalidArg, "under storage intent %d of an unknown kind %v", in.Id, in.Kind)
}

func dropIgnoringAbsent(ctx context.Context, c ufsChanger, rel string) error {
	if err := c.Delete(ctx, rel, false); err != nil && !errors.Is(err, errs.ErrNotFound) {
		return err
	}
	return nil
}

// replaceLeftover removes a file the store holds at rel where the
// namespace had nothing when the entry applied, and reports whether it
// did.
func replaceLeftover(ctx context.Context, c ufsChanger, in *journalpb.UfsIntent, rel string) bool {
	if !in.ReplaceLeftover {
		return false
	}
	if st, err := c.GetStatus(ctx, rel); err != nil || st.IsDir {
		return false
	}
	return dropIgnoringAbsent(ctx, c, rel) == nil
}

func mkdirsIntent(ctx context.Context, c ufsChanger, in *journalpb.UfsIntent) error {
	perm := os.FileMode(in.GetMode() & 0o777)
	err := c.Mkdirs(ctx, in.UfsPath, perm)
	if errors.Is(err, errs.ErrAlreadyExists) && replaceLeftover(ctx, c, in, in.UfsPath) {
		err = c.Mkdirs(ctx, in.UfsPath, perm)
	}
	return err
}

func deleteIntent(ctx context.Context, c ufsChanger, in *journalpb.UfsIntent) error {
	if in.DeleteTarget {
		if err := c.Delete(ctx, in.UfsPath, in.Recursive); err != nil && !errors.Is(err, errs.ErrNotFound) {
			return err
		}
	}
	if in.FileId != 0 {
		return dropIgnoringAbsent(ctx, c, underfs.TempPath(in.UfsPath, in.FileId))
	}
	return nil
}

func (r *intentRunner) renameIntent(ctx context.Context, c ufsChanger, in *journalpb.UfsIntent) error {
	src, dst := in.UfsPath, in.UfsDstPath
	if parent := fspath.Parent("/" + dst)[1:]; parent != "" {
		if err := c.Mkdirs(ctx, parent, underfs.DefaultDirPerm); err != nil && !errors.Is(err, errs.ErrAlreadyExists) {
			return err
		}
	}
	err := c.Rename(ctx, src, dst)
	if err == nil {
		return nil
	}
	_, serr := c.GetStatus(ctx, src)
	srcGone := errors.Is(serr, errs.ErrNotFound)
	switch {
	case errors.Is(err, errs.ErrAlreadyExists) && srcGone:
		return nil // an earlier attempt moved it
	case errors.Is(err, errs.ErrAlreadyExists) && replaceLeftover(ctx, c, in, dst):
		return c.Rename(ctx, src, dst)
	case errors.Is(err, errs.ErrNotFound) && srcGone:
		if _, derr := c.GetStatus(ctx, dst); derr != nil {
			// The copy is gone: removed behind Alluxio's back (or, before
			// intents, by a deposed primary). The rename is the
			// namespace's; what is cached stays readable.
			r.log.Warn("renamed a persisted file whose under storage copy is missing", "src", in.Path, "dst", in.DstPath)
		}
		return nil
	}
	return err
}

// movedCopy is what readers must now check a renamed file's copy by. An
// object store moves a key by copy and delete, which gives the copy a new
// ETag and modification time: the ones recorded at publish would make
// readers refuse it. A file rename's intent names the file (FileId), so
// Apply can tell the inode is still the one moved; a directory's children
// keep what they had.
func movedCopy(ctx context.Context, c ufsChanger, in *journalpb.UfsIntent) published {
	if in.FileId == 0 {
		return published{}
	}
	st, err := c.GetStatus(ctx, in.UfsDstPath)
	if err != nil || st.IsDir {
		return published{} // nothing to record: readers keep the old check
	}
	return published{modMs: st.ModTime.UnixMilli(), fingerprint: st.Fingerprint}
}

// movedCopies looks at the moved copy of every file below a renamed
// directory that readers check by a fingerprint: an object store copies
// each object on a rename, and the copy of one uploaded in parts gets a
// new ETag, which readers would refuse as a replaced file. Each directory
// of the store is listed once (a listing carries every object's ETag),
// not asked about file by file. Files the namespace no longer has at the
// destination are left out, as are those the store cannot say anything
// of now (readers keep the old check; a later sync finds the copy).
func (r *intentRunner) movedCopies(ctx context.Context, c ufsChanger, in *journalpb.UfsIntent) []*journalpb.MovedCopy {
	type file struct {
		id          int64
		name        string
		fingerprint string
	}
	byDir := map[string][]file{} // the store's directory -> its files
	r.fs.st.Walk(in.DstPath, func(p string, n *state.Inode) {
		if !n.IsDir && n.Persisted() && n.UfsFingerprint != "" {
			rel, _ := fspath.Rel(in.DstPath, p)
			ufs := path.Join(in.UfsDstPath, rel)
			byDir[path.Dir(ufs)] = append(byDir[path.Dir(ufs)], file{n.ID, path.Base(ufs), n.UfsFingerprint})
		}
	})
	var out []*journalpb.MovedCopy
	for dir, files := range byDir {
		listed, err := c.List(ctx, dir)
		if err != nil {
			continue
		}
		now := make(map[string]underfs.Status, len(listed))
		for _, st := range listed {
			now[st.Name] = st
		}
		for _, f := range files {
			st, ok := now[f.name]
			if !ok || st.IsDir || st.Fingerprint == f.fingerprint {
				continue
			}
			out = append(out, &journalpb.MovedCopy{FileId: f.id, UfsModMs: st.ModTime.UnixMilli(), UfsFingerprint: st.Fingerprint})
		}
	}
	// In file id order, so the journaled entry does not depend on the
	// map's order.
	slices.SortFunc(out, func(a, b *journalpb.MovedCopy) int { return cmp.Compare(a.FileId, b.FileId) })
	return out
}

func publishIntent(ctx context.Context, c ufsChanger, in *journalpb.UfsIntent) (published, error) {
	rel, tmp := in.UfsPath, underfs.TempPath(in.UfsPath, in.FileId)
	err := c.Rename(ctx, tmp, rel)
	if errors.Is(err, errs.ErrAlreadyExists) {
		// An older copy (of the file this one overwrites, or put there
		// behind Alluxio's back): the namespace says this file is the one.
		if err = dropIgnoringAbsent(ctx, c, rel); err == nil {
			err = c.Rename(ctx, tmp, rel)
		}
	}
	st, serr := c.GetStatus(ctx, rel)
	switch {
	case errors.Is(err, errs.ErrNotFound) && (serr != nil || st.IsDir || st.Length != in.Length):
		return published{}, errs.New(errs.ErrNotFound, "the under storage copy of %s was not written (no %s)", in.Path, tmp)
	case err != nil && !errors.Is(err, errs.ErrNotFound):
		return published{}, err
	case serr != nil:
		return published{}, serr
	case st.Length != in.Length:
		return published{}, errs.New(errs.ErrCorrupt, "the under storage copy of %s has %d bytes, the file %d", in.Path, st.Length, in.Length)
	}
	// Published now, or by an earlier attempt (the copy is there with the
	// file's length and the temporary name is gone).
	return published{modMs: st.ModTime.UnixMilli(), fingerprint: st.Fingerprint}, nil
}

// setAttributeIntent carries mode and owner changes to the store. Owners
// are best effort (underfs.UnderFileSystem.SetOwner): a store that cannot
// change them does not fail it.
func setAttributeIntent(ctx context.Context, c ufsChanger, in *journalpb.UfsIntent) error {
	if in.Mode != nil {
		if err := c.SetMode(ctx, in.UfsPath, os.FileMode(in.GetMode()&0o777)); err != nil {
			return err
		}
	}
	if in.Owner != nil || in.Group != nil {
		return c.SetOwner(ctx, in.UfsPath, in.GetOwner(), in.GetGroup())
	}
	return nil
}
