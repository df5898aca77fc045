package proxy

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/alluxio-go/alluxio/internal/fspath"
)

// metaDir is the hidden folder in each bucket that holds the proxy's own
// files: objects being written (tmpDir) and multipart uploads (uploadsDir).
// It lives in the bucket, so that a finished object is renamed within one
// mount point. Keys under it are refused and it never shows in listings.
const (
	metaDir    = ".alluxio_s3_api_metadata"
	tmpDir     = "tmp"
	uploadsDir = "uploads"
)

// maxKeyLen is S3's limit on an object key, in bytes of UTF-8.
const maxKeyLen = 1024

// checkBucketName applies S3's rules for new bucket names: 3 to 63
// characters of lower-case letters, digits, dots and hyphens, starting
// and ending with a letter or digit, not like an IP address, no "..".
func checkBucketName(b string) *s3Error {
	bad := func(why string) *s3Error { return errInvalidBucketName("bucket name %q %s", b, why) }
	if len(b) < 3 || len(b) > 63 {
		return bad("must be 3 to 63 characters long")
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return bad("may hold only lower-case letters, digits, '.' and '-'")
		}
	}
	if !isAlnum(b[0]) || !isAlnum(b[len(b)-1]) {
		return bad("must start and end with a letter or digit")
	}
	if strings.Contains(b, "..") || strings.Contains(b, ".-") || strings.Contains(b, "-.") {
		return bad("must not hold '..', '.-' or '-.'")
	}
	if net.ParseIP(b) != nil {
		return bad("must not look like an IP address")
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// bucketPath is the directory of an existing bucket. Buckets made by other
// means than CreateBucket may have any name a directory can have, so only
// what cannot be a path component is refused here.
func bucketPath(b string) (string, *s3Error) {
	if b == "" {
		return "", errInvalidBucketName("no bucket in the request path")
	}
	if strings.HasPrefix(b, ".") {
		return "", errInvalidBucketName("bucket name %q starts with '.'", b)
	}
	if err := fspath.ValidateName(b); err != nil {
		return "", errInvalidBucketName("bucket name %q: %v", b, err)
	}
	return "/" + b, nil
}

// objectPath maps a key to its path in the bucket. A key ending in "/" is a
// folder marker: its path is the folder's (dir reports it). Keys that a
// path cannot hold are refused: empty segments, "." and "..", and the
// proxy's hidden folder.
func objectPath(bucket, key string) (path string, dir bool, e *s3Error) {
	bp, e := bucketPath(bucket)
	if e != nil {
		return "", false, e
	}
	if key == "" {
		return "", false, errInvalidRequest("no object key in the request path")
	}
	if len(key) > maxKeyLen {
		return "", false, errKeyTooLong("the key is %d bytes long, at most %d are allowed", len(key), maxKeyLen)
	}
	if !utf8.ValidString(key) {
		return "", false, errInvalidArgument("the key is not valid UTF-8")
	}
	trimmed, dir := strings.CutSuffix(key, "/")
	for i, seg := range strings.Split(trimmed, "/") {
		switch {
		case seg == "":
			return "", false, errInvalidArgument("key %q has an empty segment ('//' or a leading '/'); keys are paths here", key)
		case seg == "." || seg == "..":
			return "", false, errInvalidArgument("key %q has a %q segment; keys are paths here", key, seg)
		case i == 0 && seg == metaDir:
			return "", false, errInvalidArgument("key %q is in the proxy's hidden folder %s", key, metaDir)
		case len(seg) > fspath.MaxNameLen:
			// A path's names are bounded (NAME_MAX) as well as its key.
			return "", false, errKeyTooLong("key %q has a segment of %d bytes, at most %d are allowed between slashes", key, len(seg), fspath.MaxNameLen)
		}
		if err := fspath.ValidateName(seg); err != nil {
			return "", false, errInvalidArgument("key %q: %v", key, err)
		}
	}
	p := bp + "/" + trimmed
	if err := fspath.Validate(p); err != nil {
		return "", false, errKeyTooLong("key %q: %v", key, err)
	}
	return p, dir, nil
}

// keyOf is the key of the object at path in bucket.
func keyOf(bucketDir, path string, dir bool) string {
	k := strings.TrimPrefix(path, bucketDir+"/")
	if dir {
		k += "/"
	}
	return k
}

// objectURL is the absolute URL of key in bucket as the client reached
// this proxy (S3 answers a Location of this form), with Alluxio's path
// prefix when the request used it.
func objectURL(r *http.Request, bucket, key string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	prefix := ""
	if strings.HasPrefix(r.URL.Path, Prefix+"/") {
		prefix = Prefix
	}
	return scheme + "://" + r.Host + prefix + "/" + bucket + "/" + (&url.URL{Path: key}).EscapedPath()
}
