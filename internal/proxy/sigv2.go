package proxy

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7/pkg/signer"
)

// Signature version 2: the "AWS AKID:signature" header, and presigned
// URLs with AWSAccessKeyId, Expires and Signature, which boto3's
// generate_presigned_url still makes in us-east-1 and older SDKs and
// tools send. Amazon S3 still accepts it there. Without credentials the
// access key is the user, as with version 4; with them the signature is
// recomputed over the request as received with minio-go's signer.

// sigV2 is a parsed Signature Version 2.
type sigV2 struct {
	accessKey string
	signature string // base64
	presigned bool
	expires   int64 // presigned: Unix seconds after which the URL is refused
}

// parseAuthorizationV2 parses "AWS AKID:signature".
func parseAuthorizationV2(h string) (*sigV2, *s3Error) {
	ak, sig, ok := strings.Cut(strings.TrimPrefix(h, "AWS "), ":")
	if !ok || ak == "" || sig == "" {
		// S3's answer where it takes version 2 (us-east-1's older
		// buckets); where it does not, any "AWS ..." is InvalidRequest.
		return nil, errBadArgument("Authorization", h, "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")
	}
	return &sigV2{accessKey: ak, signature: sig}, nil
}

// parsePresignedV2 parses the query of a version 2 presigned URL.
func parsePresignedV2(q url.Values) (*sigV2, *s3Error) {
	s := &sigV2{presigned: true, accessKey: q.Get("AWSAccessKeyId"), signature: q.Get("Signature")}
	if s.accessKey == "" || s.signature == "" || !q.Has("Expires") {
		return nil, errQueryAuth("a presigned URL of signature version 2 needs AWSAccessKeyId, Expires and Signature")
	}
	exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
	if err != nil || exp < 0 {
		return nil, errQueryAuth("Expires %q is not a time in seconds since 1970", q.Get("Expires"))
	}
	s.expires = exp
	return s, nil
}

// checkV2 takes the user from s, after checking that a presigned URL has
// not expired and, with credentials configured, that s signs r.
func (a *authenticator) checkV2(r *http.Request, s *sigV2) (*identity, *s3Error) {
	now := a.now()
	if s.presigned && now.Unix() > s.expires {
		return nil, errAccessDenied("request has expired (valid until %s)", time.Unix(s.expires, 0).UTC().Format(time.RFC1123))
	}
	if a.creds == nil {
		return &identity{user: s.accessKey}, nil
	}
	secret, ok := a.creds[s.accessKey]
	if !ok {
		return nil, errUnknownAccessKey(s.accessKey)
	}
	// What stands in the string to sign where a presigned URL has its
	// expiry: a header-signed request's Date.
	when := r.URL.Query().Get("Expires")
	if !s.presigned {
		when = r.Header.Get("Date")
		if when == "" || r.Header.Get("X-Amz-Date") != "" {
			return nil, errAccessDenied("a request signed with signature version 2 is checked here only with a Date header and no x-amz-date; sign with AWS4-HMAC-SHA256")
		}
		t, err := http.ParseTime(when)
		if err != nil {
			t, err = time.Parse(time.RFC1123Z, when) // "+0000", as botocore and AWS's examples write it
		}
		if err != nil {
			return nil, errAccessDenied("the Date header %q is not an HTTP date", when)
		}
		if d := now.Sub(t); d > maxClockSkew || d < -maxClockSkew {
			return nil, newErr("RequestTimeTooSkewed", 403, "the request was signed at %s, %s from the server's time", when, d.Round(time.Second))
		}
	}
	path := r.URL.Path
	ok = signs(recomputeV2(r, path, s, secret, when), s.signature)
	if !ok && path != "/" && !strings.Contains(strings.Trim(path, "/"), "/") {
		// A bucket's own resource: botocore signs /bucket/ for /bucket.
		alt := strings.TrimSuffix(path, "/")
		if alt == path {
			alt += "/"
		}
		ok = signs(recomputeV2(r, alt, s, secret, when), s.signature)
	}
	if !ok {
		return nil, errSignatureMismatch("the version 2 signature does not match").with("AWSAccessKeyId", s.accessKey, "SignatureProvided", s.signature)
	}
	return &identity{user: s.accessKey, verified: true}, nil
}

func signs(want, got string) bool { return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1 }

// recomputeV2 signs a copy of r, at path, holding what the client signed: method,
// Content-MD5, Content-Type, when (the Expires or Date line), the x-amz-*
// headers and the resource with its subresources. The presigning form of
// the signer is used for both kinds, with when as the Expires header: its
// string to sign is the header form's with that line.
func recomputeV2(r *http.Request, path string, s *sigV2, secret, when string) string {
	q := r.URL.Query()
	q.Del("AWSAccessKeyId")
	q.Del("Signature")
	q.Del("Expires")
	h := http.Header{}
	for k, v := range r.Header {
		if k == "Content-Md5" || k == "Content-Type" || strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			h[k] = v
		}
	}
	h.Set("Expires", when)
	req := http.Request{Method: r.Method, Host: r.Host, Header: h, URL: &url.URL{Path: path, RawQuery: q.Encode()}}
	signed := signer.PreSignV2(req, s.accessKey, secret, 0, false)
	_, sig, _ := strings.Cut(signed.URL.RawQuery, "&Signature=")
	got, err := url.PathUnescape(sig)
	if err != nil {
		return ""
	}
	return got
}
