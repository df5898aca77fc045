package proxy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

// Prefix is Alluxio's path of the S3 API; requests are also served
// without it, so that SDKs pointed at the bare endpoint work.
const Prefix = "/api/v1/s3"

// Config configures a Server.
type Config struct {
	// FS reaches the cluster; every call names the request's user
	// (client.WithUser).
	FS *client.FileSystem
	// WriteType of new objects (alluxio.proxy.s3.writetype).
	WriteType string
	// Credentials, when not nil, are checked against every request's
	// signature (alluxio.proxy.s3.credentials.file).
	Credentials Credentials
	// MinPartSize is the smallest part but the last that
	// CompleteMultipartUpload accepts.
	MinPartSize int64
	// CompleteKeepalive is how often CompleteMultipartUpload sends a space
	// while it assembles the object.
	CompleteKeepalive time.Duration
	// MetadataMaxSize bounds an object's user metadata.
	MetadataMaxSize int
	// UploadTimeout is how long an unfinished multipart upload (or an
	// object being written) may go without a change before the cleaner
	// removes it.
	UploadTimeout time.Duration
	Log           *slog.Logger
	// Now is the clock signatures are checked by (time.Now when nil).
	Now func() time.Time
}

// Server answers the S3 API. It is an http.Handler and keeps no state
// beyond its configuration.
type Server struct {
	cfg  Config
	fs   *client.FileSystem
	auth *authenticator
	log  *slog.Logger
	bufs sync.Pool
}

// New returns a Server.
func New(cfg Config) *Server {
	if cfg.WriteType == "" {
		cfg.WriteType = "CACHE_THROUGH"
	}
	if cfg.MinPartSize <= 0 {
		cfg.MinPartSize = 5 << 20
	}
	if cfg.CompleteKeepalive <= 0 {
		cfg.CompleteKeepalive = 30 * time.Second
	}
	if cfg.MetadataMaxSize <= 0 {
		cfg.MetadataMaxSize = 2 << 10
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, fs: cfg.FS, log: cfg.Log, auth: &authenticator{creds: cfg.Credentials, now: cfg.Now}}
	s.bufs.New = func() any { b := make([]byte, copyBuf); return &b }
	return s
}

// copyBuf is the size of the buffers data is copied through.
const copyBuf = 1 << 20

// request is one request being served.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	ctx    context.Context
	id     string
	who    *identity
	bucket string
	key    string
	q      url.Values
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{w: w, r: r, id: newRequestID(), q: r.URL.Query()}
	w.Header().Set("x-amz-request-id", req.id)
	w.Header().Set("x-amz-id-2", req.id)
	w.Header().Set("Server", "AlluxioS3")
	defer func() {
		// A bug in one request must not take the proxy down; the client
		// gets an InternalError (if nothing was sent yet).
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("S3 request panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			writeError(w, r, req.id, errInternal("internal error"))
		}
	}()
	if e := s.serve(req); e != nil {
		switch {
		case e.Status >= 500:
			s.log.Warn("S3 request failed", "method", r.Method, "path", r.URL.Path, "request_id", req.id, "code", e.Code, "error", e.Message)
		case e.message() != e.Message:
			// The client got S3's words; what this proxy knew is here.
			s.log.Debug("S3 request refused", "method", r.Method, "path", r.URL.Path, "request_id", req.id, "code", e.Code, "error", e.Message)
		}
		writeError(w, r, req.id, e)
	}
}

func (s *Server) serve(req *request) *s3Error {
	r := req.r
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, Prefix); ok && (rest == "" || rest[0] == '/') {
		path = rest
	}
	path = strings.TrimPrefix(path, "/")
	req.bucket, req.key, _ = strings.Cut(path, "/")
	if req.bucket != "" && isPostObject(r, req.key, req.q) {
		// The form carries its own signature, over its policy.
		return s.postObject(req)
	}
	if req.bucket != "" && req.key == "" && len(req.q) == 0 && r.Method == http.MethodPost {
		// A POST to a bucket is a form or nothing; S3 says so before it
		// looks at a signature, which a form would carry inside.
		return errPrecondition("a POST to a bucket must be a multipart/form-data form (POST Object), not %q", r.Header.Get("Content-Type")).
			with("Condition", "Bucket POST must be of the enclosure-type multipart/form-data")
	}
	if req.bucket != "" && r.Method == http.MethodOptions {
		// A browser's preflight carries no signature.
		return s.preflight(req)
	}
	who, e := s.auth.authenticate(r)
	if e != nil {
		return e
	}
	req.who = who
	req.ctx = r.Context()
	// Every call to the cluster acts for the access key's user: the proxy
	// logs in as itself and impersonates it, which the masters allow only
	// as alluxio.master.security.impersonation.<proxy user>.* say.
	if who.user != "" {
		req.ctx = client.WithUser(req.ctx, who.user)
	}
	if req.key == "" && r.Header.Get("X-Amz-Content-Sha256") == streamingUnsignedTrailr {
		// Trailers come with object data only (PutObject, UploadPart).
		return errInvalidSHA256Usage()
	}
	if e := checkDocumentBody(req); e != nil {
		return e
	}
	if e := checkQuery(req.q, req.key == ""); e != nil {
		return e
	}
	s.corsHeaders(req)
	if e := s.checkExpectedOwners(req); e != nil {
		return e
	}
	switch {
	case req.bucket == "":
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return s.listBuckets(req)
		}
		return errMethodNotAllowed("%s needs a bucket in the path", r.Method)
	case req.key == "":
		return s.bucketOp(req)
	default:
		return s.objectOp(req)
	}
}

