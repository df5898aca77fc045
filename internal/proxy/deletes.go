package proxy

import (
	"encoding/xml"
)

type deleteObjectsRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string  `xml:"Key"`
		VersionID *string `xml:"VersionId"`
	} `xml:"Object"`
}

type deletedEntry struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
}

type deleteErrorEntry struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

type deleteResult struct {
	XMLName xml.Name           `xml:"DeleteResult"`
	NS      string             `xml:"xmlns,attr"`
	Deleted []deletedEntry     `xml:"Deleted"`
	Errors  []deleteErrorEntry `xml:"Error"`
}

// maxDeleteKeys is S3's limit on one DeleteObjects.
const maxDeleteKeys = 1000

func (s *Server) deleteObjects(req *request) *s3Error {
	var doc deleteObjectsRequest
	if e := readXML(req, &doc, false); e != nil {
		return e
	}
	if len(doc.Objects) == 0 || len(doc.Objects) > maxDeleteKeys {
		return errMalformedXML("a DeleteObjects request names 1 to %d keys, not %d", maxDeleteKeys, len(doc.Objects))
	}
	if _, e := s.statBucket(req, req.bucket); e != nil {
		return e
	}
	res := deleteResult{NS: s3NS}
	for _, o := range doc.Objects {
		var e *s3Error
		switch {
		case o.VersionID == nil || *o.VersionID == nullVersion:
			e = s.removeObject(req.ctx, req.bucket, o.Key)
		default:
			// Another version is none here: as in S3, deleting a version
			// that does not exist succeeds.
			e = checkVersionID(*o.VersionID)
		}
		v := ""
		if o.VersionID != nil {
			v = *o.VersionID
		}
		switch {
		case e != nil:
			res.Errors = append(res.Errors, deleteErrorEntry{Key: o.Key, VersionID: v, Code: e.Code, Message: e.message()})
		case !doc.Quiet:
			res.Deleted = append(res.Deleted, deletedEntry{Key: o.Key, VersionID: v})
		}
	}
	writeXML(req.w, res)
	return nil
}
