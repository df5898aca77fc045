package s3

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// checkPerm checks a permission argument, which the store then ignores
// (objects have no modes; see Capabilities).
func (fs *FS) checkPerm(op, rel string, perm os.FileMode) error {
	if perm&^os.ModePerm != 0 {
		return fs.fail(errs.ErrInvalidArg, op, rel, "mode "+perm.String()+" has bits other than permissions")
	}
	return nil
}

// Mkdirs implements underfs.UnderFileSystem. Each missing level gets a
// marker object, so a directory stays after its last file is deleted, as
// in a file system.
func (fs *FS) Mkdirs(ctx context.Context, p string, perm os.FileMode) error {
	const op = "make directory"
	rel, err := fs.resolve(ctx, op, p)
	if err != nil {
		return err
	}
	if err := fs.checkPerm(op, rel, perm); err != nil {
		return err
	}
	return fs.mkdirs(ctx, op, rel)
}

// mkdirs creates rel and its missing parents, looking up from the deepest
// level until one exists.
func (fs *FS) mkdirs(ctx context.Context, op, rel string) error {
	var missing []string
	for d := rel; d != ""; d = parentOf(d) {
		_, k, err := fs.stat(ctx, op, d)
		if err != nil {
			return err
		}
		if k == dir {
			break
		}
		if k == file {
			if d == rel {
				return fs.fail(errs.ErrAlreadyExists, op, rel, "a file is there")
			}
			return fs.fail(errs.ErrNotDirectory, op, rel, "ancestor "+d+" is a file")
		}
		missing = append(missing, d)
	}
	// Outermost first: an interrupted call leaves parents, never a child
	// whose parents exist only as its prefix.
	for i := len(missing) - 1; i >= 0; i-- {
		if err := fs.putMarker(ctx, op, missing[i]); err != nil {
			return err
		}
	}
	return nil
}

func (fs *FS) putMarker(ctx context.Context, op, rel string) error {
	_, err := fs.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &fs.cfg.Bucket, Key: aws.String(fs.dirKey(rel)),
		Body: bytes.NewReader(nil), ContentLength: aws.Int64(0), ContentType: aws.String("application/x-directory")})
	if err != nil {
		return fs.sdkErr(ctx, op, rel, err)
	}
	return nil
}

// keepParent gives rel's parent a marker when it has none, before rel is
// removed: a directory that exists only as the prefix of its children
// would vanish with its last child.
func (fs *FS) keepParent(ctx context.Context, op, rel string) error {
	parent := parentOf(rel)
	if parent == "" {
		return nil
	}
	_, err := fs.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &fs.cfg.Bucket, Key: aws.String(fs.dirKey(parent))})
	if err == nil {
		return nil
	}
	if !isMissing(err) {
		return fs.sdkErr(ctx, op, rel, err)
	}
	return fs.putMarker(ctx, op, parent)
}

// Delete implements underfs.UnderFileSystem. A directory's keys are
// deleted a page (1,000) at a time, markers last and deepest first.
func (fs *FS) Delete(ctx context.Context, p string, recursive bool) error {
	const op = "delete"
	rel, err := fs.resolve(ctx, op, p)
	if err != nil {
		return err
	}
	if rel == "" {
		return fs.fail(errs.ErrInvalidArg, op, rel, "the root of a mount cannot be deleted")
	}
	_, k, err := fs.stat(ctx, op, rel)
	switch {
	case err != nil:
		return err
	case k == absent:
		return fs.fail(errs.ErrNotFound, op, rel, "")
	}
	if err := fs.keepParent(ctx, op, rel); err != nil {
		return err
	}
	if k == file {
		if _, err := fs.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &fs.cfg.Bucket, Key: aws.String(fs.key(rel))}); err != nil {
			return fs.sdkErr(ctx, op, rel, err)
		}
		return nil
	}
	prefix := fs.dirKey(rel)
	if !recursive {
		out, err := fs.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &fs.cfg.Bucket, Prefix: &prefix, MaxKeys: aws.Int32(2)})
		if err != nil {
			return fs.sdkErr(ctx, op, rel, err)
		}
		for _, o := range out.Contents {
			if aws.ToString(o.Key) != prefix {
				return fs.fail(errs.ErrNotEmpty, op, rel, "")
			}
		}
		return fs.deleteKeys(ctx, op, rel, []string{prefix})
	}
	var markers []string
	err = fs.walk(ctx, prefix, func(keys []string, _ []types.Object) error {
		var objects []string
		for _, k := range keys {
			if strings.HasSuffix(k, "/") {
				markers = append(markers, k)
			} else {
				objects = append(objects, k)
			}
		}
		return fs.deleteKeys(ctx, op, rel, objects)
	})
	if err != nil {
		return err
	}
	return fs.deleteMarkers(ctx, op, rel, markers)
}