func (s *Server) bucketOp(req *request) *s3Error {
	q := req.q
	unset := unsetConfigOf(q)
	// Subresources first: a PUT ?tagging is no CreateBucket.
	switch {
	case unset != "":
		return s.unsetConfig(req, unset)
	case q.Has("cors"):
		return s.bucketCORS(req)
	case q.Has("tagging"):
		return s.bucketTagging(req)
	case q.Has("acl"):
		return s.bucketACL(req)
	case q.Has("versioning"):
		return s.bucketVersioning(req)
	case q.Has("versions"):
		if req.r.Method != http.MethodGet {
			return errMethodNotAllowed("%s is not allowed on ?versions", req.r.Method)
		}
		return s.listVersions(req)
	}
	switch req.r.Method {
	case http.MethodPut:
		return s.createBucket(req)
	case http.MethodHead:
		return s.headBucket(req)
	case http.MethodDelete:
		return s.deleteBucket(req)
	case http.MethodGet:
		switch {
		case q.Has("location"):
			return s.bucketLocation(req)
		case q.Has("uploads"):
			return s.listUploads(req)
		case q.Get("list-type") == "2":
			return s.listObjects(req, true)
		case q.Has("list-type"):
			return errInvalidArgument("list-type %q: want 2, or none for version 1", q.Get("list-type"))
		default:
			return s.listObjects(req, false)
		}
	case http.MethodPost:
		if q.Has("delete") {
			return s.deleteObjects(req)
		}
	}
	return errNotImplemented("%s on a bucket with %s is not implemented", req.r.Method, queryNames(q))
}

// carriesObjectData says whether req's body is an object's bytes
// (PutObject, UploadPart), which are read as they stream in, rather than
// a document: the PUTs on a key that objectOp does not route to a
// subresource.
func carriesObjectData(req *request) bool {
	return req.r.Method == http.MethodPut && req.key != "" && !req.q.Has("tagging") && !req.q.Has("acl")
}

func (s *Server) objectOp(req *request) *s3Error {
	q := req.q
	switch {
	case q.Has("tagging"):
		return s.objectTagging(req)
	case q.Has("acl"):
		return s.objectACL(req)
	case q.Has("attributes"):
		return s.getObjectAttributes(req)
	case q.Has("versionId") && (req.r.Method == http.MethodPut || req.r.Method == http.MethodPost):
		return errInvalidArgument("a write takes no versionId: objects have one version here, null")
	}
	switch req.r.Method {
	case http.MethodPut:
		switch {
		case q.Has("uploadId") || q.Has("partNumber"):
			if req.r.Header.Get("X-Amz-Copy-Source") != "" {
				return s.uploadPartCopy(req)
			}
			return s.uploadPart(req)
		case req.r.Header.Get("X-Amz-Copy-Source") != "":
			return s.copyObject(req)
		default:
			return s.putObject(req)
		}
	case http.MethodGet, http.MethodHead:
		if q.Has("uploadId") && req.r.Method == http.MethodGet {
			return s.listParts(req)
		}
		return s.getObject(req)
	case http.MethodDelete:
		if q.Has("uploadId") {
			return s.abortUpload(req)
		}
		return s.deleteObject(req)
	case http.MethodPost:
		switch {
		case q.Has("uploads"):
			return s.createUpload(req)
		case q.Has("uploadId"):
			return s.completeUpload(req)
		}
	}
	return errNotImplemented("%s on an object with %s is not implemented", req.r.Method, queryNames(q))
}

// knownQuery are the query parameters of the operations served; S3's
// other subresources (policy, cors, lifecycle, ...) and anything unknown
// are answered NotImplemented rather than ignored, so a client never takes
// a request it meant as something else for done.
var knownQuery = map[string]bool{
	"list-type": true, "prefix": true, "delimiter": true, "max-keys": true, "marker": true,
	"continuation-token": true, "start-after": true, "encoding-type": true, "fetch-owner": true,
	"location": true, "uploads": true, "delete": true, "uploadId": true, "partNumber": true,
	"key-marker": true, "upload-id-marker": true, "max-uploads": true, "part-number-marker": true, "max-parts": true,
	"response-content-type": true, "response-content-language": true, "response-expires": true,
	"response-cache-control": true, "response-content-disposition": true, "response-content-encoding": true,
	"versionId": true, "tagging": true, "acl": true, "attributes": true, "versioning": true, "versions": true, "version-id-marker": true,
	"AWSAccessKeyId": true, "Signature": true, "Expires": true, // signature version 2's presigned URLs
	"max-buckets": true, "bucket-region": true, // ListBuckets pages
}

// checkQuery refuses parameters no served operation takes; cors and the
// names of the configurations every bucket lacks (unset.go) are taken
// only on a bucket.
func checkQuery(q url.Values, onBucket bool) *s3Error {
	for k := range q {
		switch {
		case knownQuery[k]:
		case onBucket && (k == "cors" || isUnsetConfig(k)):
		case strings.HasPrefix(k, "X-Amz-"), strings.HasPrefix(k, "x-"):
			// Presigned URLs' parameters, and SDKs' markers (x-id).
		default:
			return errNotImplemented("the %q subresource or parameter is not implemented", k)
		}
	}
	return nil
}

func queryNames(q url.Values) string {
	if len(q) == 0 {
		return "no query"
	}
	var names []string
	for k := range q {
		names = append(names, k)
	}
	return "?" + strings.Join(names, "&")
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// randomName is a fresh name for a temporary file or an upload id.
func randomName() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) buffer() *[]byte   { return s.bufs.Get().(*[]byte) }
func (s *Server) release(b *[]byte) { s.bufs.Put(b) }
