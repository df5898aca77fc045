package s3

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// kind is what a path is in the store.
type kind int

const (
	absent kind = iota
	file
	dir
)

// GetStatus implements underfs.UnderFileSystem. A directory is a marker
// object ("dir/") or, without one, a prefix that some key starts with; it
// has a modification time only when it has a marker.
func (fs *FS) GetStatus(ctx context.Context, p string) (underfs.Status, error) {
	const op = "get status of"
	rel, err := fs.resolve(ctx, op, p)
	if err != nil {
		return underfs.Status{}, err
	}
	st, k, err := fs.stat(ctx, op, rel)
	if err != nil {
		return underfs.Status{}, err
	}
	if k == absent {
		return underfs.Status{}, fs.fail(errs.ErrNotFound, op, rel, "")
	}
	return st, nil
}

// stat looks rel up: first as an object, then as a directory.
func (fs *FS) stat(ctx context.Context, op, rel string) (underfs.Status, kind, error) {
	if rel == "" {
		// The root exists while the bucket does: the listing proves it,
		// and reports a missing bucket or refused keys.
		if _, _, err := fs.probeDir(ctx, op, rel); err != nil {
			return underfs.Status{}, absent, err
		}
		return dirStatus(fs.perms(ctx), "", time.Time{}), dir, nil
	}
	st, found, err := fs.headFile(ctx, op, rel)
	if err != nil || found {
		return st, file, err
	}
	marker, ok, err := fs.probeDir(ctx, op, rel)
	if err != nil || !ok {
		return underfs.Status{}, absent, err
	}
	return dirStatus(fs.perms(ctx), baseOf(rel), marker), dir, nil
}

// headFile looks for the object at rel.
func (fs *FS) headFile(ctx context.Context, op, rel string) (underfs.Status, bool, error) {
	out, err := fs.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &fs.cfg.Bucket, Key: aws.String(fs.key(rel))})
	if err != nil {
		if isMissing(err) {
			return underfs.Status{}, false, nil
		}
		return underfs.Status{}, false, fs.sdkErr(ctx, op, rel, err)
	}
	return fileStatus(fs.perms(ctx), baseOf(rel), aws.ToInt64(out.ContentLength), aws.ToTime(out.LastModified), aws.ToString(out.ETag)), true, nil
}

// probeDir reports whether rel is a directory, and its marker's time when
// it has a marker (zero otherwise). The marker sorts first among the keys
// with its prefix, so one key tells both.
func (fs *FS) probeDir(ctx context.Context, op, rel string) (time.Time, bool, error) {
	prefix := fs.dirKey(rel)
	out, err := fs.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &fs.cfg.Bucket, Prefix: &prefix, MaxKeys: aws.Int32(1)})
	if err != nil {
		return time.Time{}, false, fs.sdkErr(ctx, op, rel, err)
	}
	if len(out.Contents) == 0 {
		return time.Time{}, rel == "", nil
	}
	if aws.ToString(out.Contents[0].Key) == prefix {
		return aws.ToTime(out.Contents[0].LastModified), true, nil
	}
	return time.Time{}, true, nil
}

// fileStatus and dirStatus show the store's permissions (acl.go), which
// a listing looks up once for all its entries.
func fileStatus(p permissions, name string, length int64, mod time.Time, etag string) underfs.Status {
	return underfs.Status{Name: name, Length: length, ModTime: mod, Mode: p.mode,
		Owner: p.owner, Group: p.owner, Fingerprint: strings.Trim(etag, `"`)}
}

func dirStatus(p permissions, name string, mod time.Time) underfs.Status {
	return underfs.Status{Name: name, IsDir: true, ModTime: mod, Mode: p.mode, Owner: p.owner, Group: p.owner}
}

// List implements underfs.UnderFileSystem. It pages through the listing
// (1,000 keys a page): objects are files, common prefixes directories. A
// name that is both (an object "a" and keys under "a/", which S3 allows and
// a file system does not) shows as the file, as GetStatus does. Keys
// Alluxio cannot name (an empty component, as in "a//b") are skipped with
// a warning.
func (fs *FS) List(ctx context.Context, p string) ([]underfs.Status, error) {
	const op = "list"
	rel, err := fs.resolve(ctx, op, p)
	if err != nil {
		return nil, err
	}
	prefix := fs.dirKey(rel)
	in := &s3.ListObjectsV2Input{Bucket: &fs.cfg.Bucket, Prefix: &prefix, Delimiter: aws.String("/")}
	var files, dirs []underfs.Status
	var perms permissions
	seen := false // the marker, an object or a prefix: the directory exists
	for {
		out, err := fs.client.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, fs.sdkErr(ctx, op, rel, err)
		}
		if in.ContinuationToken == nil {
			// After the listing worked: a store that refuses it is not
			// asked for its ACL too.
			perms = fs.perms(ctx)
		}
		for _, o := range out.Contents {
			seen = true
			name := strings.TrimPrefix(aws.ToString(o.Key), prefix)
			if name == "" || !fs.nameable(rel, name) {
				continue // the marker
			}
			files = append(files, fileStatus(perms, name, aws.ToInt64(o.Size), aws.ToTime(o.LastModified), aws.ToString(o.ETag)))
		}
		for _, cp := range out.CommonPrefixes {
			seen = true
			name := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), prefix), "/")
			if !fs.nameable(rel, name) {
				continue
			}
			dirs = append(dirs, dirStatus(perms, name, time.Time{}))
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, fs.ctxErr(op, rel, err)
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	if !seen && rel != "" {
		if _, found, err := fs.headFile(ctx, op, rel); err != nil {
			return nil, err
		} else if found {
			return nil, fs.fail(errs.ErrNotDirectory, op, rel, "")
		}
		return nil, fs.fail(errs.ErrNotFound, op, rel, "")
	}
	out := files
	isFile := make(map[string]bool, len(files))
	for _, f := range files {
		isFile[f.Name] = true
	}
	for _, d := range dirs {
		if !isFile[d.Name] {
			out = append(out, d)
		}
	}
	// Keys sort in byte order, but "a/" (a directory) sorts after "a.txt"
	// where the name "a" sorts before it.
	slices.SortFunc(out, func(a, b underfs.Status) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (fs *FS) nameable(dir, name string) bool {
	if err := fspath.ValidateName(name); err != nil {
		fs.log.Warn("ufs entry skipped: Alluxio cannot name it", "dir", dir, "key", fs.dirKey(dir)+name, "error", err)
		return false
	}
	return true
}