// deleteMarkers deletes directory markers deepest first, one level per
// request, so a store that keeps directories as folders (versitygw's
// posix backend) is never asked to remove a folder before what it holds.
func (fs *FS) deleteMarkers(ctx context.Context, op, rel string, markers []string) error {
	byDepth := map[int][]string{}
	deepest := 0
	for _, m := range markers {
		d := strings.Count(m, "/")
		byDepth[d] = append(byDepth[d], m)
		deepest = max(deepest, d)
	}
	for d := deepest; d > 0; d-- {
		for level := byDepth[d]; len(level) > 0; {
			n := min(len(level), 1000)
			if err := fs.deleteKeys(ctx, op, rel, level[:n]); err != nil {
				return err
			}
			level = level[n:]
		}
	}
	return nil
}

// deleteAll deletes keys: objects first, then markers deepest first.
func (fs *FS) deleteAll(ctx context.Context, op, rel string, keys []string) error {
	var files, markers []string
	for _, k := range keys {
		if strings.HasSuffix(k, "/") {
			markers = append(markers, k)
		} else {
			files = append(files, k)
		}
	}
	for len(files) > 0 {
		n := min(len(files), 1000)
		if err := fs.deleteKeys(ctx, op, rel, files[:n]); err != nil {
			return err
		}
		files = files[n:]
	}
	return fs.deleteMarkers(ctx, op, rel, markers)
}

