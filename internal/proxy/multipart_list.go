package proxy

import (
	"encoding/xml"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/alluxio-go/alluxio/client"
)

type partEntry struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumFields
}

type listPartsResult struct {
	XMLName              xml.Name    `xml:"ListPartsResult"`
	NS                   string      `xml:"xmlns,attr"`
	Bucket               string      `xml:"Bucket"`
	Key                  string      `xml:"Key"`
	UploadID             string      `xml:"UploadId"`
	Initiator            owner       `xml:"Initiator"`
	Owner                owner       `xml:"Owner"`
	StorageClass         string      `xml:"StorageClass"`
	ChecksumAlgorithm    string      `xml:"ChecksumAlgorithm"`
	ChecksumType         string      `xml:"ChecksumType"`
	PartNumberMarker     int         `xml:"PartNumberMarker"`
	NextPartNumberMarker int         `xml:"NextPartNumberMarker"`
	MaxParts             int         `xml:"MaxParts"`
	IsTruncated          bool        `xml:"IsTruncated"`
	Parts                []partEntry `xml:"Part"`
}

// intParam reads a non-negative integer query parameter.
func intParam(req *request, name string, def int) (int, *s3Error) {
	v := req.q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errInvalidArgument("%s %q must be a number from 0", name, v)
	}
	return n, nil
}

