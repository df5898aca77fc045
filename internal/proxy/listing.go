package proxy

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alluxio-go/alluxio/client"
)

type objectEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	Owner        *owner `xml:"Owner,omitempty"`
	StorageClass string `xml:"StorageClass"`
	// ChecksumAlgorithm and ChecksumType: of objects that keep a checksum.
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

type listBucketResult struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	NS                    string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker,omitempty"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	KeyCount              *int           `xml:"KeyCount,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []objectEntry  `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

// listed is one key a listing found.
type listed struct {
	key string
	fi  *client.FileInfo
}

// maxListKeys is S3's cap on max-keys.
const maxListKeys = 1000

func (s *Server) listObjects(req *request, v2 bool) *s3Error {
	q := req.q
	bucketDir, e := bucketPath(req.bucket)
	if e != nil {
		return e
	}
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	maxKeys, enc, e := listParams(q)
	if e != nil {
		return e
	}
	res := listBucketResult{NS: s3NS, Name: req.bucket, MaxKeys: maxKeys, EncodingType: enc,
		Prefix: encodeKey(prefix, enc), Delimiter: encodeKey(delim, enc)}
	after := ""
	if v2 {
		res.StartAfter = encodeKey(q.Get("start-after"), enc)
		after = q.Get("start-after")
		if tok := q.Get("continuation-token"); tok != "" {
			b, err := base64.RawURLEncoding.DecodeString(tok)
			if err != nil || !utf8.Valid(b) { // a token is a key, and keys are UTF-8
				return errInvalidArgument("the continuation token is not one this server gave")
			}
			res.ContinuationToken, after = tok, string(b)
		}
	} else {
		m := q.Get("marker")
		after = m
		em := encodeKey(m, enc)
		res.Marker = &em
	}
	keys, e := s.collect(req, bucketDir, prefix, delim)
	if e != nil {
		return e
	}
	fetchOwner := !v2 || q.Get("fetch-owner") == "true"
	page, truncated := pageOf(keys, after, maxKeys)
	res.IsTruncated = truncated
	count := len(page)
	var last string
	for _, k := range page {
		last = k.key
		if k.fi == nil {
			res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: encodeKey(k.key, enc)})
			continue
		}
		size := k.fi.Length
		if k.fi.IsDir {
			size = 0
		}
		ent := objectEntry{Key: encodeKey(k.key, enc), LastModified: isoTime(k.fi.Modified), ETag: quote(etagOf(k.fi)),
			Size: size, StorageClass: "STANDARD"}
		if c, ok := checksumOf(k.fi); ok {
			ent.ChecksumAlgorithm, ent.ChecksumType = c.alg.name, c.typ
		}
		if fetchOwner {
			o := ownerOf(k.fi.Owner)
			ent.Owner = &o
		}
		res.Contents = append(res.Contents, ent)
	}
	if res.IsTruncated {
		if v2 {
			res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
		} else {
			res.NextMarker = encodeKey(last, enc)
		}
	}
	if v2 {
		res.KeyCount = &count
	}
	writeXML(req.w, res)
	return nil
}

// listParams reads the max-keys and encoding-type of a listing.
func listParams(q url.Values) (maxKeys int, enc string, e *s3Error) {
	maxKeys = maxListKeys
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, "", errInvalidArgument("max-keys %q must be a number from 0", v)
		}
		maxKeys = min(n, maxListKeys)
	}
	enc = q.Get("encoding-type")
	if enc != "" && enc != "url" {
		return 0, "", errInvalidArgument("encoding-type %q: only url is supported", enc)
	}
	return maxKeys, enc, nil
}

// pageOf is the page of keys (as collect gives them) a listing answers:
// the keys after after (a common prefix that after lies in is past too),
// at most maxKeys of them, and whether more follow. S3 answers max-keys=0
// with nothing, not truncated.
func pageOf(keys []listed, after string, maxKeys int) (page []listed, truncated bool) {
	for _, k := range keys {
		if k.key <= after || (k.fi == nil && strings.HasPrefix(after, k.key)) {
			continue
		}
		if len(page) == maxKeys {
			return page, maxKeys > 0
		}
		page = append(page, k)
	}
	return page, false
}

// collect lists the keys of bucketDir that start with prefix, in key order,
// with the keys that share a part up to delim after the prefix rolled up
// into common prefixes (fi nil). Only the folder the prefix lies in is
// read, recursively unless the delimiter is "/" (then the folders are the
// common prefixes).
func (s *Server) collect(req *request, bucketDir, prefix, delim string) ([]listed, *s3Error) {
	base := ""
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		base = prefix[:i]
	}
	dir := bucketDir
	if base != "" {
		if _, _, e := objectPath(req.bucket, base); e != nil {
			return nil, nil // no key can start with this prefix
		}
		dir += "/" + base
	}
	recursive := delim != "/"
	infos, err := s.fs.ListStatus(req.ctx, dir, recursive, client.StatusOptions{})
	if errors.Is(err, client.ErrNotFound) || errors.Is(err, client.ErrNotDirectory) {
		if _, e := s.statBucket(req, req.bucket); e != nil {
			return nil, e
		}
		return nil, nil
	}
	if err != nil {
		return nil, fromClient(err, nil)
	}
	var out []listed
	seen := map[string]bool{}
	add := func(k listed) {
		if k.fi == nil {
			if seen[k.key] {
				return
			}
			seen[k.key] = true
		}
		out = append(out, k)
	}
	// The folder the prefix names may itself be an object ("dir/").
	if base != "" && strings.HasSuffix(prefix, "/") {
		if fi, err := s.fs.GetStatus(req.ctx, dir, client.StatusOptions{}); err == nil && fi.IsDir && fi.Xattr[xFolder] != nil {
			add(listed{key: prefix, fi: fi})
		}
	}
	for _, fi := range infos {
		rel, ok := strings.CutPrefix(fi.Path, bucketDir+"/")
		if !ok || rel == metaDir || strings.HasPrefix(rel, metaDir+"/") {
			continue
		}
		key := rel
		if fi.IsDir {
			key += "/"
		}
		// A folder is an object only when made as one; read recursively,
		// the keys below it are listed anyway.
		object := fi.Xattr[xFolder] != nil || !fi.IsDir
		switch {
		case !strings.HasPrefix(key, prefix):
		case !fi.IsDir && !fi.Completed:
		case fi.IsDir && !object && recursive:
		case delim != "" && strings.Contains(key[len(prefix):], delim):
			i := strings.Index(key[len(prefix):], delim)
			add(listed{key: key[:len(prefix)+i+len(delim)]})
		case object:
			add(listed{key: key, fi: fi})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

// encodeKey applies encoding-type=url as S3 does (form encoding, '/' kept).
func encodeKey(k, enc string) string {
	if enc != "url" {
		return k
	}
	return strings.ReplaceAll(url.QueryEscape(k), "%2F", "/")
}
