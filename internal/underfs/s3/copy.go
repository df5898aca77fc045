package s3

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// maxCopySize is the largest object one CopyObject may copy; larger ones
// are copied part by part (UploadPartCopy).
const maxCopySize = 5 << 30

// copyPartSize is the part size of a multipart copy: large, as the bytes
// do not pass through us.
const copyPartSize = 512 << 20

// copyObject copies srcKey, which must still have etag (when known), to
// dstKey, refusing to replace an object there when noReplace is set (with
// a conditional write where the store supports one; the caller has checked
// before in any case).
func (fs *FS) copyObject(ctx context.Context, srcKey, dstKey string, size int64, etag string, noReplace bool) error {
	rel := strings.TrimPrefix(srcKey, fs.cfg.Prefix)
	if fs.copyHook != nil {
		if err := fs.copyHook(srcKey); err != nil {
			return fs.fail(errs.ErrUnavailable, "copy", rel, err.Error())
		}
	}
	source := fs.copySource(srcKey)
	var ifMatch, ifNoneMatch *string
	if etag != "" {
		ifMatch = aws.String(`"` + etag + `"`)
	}
	if noReplace {
		ifNoneMatch = aws.String("*")
	}
	if size <= maxCopySize {
		_, err := fs.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &fs.cfg.Bucket, Key: aws.String(dstKey),
			CopySource: aws.String(source), CopySourceIfMatch: ifMatch, IfNoneMatch: ifNoneMatch})
		if err != nil {
			return fs.sdkErr(ctx, "copy", rel, err)
		}
		return nil
	}
	up, err := fs.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &fs.cfg.Bucket, Key: aws.String(dstKey)})
	if err != nil {
		return fs.sdkErr(ctx, "copy", rel, err)
	}
	n := int((size + copyPartSize - 1) / copyPartSize)
	parts := make([]types.CompletedPart, n)
	ctx2, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	limit := make(chan struct{}, fs.cfg.UploadThreads)
	for i := range n {
		limit <- struct{}{}
		wg.Go(func() {
			defer func() { <-limit }()
			start := int64(i) * copyPartSize
			end := min(start+copyPartSize, size) - 1
			out, err := fs.client.UploadPartCopy(ctx2, &s3.UploadPartCopyInput{Bucket: &fs.cfg.Bucket, Key: aws.String(dstKey),
				UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String(source),
				CopySourceIfMatch: ifMatch, CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", start, end))})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if first == nil {
					first = err
					cancel()
				}
				return
			}
			parts[i] = types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.CopyPartResult.ETag}
		})
	}
	wg.Wait()
	if first == nil {
		_, first = fs.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &fs.cfg.Bucket,
			Key: aws.String(dstKey), UploadId: up.UploadId, IfNoneMatch: ifNoneMatch,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}
	if first != nil {
		fs.abort(dstKey, aws.ToString(up.UploadId))
		return fs.sdkErr(ctx, "copy", rel, first)
	}
	return nil
}

// copySource is the CopySource of a key: bucket/key, URL-encoded.
func (fs *FS) copySource(key string) string {
	return (&url.URL{Path: fs.cfg.Bucket + "/" + key}).EscapedPath()
}

// abort drops an unfinished multipart upload, best effort, even when the
// caller's context is done: an upload left open keeps its parts (and
// their cost) until the stale-upload cleanup.
func (fs *FS) abort(key, uploadID string) {
	ctx, cancel := context.WithTimeout(context.Background(), fs.cfg.RequestTimeout)
	defer cancel()
	_, err := fs.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &fs.cfg.Bucket, Key: &key, UploadId: &uploadID})
	if err != nil && !isMissing(err) {
		fs.log.Warn("could not abort a multipart upload; the stale-upload cleanup will", "key", key, "upload", uploadID, "error", err)
	}
}

type object struct {
	key  string
	size int64
	etag string
}

// renameDir copies every key under src to dst, in parallel, then deletes
// the sources. A copy that fails stops the rename: the copies made are
// deleted again and the source is left as it was, and the error says so.
// Once every object is copied the rename has happened; a source object
// that cannot be deleted then is logged, not returned, because the caller
// would otherwise keep the directory at src while its files are at dst.
func (fs *FS) renameDir(ctx context.Context, srcRel, dstRel string) error {
	const op = "rename"
	srcPrefix, dstPrefix := fs.dirKey(srcRel), fs.dirKey(dstRel)
	var objs []object
	err := fs.walk(ctx, srcPrefix, func(_ []string, page []types.Object) error {
		for _, o := range page {
			objs = append(objs, object{key: aws.ToString(o.Key), size: aws.ToInt64(o.Size), etag: strings.Trim(aws.ToString(o.ETag), `"`)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The destination's marker first, so it is a directory even when the
	// source has none and its files are still being copied.
	if err := fs.putMarker(ctx, op, dstRel); err != nil {
		return err
	}
	copied := make([]bool, len(objs))
	// A failure stops new copies but lets those in flight finish: a copy
	// cancelled on our side may still complete on the server's, after
	// the cleanup below looked.
	ctx2, cancel := context.WithCancel(ctx)
	inflight := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	limit := make(chan struct{}, fs.cfg.UploadThreads)
	for i, o := range objs {
		if o.key == srcPrefix {
			copied[i] = true // the marker is made already
			continue
		}
		select {
		case limit <- struct{}{}:
		case <-ctx2.Done():
		}
		if ctx2.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-limit }()
			dst := dstPrefix + strings.TrimPrefix(o.key, srcPrefix)
			var err error
			if strings.HasSuffix(o.key, "/") {
				// A marker holds nothing to copy (and some stores refuse
				// to copy one).
				err = fs.putMarker(inflight, op, strings.TrimSuffix(strings.TrimPrefix(dst, fs.cfg.Prefix), "/"))
			} else {
				err = fs.copyObject(inflight, o.key, dst, o.size, o.etag, true)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if first == nil {
					first = err
					cancel()
				}
				return
			}
			copied[i] = true
		})
	}
	wg.Wait()
	cancel()
	if first == nil && ctx.Err() != nil {
		first = fs.ctxErr(op, srcRel, ctx.Err())
	}
	if first != nil {
		n := 0
		for _, c := range copied {
			if c {
				n++
			}
		}
		// dst did not exist before: whatever is under it now is ours,
		// including copies that finished after the cancel.
		cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), fs.cfg.RequestTimeout)
		defer ccancel()
		var undo []string
		undoErr := fs.walk(cctx, dstPrefix, func(keys []string, _ []types.Object) error {
			undo = append(undo, keys...)
			return nil
		})
		if undoErr == nil {
			undoErr = fs.deleteAll(cctx, op, dstRel, append(undo, dstPrefix))
		}
		what := "the copies were removed"
		if undoErr != nil {
			what = "removing the copies failed too (" + undoErr.Error() + "), so some remain under " + dstRel
		}
		return fmt.Errorf("rename of directory %q to %q in %s stopped after copying %d of %d objects; %s and the source is unchanged: %w",
			srcRel, dstRel, fs.uri, n, len(objs), what, first)
	}
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.key
	}
	if err := fs.deleteAll(ctx, op, srcRel, keys); err != nil {
		fs.log.Warn("rename copied every object but could not delete all sources; some remain beside the renamed directory",
			"src", srcRel, "dst", dstRel, "objects", len(keys), "error", err)
	}
	return nil
}
