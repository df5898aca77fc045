package proxy

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alluxio-go/alluxio/client"
)

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	NS           string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	NS           string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	checksumFields
}

// copySource parses x-amz-copy-source ("bucket/key" or "/bucket/key",
// URL-encoded, maybe with ?versionId=null).
func copySource(h string) (bucket, key string, e *s3Error) {
	src, query, _ := strings.Cut(h, "?")
	if query != "" {
		v, err := url.ParseQuery(query)
		if err != nil {
			return "", "", errInvalidArgument("x-amz-copy-source %q has a malformed query", h)
		}
		if v.Has("versionId") {
			if e := checkVersionID(v.Get("versionId")); e != nil {
				return "", "", e
			}
			if v.Get("versionId") != nullVersion {
				return "", "", errNoSuchVersion()
			}
		}
	}
	dec, err := url.PathUnescape(src)
	if err != nil || !utf8.ValidString(dec) {
		return "", "", errBadArgument("x-amz-copy-source", h, "Invalid copy source encoding")
	}
	bucket, key, _ = strings.Cut(strings.TrimPrefix(dec, "/"), "/")
	if _, e := bucketPath(bucket); e != nil || !canBeS3Bucket(bucket) {
		return "", "", errBadArgument("x-amz-copy-source", h, "Invalid copy source bucket name")
	}
	trimmed := strings.TrimSuffix(key, "/")
	if strings.Trim(key, "/") == "" || slices.ContainsFunc(strings.Split(trimmed, "/"), func(seg string) bool { return seg == "." || seg == ".." }) {
		// S3 names the key alone here.
		return "", "", errBadArgument("x-amz-copy-source", key, "Invalid copy source object key")
	}
	return bucket, key, nil
}

