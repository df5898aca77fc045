package proxy

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

// Extended attributes the proxy keeps on files and folders.
const (
	xETag        = "s3.etag"         // hex MD5, or "<hex>-<parts>" for multipart
	xContentType = "s3.content-type" // Content-Type as sent
	xFolder      = "s3.folder"       // a folder created as the object "key/"
	xMetaPrefix  = "s3.meta."        // + lower-case name: x-amz-meta-<name>
	xHdrPrefix   = "s3.header."      // + lower-case name: a stored response header
	xTags        = "s3.tags"         // the tag set (see tagging.go)
	xParts       = "s3.parts"        // part sizes of an object from CompleteMultipartUpload (see parts.go)
	xUploadID    = "s3.upload.id"    // the multipart upload an object was completed from
	// On a multipart upload's folder: its object key.
	xUploadKey = "s3.upload.key"
)

// storedHeaders are the request headers S3 keeps with an object and sends
// back with it.
var storedHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires", redirectHeader}

// redirectHeader is where a website would redirect a request for the
// object; S3 keeps it with the object and sends it back.
const redirectHeader = "X-Amz-Website-Redirect-Location"

// defaultContentType is what S3 answers for an object stored without one.
const defaultContentType = "binary/octet-stream"

// objectMeta is what a request says about the object it writes.
type objectMeta map[string][]byte

// metaFromRequest collects the content type, stored headers and user
// metadata of a write, refusing user metadata over limit bytes.
func metaFromRequest(r *http.Request, limit int) (objectMeta, *s3Error) {
	m := objectMeta{}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		m[xContentType] = []byte(ct)
	}
	if v := r.Header.Get(redirectHeader); v != "" && !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return nil, newErr("InvalidRedirectLocation", 400, "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.")
	}
	for _, h := range storedHeaders {
		v := r.Header.Get(h)
		if h == "Content-Encoding" {
			v = storedContentEncoding(v)
		}
		if v != "" {
			m[xHdrPrefix+strings.ToLower(h)] = []byte(v)
		}
	}
	size := 0
	for k, vs := range r.Header {
		name, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-meta-")
		if !ok {
			continue
		}
		v := strings.Join(vs, ",")
		size += len(name) + len(v)
		m[xMetaPrefix+name] = []byte(v)
	}
	if size > limit {
		return nil, errMetadataTooLarge("your metadata headers exceed the maximum allowed metadata size of %d bytes (%d)", limit, size)
	}
	return m, nil
}

// metaOf is the part of a file's attributes that describes the object
// (what CopyObject copies), without the ETag and the part sizes.
func metaOf(x map[string][]byte) objectMeta {
	m := objectMeta{}
	for k, v := range x {
		if k == xContentType || k == xTags || strings.HasPrefix(k, xMetaPrefix) || strings.HasPrefix(k, xHdrPrefix) {
			m[k] = v
		}
	}
	return m
}

// withETag returns m's attributes with the ETag added.
func (m objectMeta) withETag(etag string) map[string][]byte {
	out := make(map[string][]byte, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	out[xETag] = []byte(etag)
	return out
}

// etagOf is a file's ETag, unquoted. Files written by other means than
// the S3 API have none stored; theirs is made from what identifies their
// content (id, length, modification time), so it is stable across reads
// and changes when the file is replaced.
func etagOf(fi *client.FileInfo) string {
	if v, ok := fi.Xattr[xETag]; ok && len(v) > 0 {
		return string(v)
	}
	sum := md5.Sum(fmt.Appendf(nil, "%d/%d/%d", fi.ID, fi.Length, fi.Modified.UnixMilli()))
	return hex.EncodeToString(sum[:])
}

func quote(etag string) string { return `"` + etag + `"` }

// unquote strips the quotes (and a weak validator's W/) from an ETag a
// client sent.
func unquote(etag string) string {
	etag = strings.TrimSpace(etag)
	etag = strings.TrimPrefix(etag, "W/")
	return strings.Trim(etag, `"`)
}

// setObjectHeaders writes the headers of a GET or HEAD answer.
func setObjectHeaders(h http.Header, fi *client.FileInfo) {
	ct := defaultContentType
	if v, ok := fi.Xattr[xContentType]; ok {
		ct = string(v)
	}
	h.Set("Content-Type", ct)
	h.Set("ETag", quote(etagOf(fi)))
	h.Set("Last-Modified", fi.Modified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	setTaggingCount(h, fi.Xattr)
	for k, v := range fi.Xattr {
		if name, ok := strings.CutPrefix(k, xMetaPrefix); ok {
			h["X-Amz-Meta-"+name] = []string{string(v)}
		} else if name, ok := strings.CutPrefix(k, xHdrPrefix); ok {
			h.Set(name, string(v))
		}
	}
}

// isoTime is the time format of S3's XML documents.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
