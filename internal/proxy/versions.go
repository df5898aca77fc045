package proxy

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/alluxio-go/alluxio/client"
)

// Buckets here are never versioned: a key holds one object, whose version
// id is S3's "null" (the id of objects written while versioning was never
// enabled). Versioning reads answer that; enabling it is refused.

// nullVersion is the version id of every object.
const nullVersion = "null"

// versionParam reads a request's versionId: "" when absent, "null", or
// another id, which names no version here. S3 refuses an empty id and one
// that is not shaped like its ids (InvalidArgument); its ids are 32 or
// more characters of URL-safe base64.
func versionParam(req *request) (string, *s3Error) {
	if !req.q.Has("versionId") {
		return "", nil
	}
	v := req.q.Get("versionId")
	return v, checkVersionID(v)
}

// checkVersionID refuses a version id that cannot be one.
func checkVersionID(v string) *s3Error {
	switch {
	case v == "":
		return errInvalidArgument("version id cannot be the empty string")
	case v == nullVersion:
		return nil
	case len(v) < 32 || len(v) > 1024 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-+/=") != "":
		return errInvalidArgument("invalid version id specified: %q", v)
	}
	return nil
}

func errNoSuchVersion() *s3Error {
	return newErr("NoSuchVersion", 404, "the specified version does not exist")
}

// statVersion finds the object a request names, and the version it names
// if any: the "null" version is the object; other ids are NoSuchVersion
// (after NoSuchBucket), as is a missing object asked for by version.
func (s *Server) statVersion(req *request) (*client.FileInfo, *s3Error) {
	v, e := versionParam(req)
	if e != nil {
		return nil, e
	}
	if v != "" && v != nullVersion {
		if _, e := s.statBucket(req, req.bucket); e != nil {
			return nil, e
		}
		return nil, errNoSuchVersion()
	}
	fi, e := s.statObject(req.ctx, req.bucket, req.key)
	if e != nil && e.Code == "NoSuchKey" && v != "" {
		return nil, errNoSuchVersion()
	}
	if e == nil && v != "" {
		req.w.Header().Set("X-Amz-Version-Id", v)
	}
	return fi, e
}

type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	NS        string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete,omitempty"`
}

func (s *Server) bucketVersioning(req *request) *s3Error {
	if _, e := s.statBucket(req, req.bucket); e != nil {
		return e
	}
	switch req.r.Method {
	case http.MethodGet:
		// Never enabled: S3 answers an empty configuration.
		writeXML(req.w, versioningConfiguration{NS: s3NS})
		return nil
	case http.MethodPut:
		var doc versioningConfiguration
		if e := readXML(req, &doc, false); e != nil {
			return e
		}
		switch doc.Status {
		case "Enabled", "Suspended":
		default:
			return errMalformedXML("the versioning Status %q is not Enabled or Suspended", doc.Status)
		}
		switch doc.MfaDelete {
		case "", "Disabled", "Enabled":
		default:
			return errMalformedXML("the versioning MfaDelete %q is not Enabled or Disabled", doc.MfaDelete)
		}
		return errNotImplemented("bucket versioning (Status %s) is not implemented: a key holds one object here, whose version id is null", doc.Status)
	}
	return errMethodNotAllowed("%s is not allowed on ?versioning", req.r.Method)
}

type versionEntry struct {
	Key          string `xml:"Key"`
	VersionID    string `xml:"VersionId"`
	IsLatest     bool   `xml:"IsLatest"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	Owner        owner  `xml:"Owner"`
	StorageClass string `xml:"StorageClass"`
}

type listVersionsResult struct {
	XMLName             xml.Name       `xml:"ListVersionsResult"`
	NS                  string         `xml:"xmlns,attr"`
	Name                string         `xml:"Name"`
	Prefix              string         `xml:"Prefix"`
	KeyMarker           string         `xml:"KeyMarker"`
	VersionIDMarker     string         `xml:"VersionIdMarker"`
	NextKeyMarker       string         `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string         `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int            `xml:"MaxKeys"`
	Delimiter           string         `xml:"Delimiter,omitempty"`
	EncodingType        string         `xml:"EncodingType,omitempty"`
	IsTruncated         bool           `xml:"IsTruncated"`
	Versions            []versionEntry `xml:"Version"`
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

// listVersions is ListObjectVersions: the objects, each as its one
// version "null", paged by key-marker as ListObjects pages by marker.
func (s *Server) listVersions(req *request) *s3Error {
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
	after, vm := q.Get("key-marker"), q.Get("version-id-marker")
	switch {
	case q.Has("version-id-marker") && after == "":
		return errInvalidArgument("a version-id marker cannot be specified without a key marker")
	case q.Has("version-id-marker"):
		// The marker names a version of the key-marker's key, which has
		// only "null": the listing goes on after the key either way.
		if e := checkVersionID(vm); e != nil {
			return e
		}
	}
	keys, e := s.collect(req, bucketDir, prefix, delim)
	if e != nil {
		return e
	}
	res := listVersionsResult{NS: s3NS, Name: req.bucket, MaxKeys: maxKeys, EncodingType: enc,
		Prefix: encodeKey(prefix, enc), Delimiter: encodeKey(delim, enc),
		KeyMarker: encodeKey(after, enc), VersionIDMarker: vm}
	page, truncated := pageOf(keys, after, maxKeys)
	res.IsTruncated = truncated
	for _, k := range page {
		if k.fi == nil {
			res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: encodeKey(k.key, enc)})
			continue
		}
		size := k.fi.Length
		if k.fi.IsDir {
			size = 0
		}
		res.Versions = append(res.Versions, versionEntry{Key: encodeKey(k.key, enc), VersionID: nullVersion, IsLatest: true,
			LastModified: isoTime(k.fi.Modified), ETag: quote(etagOf(k.fi)), Size: size, Owner: ownerOf(k.fi.Owner), StorageClass: "STANDARD"})
	}
	if truncated {
		last := page[len(page)-1]
		res.NextKeyMarker = encodeKey(last.key, enc)
		if last.fi != nil {
			res.NextVersionIDMarker = nullVersion
		}
	}
	writeXML(req.w, res)
	return nil
}