// canBeS3Bucket says whether b is a name S3 could have given a bucket,
// under its rules of today or its older ones (upper case and '_', which
// us-east-1 took): a copy source naming anything else is malformed, and
// refused before any lookup. Buckets of this namespace made by other
// means with other names can be read, but not copied from.
func canBeS3Bucket(b string) bool {
	if b == "" || net.ParseIP(b) != nil {
		return false
	}
	for i := 0; i < len(b); i++ {
		if c := b[i]; !isAlnum(c) && !(c >= 'A' && c <= 'Z') && c != '.' && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// copyPreconditions applies the x-amz-copy-source-if-* headers to the
// source object; S3 answers PreconditionFailed for any that fails.
func copyPreconditions(h http.Header, fi *client.FileInfo) *s3Error {
	ch := http.Header{}
	for _, n := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if v := h.Get("X-Amz-Copy-Source-" + n); v != "" {
			ch.Set(n, v)
		}
	}
	if preconditions(ch, etagOf(fi), fi.Modified) != 0 {
		return errPrecondition("at least one of the preconditions you specified did not hold")
	}
	return nil
}

// copySourceObject is the object X-Amz-Copy-Source names (bucket and
// key, and its status), once the copy's preconditions
// (x-amz-copy-source-if-*) hold for it: CopyObject and UploadPartCopy read
// their source alike.
func (s *Server) copySourceObject(req *request) (src *client.FileInfo, bucket, key string, e *s3Error) {
	bucket, key, e = copySource(req.r.Header.Get("X-Amz-Copy-Source"))
	if e != nil {
		return nil, "", "", e
	}
	if src, e = s.statObject(req.ctx, bucket, key); e != nil {
		return nil, "", "", e
	}
	if e := copyPreconditions(req.r.Header, src); e != nil {
		return nil, "", "", e
	}
	return src, bucket, key, nil
}

func (s *Server) copyObject(req *request) *s3Error {
	dst, dir, e := objectPath(req.bucket, req.key)
	if e != nil {
		return e
	}
	var alg *checksumAlg
	if v := req.r.Header.Get("X-Amz-Checksum-Algorithm"); v != "" {
		if alg = algByName(v); alg == nil {
			return errUnsupportedChecksum()
		}
	}
	src, sb, sk, e := s.copySourceObject(req)
	if e != nil {
		return e
	}
	if dir || src.IsDir {
		return errNotImplemented("copying folder objects (keys ending in '/') is not implemented")
	}
	if e := checkStorageHeaders(req.r.Header); e != nil {
		return e
	}
	if _, e := checkACLHeaders(req.r.Header, req.userName(), s.bucketOwner(req)); e != nil {
		return e
	}
	if d := req.r.Header.Get("X-Amz-Tagging-Directive"); d != "" && d != "COPY" && d != "REPLACE" {
		return errInvalidArgument("Unknown tagging directive.")
	}
	// The request's metadata is checked whatever the directive, as S3
	// does, and used only when it replaces the source's.
	meta, e := metaFromRequest(req.r, s.cfg.MetadataMaxSize)
	if e != nil {
		return e
	}
	switch d := req.r.Header.Get("X-Amz-Metadata-Directive"); d {
	case "", "COPY":
		redirect := xHdrPrefix + strings.ToLower(redirectHeader)
		given, changed := meta[redirect]
		meta = metaOf(src.Xattr)
		// S3 copies the metadata but never the website redirect: a copy
		// has the one its request names, or none.
		delete(meta, redirect)
		if changed {
			meta[redirect] = given
		}
		if sb == req.bucket && sk == req.key && alg == nil && !changed {
			return errInvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
		}
	case "REPLACE":
	default:
		return errInvalidArgument("Unknown metadata directive.")
	}
	if e := copyTagging(req.r, src, meta); e != nil {
		return e
	}
	etag := etagOf(src)
	modified := time.Now()
	sum, kept := copyChecksum(src, alg)
	if sb == req.bucket && sk == req.key {
		// Onto itself: only the metadata (and the checksum asked for)
		// changes; the content, its ETag and its parts stay.
		if p := src.Xattr[xParts]; len(p) > 0 {
			meta[xParts] = p
		}
		if !kept {
			if e := s.checksumContent(req.ctx, src, sum); e != nil {
				return e
			}
		}
		meta[xChecksum] = sum.sum().encode()
		err := s.fs.SetAttribute(req.ctx, dst, client.SetAttributeOptions{Xattr: meta.withETag(etag), XattrReplaceAll: true})
		if err != nil {
			return fromClient(err, errNoSuchKey("the specified key does not exist"))
		}
	} else {
		rd, err := s.fs.OpenInfo(req.ctx, src, client.OpenOptions{})
		if err != nil {
			return fromClient(err, errNoSuchKey("the source object does not exist"))
		}
		defer rd.Close()
		h := md5.New()
		body := hashedSource(rd, src.Length, h)
		if !kept {
			body = sum.wrap(body)
		}
		body.attrs = sum.attrs
		etag, e = s.writeObject(req.ctx, req.bucket, dst, body, meta, func() string { return hex.EncodeToString(h.Sum(nil)) }, writeCond{})
		if e != nil {
			return e
		}
	}
	res := copyObjectResult{NS: s3NS, ETag: quote(etag), LastModified: isoTime(modified)}
	c := sum.sum()
	res.set(c)
	res.ChecksumType = c.typ
	writeXML(req.w, res)
	return nil
}

// copyTagging sets the tags of a copy in meta as x-amz-tagging-directive
// says: the source's (COPY, the default) or those of x-amz-tagging
// (REPLACE).
func copyTagging(r *http.Request, src *client.FileInfo, meta objectMeta) *s3Error {
	delete(meta, xTags)
	switch d := r.Header.Get("X-Amz-Tagging-Directive"); d {
	case "", "COPY":
		if t := src.Xattr[xTags]; len(t) > 0 {
			meta[xTags] = t
		}
		return nil
	case "REPLACE":
		return taggingFromRequest(r, meta)
	default:
		return errInvalidArgument("Unknown tagging directive.")
	}
}

// hashedSource is length bytes of r, all of them or an error, hashed into
// h as they are copied.
func hashedSource(r io.Reader, length int64, h hash.Hash) source {
	exact := &exactReader{r: io.LimitReader(r, length), left: length}
	if length < pipeMinBytes {
		return source{r: io.TeeReader(exact, h), size: length}
	}
	return source{r: exact, size: length, hash: func(b []byte) { h.Write(b) }}
}

// exactReader fails when r ends before left bytes: a source that shrank
// must not make a short copy.
type exactReader struct {
	r    io.Reader
	left int64
}

func (x *exactReader) Read(p []byte) (int, error) {
	n, err := x.r.Read(p)
	x.left -= int64(n)
	if err == io.EOF && x.left > 0 {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}
