package proxy

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// s3NS is the namespace of S3's XML documents.
const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

type listBucketsResult struct {
	XMLName           xml.Name      `xml:"ListAllMyBucketsResult"`
	NS                string        `xml:"xmlns,attr"`
	Owner             owner         `xml:"Owner"`
	Buckets           []bucketEntry `xml:"Buckets>Bucket"`
	Prefix            string        `xml:"Prefix,omitempty"`
	ContinuationToken string        `xml:"ContinuationToken,omitempty"`
}

// bucketRegion is the region every bucket here answers for.
const bucketRegion = "us-east-1"

// maxListBuckets is the most buckets one ListBuckets page holds when it
// asks for pages (max-buckets); without it every bucket comes, as in S3.
const maxListBuckets = 10000

// ownerOf is the owner S3 documents show for a user.
func ownerOf(user string) owner { return owner{ID: user, DisplayName: user} }

// userName is the request's user, or "anonymous".
func (req *request) userName() string {
	if req.who != nil && req.who.user != "" {
		return req.who.user
	}
	return "anonymous"
}

func (s *Server) listBuckets(req *request) *s3Error {
	infos, err := s.fs.ListStatus(req.ctx, "/", false, client.StatusOptions{})
	if err != nil {
		return fromClient(err, nil)
	}
	q := req.q
	limit := len(infos)
	if v := q.Get("max-buckets"); q.Has("max-buckets") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListBuckets {
			return errInvalidArgument("Argument max-buckets must be an integer between 1 and 10000.").with("ArgumentName", "max-buckets", "ArgumentValue", v)
		}
		limit = n
	}
	// The continuation token is the last bucket of the page before (a
	// bucket name needs no encoding).
	after := q.Get("continuation-token")
	prefix := q.Get("prefix")
	if r := q.Get("bucket-region"); r != "" && r != bucketRegion {
		infos = nil
	}
	res := listBucketsResult{NS: s3NS, Owner: ownerOf(req.userName()), Buckets: []bucketEntry{}, Prefix: prefix}
	for _, fi := range infos {
		if fi.IsDir && !strings.HasPrefix(fi.Name, ".") && strings.HasPrefix(fi.Name, prefix) && fi.Name > after {
			res.Buckets = append(res.Buckets, bucketEntry{Name: fi.Name, CreationDate: isoTime(fi.Created), BucketRegion: bucketRegion})
		}
	}
	sort.Slice(res.Buckets, func(i, j int) bool { return res.Buckets[i].Name < res.Buckets[j].Name })
	if len(res.Buckets) > limit {
		res.Buckets = res.Buckets[:limit]
		res.ContinuationToken = res.Buckets[limit-1].Name
	}
	if req.r.Method == http.MethodHead {
		req.w.WriteHeader(http.StatusOK)
		return nil
	}
	writeXML(req.w, res)
	return nil
}

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
	// Tags are the bucket's first tag set (S3 took them at creation from
	// 2025 on, for attribute-based access control).
	Tags *[]tag `xml:"Tags>Tag"`
}

// The object ownership settings S3 knows (x-amz-object-ownership).
const (
	ownershipObjectWriter   = "ObjectWriter"
	ownershipOwnerEnforced  = "BucketOwnerEnforced"
	ownershipOwnerPreferred = "BucketOwnerPreferred"
)

// checkObjectOwnership checks CreateBucket's x-amz-object-ownership. An
// object here belongs to the user who wrote it, which is S3's
// ObjectWriter: the other settings would make the bucket's owner own it,
// which the namespace does not do, so they are refused by name rather
// than taken and ignored.
func checkObjectOwnership(h http.Header) *s3Error {
	v := h.Get("X-Amz-Object-Ownership")
	switch v {
	case "", ownershipObjectWriter:
		return nil
	case ownershipOwnerEnforced, ownershipOwnerPreferred:
		return errNotImplemented("x-amz-object-ownership %s is not supported: an object belongs to the user who wrote it (ObjectWriter), as the namespace's owners show", v)
	}
	return errInvalidArgument("Invalid x-amz-object-ownership header: %s", v).with("ArgumentName", "x-amz-object-ownership", "ArgumentValue", v)
}

// maxSmallBody bounds XML request bodies (S3 allows 1,000 keys in a
// DeleteObjects, about 1 MB at most; 10,000 parts in a Complete).
const maxSmallBody = 2 << 20

// readSmallBody reads a small request body (an XML document); a body of
// spaces is none.
func readSmallBody(req *request) ([]byte, *s3Error) {
	if req.r.Header.Get("X-Amz-Content-Sha256") == streamingUnsignedTrailr {
		// S3 takes trailers with object data only, not with a document.
		return nil, errInvalidSHA256Usage()
	}
	body, err := io.ReadAll(io.LimitReader(req.r.Body, maxSmallBody+1))
	if err != nil {
		return nil, errIncompleteBody("reading the request body: %v", err)
	}
	if len(body) > maxSmallBody {
		return nil, errMalformedXML("the XML body is larger than %d bytes", maxSmallBody)
	}
	want, e := contentMD5(req.r)
	if e != nil {
		return nil, e
	}
	if want != nil {
		if got := md5.Sum(body); !bytes.Equal(got[:], want) {
			return nil, errBadMD5(want, got[:])
		}
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, nil
	}
	return body, nil
}

