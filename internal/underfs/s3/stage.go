package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Staging on S3 is a multipart upload to the file's own key that the
// writer leaves open: its parts are durable but nothing is visible until
// the master completes the upload. Completing is one request whatever the
// size, where the other way (write under a temporary key, then rename)
// copies every byte again. The token names the upload and its parts.

// token is what Commit returns and Publish takes, as JSON.
type token struct {
	Key      string `json:"k"`
	UploadID string `json:"u,omitempty"`
	Parts    []part `json:"p,omitempty"`
	// Empty: a file of no bytes, which a multipart upload cannot hold; it
	// is published with one PutObject.
	Empty bool `json:"empty,omitempty"`
	// A token without parts (from ListStaged) can only be discarded.
}

// maxTokenSize bounds what decodeToken accepts: 10,000 parts of an ETag
// each, with room to spare.
const maxTokenSize = 2 << 20

func decodeToken(b []byte) (token, error) {
	var t token
	if len(b) == 0 || len(b) > maxTokenSize {
		return t, fmt.Errorf("%d bytes", len(b))
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, err
	}
	switch {
	case t.Key == "":
		return t, fmt.Errorf("no key")
	case t.Empty && (t.UploadID != "" || len(t.Parts) > 0):
		return t, fmt.Errorf("an empty file with parts")
	case !t.Empty && (t.UploadID == "" || len(t.Parts) > maxParts):
		return t, fmt.Errorf("%d parts of upload %q", len(t.Parts), t.UploadID)
	}
	for i, p := range t.Parts {
		if p.Number != int32(i+1) || p.ETag == "" || p.Size < 0 {
			return t, fmt.Errorf("part %d is not the %d-th", p.Number, i+1)
		}
	}
	return t, nil
}

// CreateStaged implements underfs.Stager.
func (fs *FS) CreateStaged(ctx context.Context, p string, opts underfs.CreateOptions) (underfs.StagedWriter, error) {
	const op = "stage"
	rel, err := fs.resolve(ctx, op, p)
	if err != nil {
		return nil, err
	}
	if err := fs.checkPerm(op, rel, opts.Perm); err != nil {
		return nil, err
	}
	if rel == "" {
		return nil, fs.fail(errs.ErrIsDirectory, op, rel, "the root is a directory")
	}
	w, err := fs.newWriter(ctx, op, rel, opts, true)
	if err != nil {
		return nil, err
	}
	return &stagedWriter{w}, nil
}

type stagedWriter struct{ *writer }

// Commit implements underfs.StagedWriter: every part is uploaded, the
// upload stays open.
func (w *stagedWriter) Commit() ([]byte, error) {
	const op = "commit"
	if w.done {
		return nil, w.fs.fail(errs.ErrPrecondition, op, w.rel, "writer already closed or canceled")
	}
	w.done = true
	defer w.cancel()
	defer w.removeSpool()
	if err := w.finish(); err != nil {
		w.drop()
		return nil, err
	}
	t := token{Key: w.key, UploadID: w.uploadID, Parts: w.parts}
	if w.uploadID == "" {
		t = token{Key: w.key, Empty: true}
	}
	t.Parts = completedOrder(t.Parts)
	return json.Marshal(t)
}

func completedOrder(parts []part) []part {
	if len(parts) == 0 {
		return nil
	}
	out := make([]part, len(parts))
	for _, p := range parts {
		out[p.Number-1] = p
	}
	return out
}

func (fs *FS) tokenFor(op, rel string, b []byte) (token, error) {
	t, err := decodeToken(b)
	if err != nil {
		return t, fs.fail(errs.ErrInvalidArg, op, rel, "not a staged upload token of this store: "+err.Error())
	}
	if t.Key != fs.key(rel) {
		return t, fs.fail(errs.ErrInvalidArg, op, rel, "the token is for key "+t.Key)
	}
	return t, nil
}

