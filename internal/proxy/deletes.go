package proxy

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

type deleteObjectsRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string  `xml:"Key"`
		VersionID *string `xml:"VersionId"`
		// The conditions of one key's delete, as deleteCond.
		ETag             string     `xml:"ETag"`
		Size             *int64     `xml:"Size"`
		LastModifiedTime *time.Time `xml:"LastModifiedTime"`
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
			e = s.removeObject(req.ctx, req.bucket, o.Key, deleteCond{match: o.ETag, size: o.Size, modified: o.LastModifiedTime})
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

// deleteCond is what a conditional delete asks of the object it deletes
// (S3's conditional deletes): If-Match, its ETag or * for any object;
// x-amz-if-match-size, its size; x-amz-if-match-last-modified-time, its
// modification time. S3 takes the last two in directory buckets; they are
// taken here too, as a condition a client sent is never ignored.
type deleteCond struct {
	match    string
	size     *int64
	modified *time.Time
}

// deleteConditions reads a DeleteObject's conditions.
func deleteConditions(h http.Header) (deleteCond, *s3Error) {
	c := deleteCond{match: h.Get("If-Match")}
	if v := h.Get("X-Amz-If-Match-Size"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return c, errBadArgument("x-amz-if-match-size", v, "x-amz-if-match-size must be a size in bytes")
		}
		c.size = &n
	}
	if v := h.Get("X-Amz-If-Match-Last-Modified-Time"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return c, errBadArgument("x-amz-if-match-last-modified-time", v, "x-amz-if-match-last-modified-time must be an HTTP date")
		}
		c.modified = &t
	}
	return c, nil
}

// holds says whether an object of that ETag, size and modification time
// meets c.
func (c deleteCond) holds(etag string, size int64, modified time.Time) bool {
	return (c.match == "" || etagMatches(c.match, etag)) &&
		(c.size == nil || *c.size == size) &&
		// Times are shown to the second.
		(c.modified == nil || modified.Truncate(time.Second).Equal(c.modified.Truncate(time.Second)))
}

func (s *Server) deleteObject(req *request) *s3Error {
	v, e := versionParam(req)
	if e != nil {
		return e
	}
	cond, e := deleteConditions(req.r.Header)
	if e != nil {
		return e
	}
	if v != "" {
		// S3 echoes the version deleted, even one that did not exist.
		req.w.Header().Set("X-Amz-Version-Id", v)
	}
	if v != "" && v != nullVersion {
		// No object has this version: nothing to delete.
		if _, e := s.statBucket(req, req.bucket); e != nil {
			return e
		}
		req.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if e := s.removeObject(req.ctx, req.bucket, req.key, cond); e != nil {
		return e
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeObject deletes bucket/key if it meets cond; a key that names
// nothing is no error, as in S3, unless cond names an ETag (If-Match).
// Folders left empty above it go too, unless made as objects. The file
// whose attributes met cond is the one deleted: one that replaced it
// meanwhile is not.
func (s *Server) removeObject(ctx context.Context, bucket, key string, cond deleteCond) *s3Error {
	p, dir, e := objectPath(bucket, key)
	if e != nil {
		return e
	}
	fi, err := s.fs.GetStatus(ctx, p, client.StatusOptions{})
	switch {
	case errors.Is(err, client.ErrNotFound) || errors.Is(err, client.ErrNotDirectory):
		if _, e := s.statBucketCtx(ctx, bucket); e != nil {
			return e
		}
		if cond.match != "" {
			return errNoSuchKey("If-Match: the key holds no object")
		}
		return nil
	case err != nil:
		return fromClient(err, nil)
	case dir && fi.IsDir && fi.Xattr[xFolder] != nil:
		if !cond.holds(etagOf(fi), 0, fi.Modified) {
			return errPrecondition("the folder object does not meet the delete's conditions")
		}
		err = s.fs.Delete(ctx, p, client.DeleteOptions{})
		if errors.Is(err, client.ErrNotEmpty) {
			// The folder stays for the keys below it; it stops being an
			// object.
			err = s.fs.SetAttribute(ctx, p, client.SetAttributeOptions{XattrReplaceAll: true})
		}
	case !dir && !fi.IsDir && fi.Completed:
		if !cond.holds(etagOf(fi), fi.Length, fi.Modified) {
			return errPrecondition("the object does not meet the delete's conditions (ETag %s, %d bytes, modified %s)", etagOf(fi), fi.Length, fi.Modified.UTC().Format(time.RFC3339))
		}
		err = s.fs.Delete(ctx, p, client.DeleteOptions{FileID: fi.ID})
		if errors.Is(err, client.ErrNotFound) && cond != (deleteCond{}) {
			// Replaced or removed since it met the conditions.
			return errPrecondition("the object changed while it was deleted")
		}
	default:
		// No object has this key (a folder of other keys, or a file
		// still being written).
		if cond.match != "" {
			return errNoSuchKey("If-Match: the key holds no object")
		}
		return nil
	}
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		return fromClient(err, nil)
	}
	s.pruneEmpty(ctx, "/"+bucket, fspath.Parent(p))
	return nil
}