// checkDocumentBody reads the body of a request that carries no object
// data (a small XML document, or nothing) and checks it against the
// SHA-256 the request signed, before anything is looked up: the body is
// part of what the signature covers, and S3 refuses one that does not
// match it as it refuses a bad signature. Object data is checked as it
// streams in (payload), and aws-chunked bodies chunk by chunk.
func checkDocumentBody(req *request) *s3Error {
	want, ok := payloadSHA256(req.r.Header.Get("X-Amz-Content-Sha256"))
	if !ok || carriesObjectData(req) || isAWSChunked(req.r) {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(req.r.Body, maxSmallBody+1))
	if err != nil {
		return errIncompleteBody("reading the request body: %v", err)
	}
	if len(body) > maxSmallBody {
		return errMalformedXML("the XML body is larger than %d bytes", maxSmallBody)
	}
	if got := sha256.Sum256(body); !bytes.Equal(got[:], want) {
		return errSHA256Mismatch(want, got[:])
	}
	req.r.Body = io.NopCloser(bytes.NewReader(body))
	return nil
}

// readXML decodes a small XML request body into v; an empty body is
// allowed when optional.
func readXML(req *request, v any, optional bool) *s3Error {
	body, e := readSmallBody(req)
	if e != nil {
		return e
	}
	if body == nil {
		if optional {
			return nil
		}
		return errMalformedXML("the request needs an XML body")
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return errMalformedXML("the XML you provided was not well-formed or did not validate against our published schema: %v", err)
	}
	return nil
}

func (s *Server) createBucket(req *request) *s3Error {
	if e := checkBucketName(req.bucket); e != nil {
		return e
	}
	if e := checkObjectOwnership(req.r.Header); e != nil {
		return e
	}
	if _, e := checkACLHeaders(req.r.Header, req.userName(), nil); e != nil {
		return e
	}
	var cfg createBucketConfiguration
	if e := readXML(req, &cfg, true); e != nil {
		return e
	}
	var tags []tag
	if cfg.Tags != nil {
		tags = *cfg.Tags
		if e := checkTags(tags, maxBucketTags); e != nil {
			return e
		}
	}
	fi, err := s.fs.CreateDirectory(req.ctx, "/"+req.bucket, client.CreateDirectoryOptions{WriteType: s.cfg.WriteType})
	if errors.Is(err, client.ErrAlreadyExists) {
		fi, serr := s.fs.GetStatus(req.ctx, "/"+req.bucket, client.StatusOptions{})
		if serr == nil && fi.IsDir && fi.Owner != req.userName() {
			return newErr("BucketAlreadyExists", 409, "the bucket %s exists and belongs to another user", req.bucket)
		}
		return errBucketExists("you already own the bucket %s", req.bucket)
	}
	if err != nil {
		return fromClient(err, nil)
	}
	if len(tags) > 0 {
		if e := s.setTags(req, fi, tags, errNoSuchBucket("the bucket %s was deleted while it was made", req.bucket)); e != nil {
			// A bucket without the tags it was asked for is not the one
			// asked for: take it back (it is empty and new).
			_ = s.fs.Delete(req.ctx, fi.Path, client.DeleteOptions{})
			return e
		}
	}
	req.w.Header().Set("Location", "/"+req.bucket)
	req.w.Header().Set("X-Amz-Bucket-Arn", "arn:aws:s3:::"+req.bucket)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// statBucket returns the bucket's directory, or NoSuchBucket.
func (s *Server) statBucket(req *request, bucket string) (*client.FileInfo, *s3Error) {
	p, e := bucketPath(bucket)
	if e != nil {
		return nil, e
	}
	fi, err := s.fs.GetStatus(req.ctx, p, client.StatusOptions{})
	if err == nil && !fi.IsDir {
		err = client.ErrNotFound
	}
	if err != nil {
		return nil, fromClient(err, errNoSuchBucket("the bucket %s does not exist", bucket))
	}
	return fi, nil
}

func (s *Server) headBucket(req *request) *s3Error {
	if _, e := s.statBucket(req, req.bucket); e != nil {
		return e
	}
	req.w.Header().Set("X-Amz-Bucket-Region", bucketRegion)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) deleteBucket(req *request) *s3Error {
	p, e := bucketPath(req.bucket)
	if e != nil {
		return e
	}
	infos, err := s.fs.ListStatus(req.ctx, p, false, client.StatusOptions{})
	if err == nil && len(infos) == 1 && infos[0].Path == p {
		err = client.ErrNotFound // a file, not a bucket
	}
	if err != nil {
		return fromClient(err, errNoSuchBucket("the bucket %s does not exist", req.bucket))
	}
	if hasObjects(p, infos) {
		return errBucketNotEmpty("the bucket %s is not empty", req.bucket)
	}
	// Folders may hold files being written, which are no objects yet:
	// look deeper before calling the bucket empty.
	if all, err := s.fs.ListStatus(req.ctx, p, true, client.StatusOptions{}); err != nil {
		return fromClient(err, nil)
	} else if hasObjects(p, all) {
		return errBucketNotEmpty("the bucket %s is not empty", req.bucket)
	}
	// Unfinished uploads go with the bucket, as in S3.
	if err := s.fs.Delete(req.ctx, p, client.DeleteOptions{Recursive: true}); err != nil {
		return fromClient(err, errNoSuchBucket("the bucket %s does not exist", req.bucket))
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}

// hasObjects says whether a listing of a bucket holds an object: a
// complete file or a folder made as one, outside the hidden folder.
func hasObjects(bucketDir string, infos []*client.FileInfo) bool {
	hidden := bucketDir + "/" + metaDir
	for _, fi := range infos {
		if fspath.IsAncestor(hidden, fi.Path) {
			continue
		}
		if (!fi.IsDir && fi.Completed) || fi.Xattr[xFolder] != nil {
			return true
		}
	}
	return false
}

type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	NS      string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

func (s *Server) bucketLocation(req *request) *s3Error {
	if _, e := s.statBucket(req, req.bucket); e != nil {
		return e
	}
	// us-east-1, which S3 writes as an empty constraint.
	writeXML(req.w, locationConstraint{NS: s3NS})
	return nil
}