// Publish implements underfs.Stager: CompleteMultipartUpload. A second
// publish finds the upload gone and the object in place (its ETag is the
// one the parts give), and succeeds.
func (fs *FS) Publish(ctx context.Context, p string, tok []byte) (underfs.Status, error) {
	const op = "publish"
	rel, err := fs.resolve(ctx, op, p)
	if err != nil {
		return underfs.Status{}, err
	}
	t, err := fs.tokenFor(op, rel, tok)
	if err != nil {
		return underfs.Status{}, err
	}
	if !t.Empty && len(t.Parts) == 0 {
		return underfs.Status{}, fs.fail(errs.ErrInvalidArg, op, rel, "the token names no parts: it can only be discarded")
	}
	if parent := parentOf(rel); parent != "" {
		if err := fs.mkdirs(ctx, op, parent); err != nil {
			return underfs.Status{}, err
		}
	}
	if t.Empty {
		_, err = fs.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &fs.cfg.Bucket, Key: &t.Key,
			Body: bytes.NewReader(nil), ContentLength: aws.Int64(0)})
	} else {
		_, err = fs.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &fs.cfg.Bucket,
			Key: &t.Key, UploadId: &t.UploadID, MultipartUpload: &types.CompletedMultipartUpload{Parts: completed(t.Parts)}})
	}
	if err != nil && !isMissing(err) {
		return underfs.Status{}, fs.sdkErr(ctx, op, rel, err)
	}
	published := err == nil
	st, found, herr := fs.headFile(ctx, op, rel)
	switch {
	case herr != nil:
		return underfs.Status{}, herr
	case !found || (!published && !t.matches(st)):
		return underfs.Status{}, fs.fail(errs.ErrNotFound, op, rel, "the staged upload is gone (aborted, or cleaned up as stale)")
	case t.size() != st.Length:
		return underfs.Status{}, fs.fail(errs.ErrCorrupt, op, rel, fmt.Sprintf("published %d bytes, the parts hold %d", st.Length, t.size()))
	}
	return st, nil
}

func (t token) size() int64 {
	var n int64
	for _, p := range t.Parts {
		n += p.Size
	}
	return n
}

// matches reports whether st is the object this token's upload made, for a
// publish repeated after the upload completed. S3's multipart ETag is the
// MD5 of the parts' MD5s, "-", and the part count; a store whose ETags are
// not MD5s is judged by length alone.
func (t token) matches(st underfs.Status) bool {
	if t.Empty {
		return st.Length == 0
	}
	if st.Length != t.size() {
		return false
	}
	h := md5.New()
	for _, p := range t.Parts {
		b, err := hex.DecodeString(strings.Trim(p.ETag, `"`))
		if err != nil || len(b) != md5.Size {
			return true
		}
		h.Write(b)
	}
	want := hex.EncodeToString(h.Sum(nil)) + fmt.Sprintf("-%d", len(t.Parts))
	return !strings.Contains(st.Fingerprint, "-") || st.Fingerprint == want
}

// Discard implements underfs.Stager: AbortMultipartUpload.
func (fs *FS) Discard(ctx context.Context, p string, tok []byte) error {
	const op = "discard"
	rel, err := fs.resolve(ctx, op, p)
	if err != nil {
		return err
	}
	t, err := fs.tokenFor(op, rel, tok)
	if err != nil || t.Empty {
		return err
	}
	_, err = fs.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &fs.cfg.Bucket, Key: &t.Key, UploadId: &t.UploadID})
	if err != nil && !isMissing(err) {
		return fs.sdkErr(ctx, op, rel, err)
	}
	return nil
}

// ListStaged implements underfs.StagedLister: the multipart uploads under
// the mount's prefix that began more than
// alluxio.underfs.s3.intermediate.upload.clean.age ago, each with a token
// that names the upload without its parts.
func (fs *FS) ListStaged(ctx context.Context, fn func(path string, token []byte) error) error {
	const op = "list uploads under"
	if _, err := fs.resolve(ctx, op, ""); err != nil {
		return err
	}
	cutoff := time.Now().Add(-fs.cfg.UploadCleanAge)
	in := &s3.ListMultipartUploadsInput{Bucket: &fs.cfg.Bucket, Prefix: aws.String(fs.cfg.Prefix)}
	for {
		out, err := fs.client.ListMultipartUploads(ctx, in)
		if err != nil {
			return fs.sdkErr(ctx, op, "", err)
		}
		for _, u := range out.Uploads {
			key := aws.ToString(u.Key)
			rel, ok := strings.CutPrefix(key, fs.cfg.Prefix)
			if !ok || rel == "" || strings.HasSuffix(rel, "/") || u.Initiated == nil || !u.Initiated.Before(cutoff) {
				continue
			}
			tok, err := json.Marshal(token{Key: key, UploadID: aws.ToString(u.UploadId)})
			if err != nil {
				return err
			}
			if err := fn(rel, tok); err != nil {
				return err
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}
