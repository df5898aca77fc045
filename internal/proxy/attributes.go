package proxy

import (
	"encoding/xml"
	"net/http"
	"strings"
)

// GetObjectAttributes (GET ?attributes): the attributes that
// x-amz-object-attributes names, without the content.

type objectAttributes struct {
	XMLName      xml.Name            `xml:"GetObjectAttributesResponse"`
	NS           string              `xml:"xmlns,attr"`
	ETag         string              `xml:"ETag,omitempty"`
	Checksum     *attributesChecksum `xml:"Checksum,omitempty"`
	ObjectParts  *attributesParts    `xml:"ObjectParts,omitempty"`
	StorageClass string              `xml:"StorageClass,omitempty"`
	ObjectSize   *int64              `xml:"ObjectSize,omitempty"`
}

type attributesChecksum struct {
	checksumFields
	ChecksumType string `xml:"ChecksumType"`
}

type attributesPart struct {
	PartNumber int   `xml:"PartNumber"`
	Size       int64 `xml:"Size"`
}

type attributesParts struct {
	PartsCount           int              `xml:"PartsCount"`
	PartNumberMarker     int              `xml:"PartNumberMarker"`
	NextPartNumberMarker int              `xml:"NextPartNumberMarker"`
	MaxParts             int              `xml:"MaxParts"`
	IsTruncated          bool             `xml:"IsTruncated"`
	Parts                []attributesPart `xml:"Part"`
}

// objectAttributeNames are the attributes a request may ask for.
var objectAttributeNames = map[string]bool{"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true}

// parseObjectAttributes reads x-amz-object-attributes, a comma-separated
// list (or repeated header) of attribute names.
func parseObjectAttributes(h http.Header) (map[string]bool, *s3Error) {
	want := map[string]bool{}
	for _, v := range h.Values("X-Amz-Object-Attributes") {
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a == "" {
				continue
			}
			if !objectAttributeNames[a] {
				return nil, errInvalidArgument("Invalid attribute name specified.")
			}
			want[a] = true
		}
	}
	if len(want) == 0 {
		return nil, errInvalidRequest("The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
	}
	return want, nil
}

// headerInt reads a non-negative integer header.
func headerInt(h http.Header, name string, def int) (int, *s3Error) {
	return intParam(&request{q: map[string][]string{name: h.Values(name)}}, name, def)
}

func (s *Server) getObjectAttributes(req *request) *s3Error {
	if req.r.Method != http.MethodGet {
		return errMethodNotAllowed("GetObjectAttributes takes GET")
	}
	if _, e := s.statBucket(req, req.bucket); e != nil {
		return e
	}
	want, e := parseObjectAttributes(req.r.Header)
	if e != nil {
		return e
	}
	maxParts, e := headerInt(req.r.Header, "X-Amz-Max-Parts", 1000)
	if e != nil {
		return e
	}
	marker, e := headerInt(req.r.Header, "X-Amz-Part-Number-Marker", 0)
	if e != nil {
		return e
	}
	fi, e := s.statVersion(req)
	if e != nil {
		return e
	}
	size := fi.Length
	if fi.IsDir {
		size = 0
	}
	res := objectAttributes{NS: s3NS}
	if want["ETag"] {
		res.ETag = etagOf(fi)
	}
	if want["StorageClass"] {
		res.StorageClass = "STANDARD"
	}
	if want["ObjectSize"] {
		res.ObjectSize = &size
	}
	if c, ok := checksumOf(fi); ok && want["Checksum"] {
		res.Checksum = &attributesChecksum{ChecksumType: c.typ}
		res.Checksum.set(c)
	}
	if sizes, multipart := partSizesOf(fi, size); multipart && want["ObjectParts"] {
		p := &attributesParts{PartsCount: len(sizes), PartNumberMarker: marker, MaxParts: min(maxParts, 1000)}
		for n := marker + 1; n <= len(sizes); n++ {
			if len(p.Parts) == p.MaxParts {
				p.IsTruncated = true
				break
			}
			p.Parts = append(p.Parts, attributesPart{PartNumber: n, Size: sizes[n-1]})
			p.NextPartNumberMarker = n
		}
		res.ObjectParts = p
	}
	h := req.w.Header()
	h.Set("Last-Modified", fi.Modified.UTC().Format(http.TimeFormat))
	writeXML(req.w, res)
	return nil
}