// walk calls fn with each page of keys (in key order) under prefix.
func (fs *FS) walk(ctx context.Context, prefix string, fn func(keys []string, objs []types.Object) error) error {
	in := &s3.ListObjectsV2Input{Bucket: &fs.cfg.Bucket, Prefix: &prefix}
	for {
		out, err := fs.client.ListObjectsV2(ctx, in)
		if err != nil {
			return fs.sdkErr(ctx, "list", strings.TrimPrefix(prefix, fs.cfg.Prefix), err)
		}
		keys := make([]string, len(out.Contents))
		for i, o := range out.Contents {
			keys[i] = aws.ToString(o.Key)
		}
		if err := fn(keys, out.Contents); err != nil {
			return err
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			return nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// deleteKeys deletes up to 1,000 keys in one request.
func (fs *FS) deleteKeys(ctx context.Context, op, rel string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	ids := make([]types.ObjectIdentifier, len(keys))
	for i, k := range keys {
		ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
	}
	out, err := fs.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &fs.cfg.Bucket,
		Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
	if err != nil {
		return fs.sdkErr(ctx, op, rel, err)
	}
	for _, e := range out.Errors {
		if aws.ToString(e.Code) == "NoSuchKey" {
			continue
		}
		return fs.fail(errs.ErrUnavailable, op, rel, "deleting "+aws.ToString(e.Key)+": "+aws.ToString(e.Code)+" "+aws.ToString(e.Message))
	}
	return nil
}

// Rename implements underfs.UnderFileSystem by copying and deleting; see
// underfs.Capabilities.RenameNotAtomic for what readers may see. Copies
// run in parallel within alluxio.underfs.s3.upload.threads.max.
func (fs *FS) Rename(ctx context.Context, src, dst string) error {
	const op = "rename"
	srcRel, err := fs.resolve(ctx, op, src)
	if err != nil {
		return err
	}
	dstRel, err := fs.resolve(ctx, op, dst)
	if err != nil {
		return err
	}
	if srcRel == "" || dstRel == "" {
		return fs.fail(errs.ErrInvalidArg, op, srcRel, "the root of a mount cannot be renamed or replaced")
	}
	srcSt, k, err := fs.stat(ctx, op, srcRel)
	switch {
	case err != nil:
		return err
	case k == absent:
		return fs.fail(errs.ErrNotFound, op, srcRel, "")
	case srcRel == dstRel:
		return fs.fail(errs.ErrAlreadyExists, op, srcRel, "destination is the source")
	case fspath.IsAncestor("/"+srcRel, "/"+dstRel):
		return fs.fail(errs.ErrInvalidArg, op, srcRel, "destination "+dstRel+" is inside it")
	}
	if parent := parentOf(dstRel); parent != "" {
		_, pk, err := fs.stat(ctx, op, parent)
		switch {
		case err != nil:
			return err
		case pk == absent:
			if fs.ancestorIsFile(ctx, op, parent) {
				return fs.fail(errs.ErrNotDirectory, op, srcRel, "an ancestor of destination "+dstRel+" is a file")
			}
			return fs.fail(errs.ErrNotFound, op, srcRel, "parent of destination "+dstRel+" does not exist")
		case pk == file:
			return fs.fail(errs.ErrNotDirectory, op, srcRel, "parent of destination "+dstRel+" is a file")
		}
	}
	if _, dk, err := fs.stat(ctx, op, dstRel); err != nil {
		return err
	} else if dk != absent {
		return fs.fail(errs.ErrAlreadyExists, op, srcRel, "destination "+dstRel+" exists")
	}
	if err := fs.keepParent(ctx, op, srcRel); err != nil {
		return err
	}
	if k == file {
		err := fs.copyObject(ctx, fs.key(srcRel), fs.key(dstRel), srcSt.Length, srcSt.Fingerprint, true)
		if err != nil {
			if errors.Is(err, errs.ErrAlreadyExists) {
				return fs.fail(errs.ErrAlreadyExists, op, srcRel, "destination "+dstRel+" was created meanwhile")
			}
			return err
		}
		if _, err := fs.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &fs.cfg.Bucket, Key: aws.String(fs.key(srcRel))}); err != nil {
			fs.log.Warn("rename copied the file but could not delete the source; both exist", "src", srcRel, "dst", dstRel, "error", err)
		}
		return nil
	}
	return fs.renameDir(ctx, srcRel, dstRel)
}

// ancestorIsFile reports whether rel or one of its ancestors is a file.
func (fs *FS) ancestorIsFile(ctx context.Context, op, rel string) bool {
	for d := rel; d != ""; d = parentOf(d) {
		if _, found, err := fs.headFile(ctx, op, d); err == nil && found {
			return true
		}
	}
	return false
}

// SetMode implements underfs.UnderFileSystem: the arguments are checked
// and the object must exist, but S3 keeps no modes (see Capabilities).
func (fs *FS) SetMode(ctx context.Context, p string, perm os.FileMode) error {
	const op = "set mode of"
	rel, err := fs.resolve(ctx, op, p)
	if err != nil {
		return err
	}
	if err := fs.checkPerm(op, rel, perm); err != nil {
		return err
	}
	if _, k, err := fs.stat(ctx, op, rel); err != nil {
		return err
	} else if k == absent {
		return fs.fail(errs.ErrNotFound, op, rel, "")
	}
	fs.log.Debug("ufs set mode skipped: S3 objects have no modes", "path", rel, "mode", perm)
	return nil
}

// SetOwner implements underfs.UnderFileSystem: S3 objects have no owners,
// so it only checks that the object exists.
func (fs *FS) SetOwner(ctx context.Context, p, owner, group string) error {
	const op = "set owner of"
	rel, err := fs.resolve(ctx, op, p)
	if err != nil {
		return err
	}
	if _, k, err := fs.stat(ctx, op, rel); err != nil {
		return err
	} else if k == absent {
		return fs.fail(errs.ErrNotFound, op, rel, "")
	}
	if owner != "" || group != "" {
		fs.log.Debug("ufs set owner skipped: S3 objects have no owners", "path", rel, "owner", owner, "group", group)
	}
	return nil
}
