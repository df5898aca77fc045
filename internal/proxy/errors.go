package proxy

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/alluxio-go/alluxio/client"
)

// s3Error is an error S3 clients understand: a code from the S3 error list
// with its HTTP status.
type s3Error struct {
	Code    string
	Status  int
	Message string
	// Fields are the elements S3 adds to some errors' documents
	// (ArgumentName, AWSAccessKeyId, HeadersNotSigned, ...), in order.
	Fields []errorField
}

// errorField is one more element of an error document.
type errorField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// with adds the elements of name-value pairs to e's document.
func (e *s3Error) with(pairs ...string) *s3Error {
	for i := 0; i+1 < len(pairs); i += 2 {
		e.Fields = append(e.Fields, errorField{XMLName: xml.Name{Local: pairs[i]}, Value: pairs[i+1]})
	}
	return e
}

func (e *s3Error) Error() string { return e.Code + ": " + e.Message }

func newErr(code string, status int, format string, args ...any) *s3Error {
	return &s3Error{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

// The errors of the S3 error list this proxy answers; each constructor
// takes the message.
func errAccessDenied(f string, a ...any) *s3Error { return newErr("AccessDenied", 403, f, a...) }
func errBadDigest(f string, a ...any) *s3Error    { return newErr("BadDigest", 400, f, a...) }
func errBucketExists(f string, a ...any) *s3Error {
	return newErr("BucketAlreadyOwnedByYou", 409, f, a...)
}
func errBucketNotEmpty(f string, a ...any) *s3Error  { return newErr("BucketNotEmpty", 409, f, a...) }
func errEntityTooLarge(f string, a ...any) *s3Error  { return newErr("EntityTooLarge", 400, f, a...) }
func errEntityTooSmall(f string, a ...any) *s3Error  { return newErr("EntityTooSmall", 400, f, a...) }
func errIncompleteBody(f string, a ...any) *s3Error  { return newErr("IncompleteBody", 400, f, a...) }
func errInternal(f string, a ...any) *s3Error        { return newErr("InternalError", 500, f, a...) }
func errInvalidArgument(f string, a ...any) *s3Error { return newErr("InvalidArgument", 400, f, a...) }
func errInvalidBucketName(f string, a ...any) *s3Error {
	return newErr("InvalidBucketName", 400, f, a...)
}
func errInvalidDigest(f string, a ...any) *s3Error { return newErr("InvalidDigest", 400, f, a...) }
func errInvalidPart(f string, a ...any) *s3Error   { return newErr("InvalidPart", 400, f, a...) }
func errInvalidPartOrder(f string, a ...any) *s3Error {
	return newErr("InvalidPartOrder", 400, f, a...)
}
func errInvalidRange(f string, a ...any) *s3Error   { return newErr("InvalidRange", 416, f, a...) }
func errInvalidRequest(f string, a ...any) *s3Error { return newErr("InvalidRequest", 400, f, a...) }
func errKeyTooLong(f string, a ...any) *s3Error     { return newErr("KeyTooLongError", 400, f, a...) }
func errMalformedXML(f string, a ...any) *s3Error   { return newErr("MalformedXML", 400, f, a...) }
func errMetadataTooLarge(f string, a ...any) *s3Error {
	return newErr("MetadataTooLarge", 400, f, a...)
}
func errMethodNotAllowed(f string, a ...any) *s3Error {
	return newErr("MethodNotAllowed", 405, f, a...)
}
func errMissingContentLength(f string, a ...any) *s3Error {
	return newErr("MissingContentLength", 411, f, a...)
}
func errNoSuchBucket(f string, a ...any) *s3Error   { return newErr("NoSuchBucket", 404, f, a...) }
func errNoSuchKey(f string, a ...any) *s3Error      { return newErr("NoSuchKey", 404, f, a...) }
func errNoSuchUpload(f string, a ...any) *s3Error   { return newErr("NoSuchUpload", 404, f, a...) }
func errNotImplemented(f string, a ...any) *s3Error { return newErr("NotImplemented", 501, f, a...) }
func errPrecondition(f string, a ...any) *s3Error   { return newErr("PreconditionFailed", 412, f, a...) }
func errSignatureMismatch(f string, a ...any) *s3Error {
	return newErr("SignatureDoesNotMatch", 403, f, a...)
}
func errSlowDown(f string, a ...any) *s3Error { return newErr("SlowDown", 503, f, a...) }

// The errors below carry the elements S3 adds to them, which clients log
// and conformance suites compare.

// errBadMD5 is a body whose MD5 is not its Content-MD5: S3 shows the
// digest it computed in base64 and the one sent in hex.
func errBadMD5(sent, computed []byte) *s3Error {
	return errBadDigest("The Content-MD5 you specified did not match what we received.").
		with("CalculatedDigest", base64.StdEncoding.EncodeToString(computed), "ExpectedDigest", hex.EncodeToString(sent))
}

// errSHA256Mismatch is a body whose SHA-256 is not the x-amz-content-sha256
// the request signed; both are hex.
func errSHA256Mismatch(sent, computed []byte) *s3Error {
	return newErr("XAmzContentSHA256Mismatch", 400, "the body's SHA-256 is not the x-amz-content-sha256 signed").
		with("ClientComputedContentSHA256", hex.EncodeToString(sent), "S3ComputedContentSHA256", hex.EncodeToString(computed))
}

// errTooLarge is an upload of proposed bytes (-1: not known, as when the
// body was cut off at the limit) over the largest allowed.
func errTooLarge(proposed, maxAllowed int64) *s3Error {
	e := errEntityTooLarge("%d bytes proposed, at most %d allowed", proposed, maxAllowed)
	if proposed >= 0 {
		e.with("ProposedSize", strconv.FormatInt(proposed, 10))
	}
	return e.with("MaxSizeAllowed", strconv.FormatInt(maxAllowed, 10))
}

// errTooSmall is an upload of proposed bytes under the smallest allowed.
func errTooSmall(proposed, minAllowed int64) *s3Error {
	return errEntityTooSmall("%d bytes proposed, at least %d needed", proposed, minAllowed).
		with("ProposedSize", strconv.FormatInt(proposed, 10), "MinSizeAllowed", strconv.FormatInt(minAllowed, 10))
}

// errUnknownAccessKey is an access key id the credentials do not hold.
func errUnknownAccessKey(id string) *s3Error {
	return newErr("InvalidAccessKeyId", 403, "the access key id %q is not known here", id).with("AWSAccessKeyId", id)
}

// errBadArgument is an InvalidArgument about one header, form field or
// query parameter, which S3 names with its value.
func errBadArgument(name, value, f string, a ...any) *s3Error {
	return errInvalidArgument(f, a...).with("ArgumentName", name, "ArgumentValue", value)
}

// msgNotImplementedHeader is S3's message for a header whose meaning it
// does not implement (written as S3 writes it, without a final period).
const msgNotImplementedHeader = "A header you provided implies functionality that is not implemented"

// fromClient maps a client error to the S3 error a caller should see for
// what it asked about (what names the bucket or key).
func fromClient(err error, notFound *s3Error) *s3Error {
	var s3e *s3Error
	switch {
	case errors.As(err, &s3e):
		return s3e
	case errors.Is(err, client.ErrNotFound) && notFound != nil:
		return notFound
	case errors.Is(err, client.ErrPermission):
		return errAccessDenied("%v", err)
	case errors.Is(err, client.ErrNoSpace):
		return newErr("ServiceUnavailable", 503, "%v", err)
	case errors.Is(err, client.ErrUnavailable):
		return errSlowDown("%v", err)
	case errors.Is(err, client.ErrInvalidPath), errors.Is(err, client.ErrInvalidArg):
		return errInvalidArgument("%v", err)
	case errors.Is(err, client.ErrNotDirectory), errors.Is(err, client.ErrIsDirectory), errors.Is(err, client.ErrAlreadyExists):
		// A key that is a prefix of another key's path, or the reverse:
		// the namespace keeps keys as paths and cannot hold both.
		return newErr("InvalidRequest", 409, "%v (object keys are paths here: a key cannot be both an object and a prefix of another object's key)", err)
	}
	return errInternal("%v", err)
}

// awsMessages are Amazon S3's messages for the codes whose message S3
// never varies. Clients show them and conformance suites compare them, so
// these codes answer with S3's words; what this proxy knows beyond them
// (which bucket, which part, why) goes to its log with the request id.
var awsMessages = map[string]string{
	"BucketAlreadyOwnedByYou":   "Your previous request to create the named bucket succeeded and you already own it.",
	"BucketNotEmpty":            "The bucket you tried to delete is not empty.",
	"EntityTooLarge":            "Your proposed upload exceeds the maximum allowed size",
	"EntityTooSmall":            "Your proposed upload is smaller than the minimum allowed size",
	"InvalidAccessKeyId":        "The AWS Access Key Id you provided does not exist in our records.",
	"InvalidBucketName":         "The specified bucket is not valid.",
	"InvalidDigest":             "The Content-Md5 you specified is not valid.",
	"InvalidLocationConstraint": "The specified location-constraint is not valid",
	"InvalidPart":               "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
	"InvalidPartNumber":         "The requested partnumber is not satisfiable.",
	"InvalidPartOrder":          "The list of parts was not in ascending order. Parts must be ordered by part number.",
	"InvalidRange":              "The requested range is not satisfiable",
	"KeyTooLongError":           "Your key is too long.",
	"MalformedTrailerError":     "The request contained trailing data that was not well-formed or did not conform to our published schema.",
	"MalformedXML":              "The XML you provided was not well-formed or did not validate against our published schema.",
	"MetadataTooLarge":          "Your metadata headers exceed the maximum allowed metadata size",
	"MethodNotAllowed":          "The specified method is not allowed against this resource.",
	"MissingContentLength":      "You must provide the Content-Length HTTP header.",
	"NoSuchBucket":              "The specified bucket does not exist.",
	"NoSuchCORSConfiguration":   "The CORS configuration does not exist",
	"NoSuchKey":                 "The specified key does not exist.",
	"NoSuchTagSet":              "The TagSet does not exist.",
	"NoSuchUpload":              "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
	"NoSuchVersion":             "The specified version does not exist.",
	"PreconditionFailed":        "At least one of the pre-conditions you specified did not hold.",
	"RequestTimeTooSkewed":      "The difference between the request time and the current time is too large.",
	"SignatureDoesNotMatch":     "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
	"SlowDown":                  "Please reduce your request rate.",
	"XAmzContentSHA256Mismatch": "The provided 'x-amz-content-sha256' header does not match what was computed.",
}

// message is what the error document says: S3's message for e's code
// where S3 has one, else e's own.
func (e *s3Error) message() string {
	if m, ok := awsMessages[e.Code]; ok {
		return m
	}
	return e.Message
}

// errorDoc is S3's error document.
type errorDoc struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Fields    []errorField
	Resource  string `xml:"Resource,omitempty"`
	RequestID string `xml:"RequestId"`
}

// writeError answers e as an S3 error document (a HEAD gets the status
// alone, as S3 does).
func writeError(w http.ResponseWriter, r *http.Request, reqID string, e *s3Error) {
	h := w.Header()
	// Headers an object's answer had set before it failed describe the
	// object, not the error.
	for k := range h {
		if strings.HasPrefix(k, "X-Amz-Meta-") {
			delete(h, k)
		}
	}
	for _, k := range append([]string{"Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified", "X-Amz-Tagging-Count", "X-Amz-Mp-Parts-Count", "X-Amz-Version-Id"}, storedHeaders...) {
		h.Del(k)
	}
	h.Set("Content-Type", "application/xml")
	h.Set("x-amz-request-id", reqID)
	w.WriteHeader(e.Status)
	if r.Method == http.MethodHead {
		return
	}
	writeXMLBody(w, errorDoc{Code: e.Code, Message: e.message(), Fields: e.Fields, Resource: r.URL.Path, RequestID: reqID})
}

// writeXMLBody writes the XML declaration and doc.
func writeXMLBody(w http.ResponseWriter, doc any) {
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(doc)
}

// writeXML answers 200 with doc.
func writeXML(w http.ResponseWriter, doc any) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	writeXMLBody(w, doc)
}