func (s *Server) listParts(req *request) *s3Error {
	up, e := s.statUpload(req)
	if e != nil {
		return e
	}
	marker, e := intParam(req, "part-number-marker", 0)
	if e != nil {
		return e
	}
	maxParts, e := intParam(req, "max-parts", 1000)
	if e != nil {
		return e
	}
	maxParts = min(maxParts, 1000)
	parts, e := s.uploadParts(req.ctx, up.Path)
	if e != nil {
		return e
	}
	nums := make([]int, 0, len(parts))
	for n := range parts {
		if n > marker {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	res := listPartsResult{NS: s3NS, Bucket: req.bucket, Key: req.key, UploadID: req.q.Get("uploadId"),
		Initiator: ownerOf(up.Owner), Owner: ownerOf(up.Owner), StorageClass: "STANDARD",
		PartNumberMarker: marker, MaxParts: maxParts}
	usum := uploadChecksumOf(up)
	res.ChecksumAlgorithm, res.ChecksumType = usum.names()
	for i, n := range nums {
		if i == maxParts {
			res.IsTruncated = true
			break
		}
		fi := parts[n]
		pe := partEntry{PartNumber: n, LastModified: isoTime(fi.Modified), ETag: quote(etagOf(fi)), Size: fi.Length}
		if c, ok := checksumOf(fi); ok && usum.alg != nil {
			pe.set(c)
		}
		res.Parts = append(res.Parts, pe)
		res.NextPartNumberMarker = n
	}
	writeXML(req.w, res)
	return nil
}

type uploadEntry struct {
	Key          string `xml:"Key"`
	UploadID     string `xml:"UploadId"`
	Initiator    owner  `xml:"Initiator"`
	Owner        owner  `xml:"Owner"`
	StorageClass string `xml:"StorageClass"`
	Initiated    string `xml:"Initiated"`
	// ChecksumAlgorithm and ChecksumType: of uploads created with one.
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

type listUploadsResult struct {
	XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
	NS                 string         `xml:"xmlns,attr"`
	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker,omitempty"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker,omitempty"`
	Delimiter          string         `xml:"Delimiter,omitempty"`
	Prefix             string         `xml:"Prefix"`
	EncodingType       string         `xml:"EncodingType,omitempty"`
	MaxUploads         int            `xml:"MaxUploads"`
	IsTruncated        bool           `xml:"IsTruncated"`
	Uploads            []uploadEntry  `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

func (s *Server) listUploads(req *request) *s3Error {
	q := req.q
	maxUploads, e := intParam(req, "max-uploads", 1000)
	if e != nil {
		return e
	}
	maxUploads = min(maxUploads, 1000)
	enc := q.Get("encoding-type")
	if enc != "" && enc != "url" {
		return errInvalidArgument("encoding-type %q: only url is supported", enc)
	}
	prefix, delim, keyMarker, idMarker := q.Get("prefix"), q.Get("delimiter"), q.Get("key-marker"), q.Get("upload-id-marker")
	if keyMarker == "" {
		idMarker = "" // S3 ignores it without a key marker
	}
	if idMarker != "" && !validUploadID(idMarker) {
		return errUploadIDMarker(idMarker)
	}
	if _, e := s.statBucket(req, req.bucket); e != nil {
		return e
	}
	infos, err := s.fs.ListStatus(req.ctx, "/"+req.bucket+"/"+metaDir+"/"+uploadsDir, false, client.StatusOptions{})
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		return fromClient(err, nil)
	}
	type upload struct {
		key string
		fi  *client.FileInfo
	}
	var ups []upload
	for _, fi := range infos {
		k, ok := fi.Xattr[xUploadKey]
		if ok && fi.IsDir && validUploadID(fi.Name) && strings.HasPrefix(string(k), prefix) {
			ups = append(ups, upload{string(k), fi})
		}
	}
	sort.Slice(ups, func(i, j int) bool {
		a, b := ups[i], ups[j]
		if a.key != b.key {
			return a.key < b.key
		}
		if !a.fi.Created.Equal(b.fi.Created) {
			return a.fi.Created.Before(b.fi.Created)
		}
		return a.fi.Name < b.fi.Name
	})
	keys := make([]string, len(ups))
	ids := make([]string, len(ups))
	for i, u := range ups {
		keys[i], ids[i] = u.key, u.fi.Name
	}
	start, ok := uploadsStart(keys, ids, keyMarker, idMarker, delim)
	if !ok {
		return errUploadIDMarker(idMarker)
	}
	res := listUploadsResult{NS: s3NS, Bucket: req.bucket, KeyMarker: encodeKey(keyMarker, enc), UploadIDMarker: idMarker,
		Delimiter: encodeKey(delim, enc), Prefix: encodeKey(prefix, enc), EncodingType: enc, MaxUploads: maxUploads}
	count := 0
	seen := map[string]bool{}
	for _, u := range ups[start:] {
		if delim != "" {
			if i := strings.Index(u.key[len(prefix):], delim); i >= 0 {
				cp := u.key[:len(prefix)+i+len(delim)]
				// A key marker alone within a prefix listed before
				// skips it, as a ListObjects marker does; with an
				// upload id marker the listing goes on from that very
				// upload, and the prefix of those after it is listed
				// again (S3's answers).
				if seen[cp] || (idMarker == "" && strings.HasPrefix(keyMarker, cp)) {
					continue
				}
				if count == maxUploads {
					res.IsTruncated = true
					break
				}
				seen[cp] = true
				count++
				res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: encodeKey(cp, enc)})
				// The upload that made the prefix is where the next
				// page goes on from.
				res.NextKeyMarker, res.NextUploadIDMarker = encodeKey(cp, enc), u.fi.Name
				continue
			}
		}
		if count == maxUploads {
			res.IsTruncated = true
			break
		}
		count++
		o := ownerOf(u.fi.Owner)
		ue := uploadEntry{Key: encodeKey(u.key, enc), UploadID: u.fi.Name, Initiator: o, Owner: o,
			StorageClass: "STANDARD", Initiated: isoTime(u.fi.Created)}
		if us := uploadChecksumOf(u.fi); us.alg != nil {
			ue.ChecksumAlgorithm, ue.ChecksumType = us.names()
		}
		res.Uploads = append(res.Uploads, ue)
		res.NextKeyMarker, res.NextUploadIDMarker = encodeKey(u.key, enc), u.fi.Name
	}
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = "", ""
	}
	writeXML(req.w, res)
	return nil
}

func errUploadIDMarker(v string) *s3Error {
	return errBadArgument("upload-id-marker", v, "Invalid uploadId marker")
}

// uploadsStart is where a listing of the uploads of keys (sorted, and
// within a key by initiation; ids are theirs) starts after keyMarker and
// idMarker; ok is false for an idMarker that does not name an upload it
// can start after.
//
// A key marker alone starts after its key. With an upload id marker, S3
// starts right after that upload, which must be one of the first key at
// or after the key marker; the next page of a listing that ended in a
// common prefix names that prefix as its key marker, and its upload id
// marker may be of any key under it.
func uploadsStart(keys, ids []string, keyMarker, idMarker, delim string) (start int, ok bool) {
	first := sort.SearchStrings(keys, keyMarker)
	if idMarker == "" {
		for first < len(keys) && keys[first] == keyMarker {
			first++
		}
		return first, true
	}
	underPrefix := delim != "" && strings.HasSuffix(keyMarker, delim)
	for i := first; i < len(keys); i++ {
		if keys[i] != keys[first] && !(underPrefix && strings.HasPrefix(keys[i], keyMarker)) {
			break
		}
		if ids[i] == idMarker {
			return i + 1, true
		}
	}
	return 0, false
}
