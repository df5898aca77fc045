package proxy

import (
	"bufio"
	"context"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"
)

// Payload hash values of x-amz-content-sha256 that are not a hash.
const (
	unsignedPayload         = "UNSIGNED-PAYLOAD"
	streamingSigned         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailr = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	sigV4Algorithm          = "AWS4-HMAC-SHA256"
	amzDateFormat           = "20060102T150405Z"
	maxClockSkew            = 15 * time.Minute
	maxPresignExpiry        = 7 * 24 * time.Hour
)

// Credentials maps access key ids to secret keys.
type Credentials map[string]string

// LoadCredentials reads a credentials file: one "ACCESS_KEY SECRET_KEY"
// pair a line (a '=' or ':' may separate them instead of blanks); blank
// lines and lines starting with '#' are skipped.
func LoadCredentials(path string) (Credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("S3 credentials file: %w", err)
	}
	defer f.Close()
	out := Credentials{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == '=' || r == ':' })
		if len(fields) != 2 {
			return nil, fmt.Errorf("S3 credentials file %s line %d: want ACCESS_KEY SECRET_KEY", path, n)
		}
		out[fields[0]] = fields[1]
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("S3 credentials file %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("S3 credentials file %s holds no keys", path)
	}
	return out, nil
}

// sigV4 is a parsed Signature Version 4: from the Authorization header, or
// from the query of a presigned URL.
type sigV4 struct {
	accessKey     string
	scopeDate     string // yyyymmdd
	region        string
	service       string
	signedHeaders []string
	signature     string
	when          time.Time
	presigned     bool
	expires       time.Duration
}

func errMalformedAuth(f string, a ...any) *s3Error {
	return newErr("AuthorizationHeaderMalformed", 400, f, a...)
}
func errQueryAuth(f string, a ...any) *s3Error {
	return newErr("AuthorizationQueryParametersError", 400, f, a...)
}

// parseCredential splits "AKID/20130524/us-east-1/s3/aws4_request".
func (s *sigV4) parseCredential(c string, bad func(string, ...any) *s3Error) *s3Error {
	parts := strings.Split(c, "/")
	if len(parts) != 5 || parts[0] == "" || parts[4] != "aws4_request" || len(parts[1]) != 8 {
		return bad("credential %q is not ACCESS_KEY/yyyymmdd/region/service/aws4_request", c)
	}
	s.accessKey, s.scopeDate, s.region, s.service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

func (s *sigV4) parseSignedHeaders(v string, bad func(string, ...any) *s3Error) *s3Error {
	if v == "" {
		return bad("no signed headers")
	}
	s.signedHeaders = strings.Split(v, ";")
	if !slices.Contains(s.signedHeaders, "host") {
		return bad("the signed headers %q leave out host", v)
	}
	return nil
}

// parseAuthorization parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
func parseAuthorization(h string) (*sigV4, *s3Error) {
	rest, ok := strings.CutPrefix(h, sigV4Algorithm+" ")
	if !ok {
		return nil, errMalformedAuth("the Authorization header does not start with %s", sigV4Algorithm)
	}
	s := &sigV4{}
	seen := map[string]bool{}
	for _, field := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok || seen[k] {
			return nil, errMalformedAuth("the Authorization header has a malformed or repeated field %q", field)
		}
		seen[k] = true
		var e *s3Error
		switch k {
		case "Credential":
			e = s.parseCredential(v, errMalformedAuth)
		case "SignedHeaders":
			e = s.parseSignedHeaders(v, errMalformedAuth)
		case "Signature":
			s.signature = v
		default:
			e = errMalformedAuth("the Authorization header has an unknown field %q", k)
		}
		if e != nil {
			return nil, e
		}
	}
	if !seen["Credential"] || !seen["SignedHeaders"] || !seen["Signature"] {
		return nil, errMalformedAuth("the Authorization header needs Credential, SignedHeaders and Signature")
	}
	if len(s.signature) != 64 {
		return nil, errMalformedAuth("the signature is not 64 hex digits")
	}
	return s, nil
}

// parsePresigned parses the X-Amz-* parameters of a presigned URL.
func parsePresigned(q url.Values) (*sigV4, *s3Error) {
	s := &sigV4{presigned: true}
	if a := q.Get("X-Amz-Algorithm"); a != sigV4Algorithm {
		return nil, errQueryAuth("X-Amz-Algorithm %q: only %s is supported", a, sigV4Algorithm)
	}
	if e := s.parseCredential(q.Get("X-Amz-Credential"), errQueryAuth); e != nil {
		return nil, e
	}
	if e := s.parseSignedHeaders(q.Get("X-Amz-SignedHeaders"), errQueryAuth); e != nil {
		return nil, e
	}
	s.signature = q.Get("X-Amz-Signature")
	if len(s.signature) != 64 {
		return nil, errQueryAuth("X-Amz-Signature is not 64 hex digits")
	}
	t, err := time.Parse(amzDateFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return nil, errQueryAuth("X-Amz-Date %q is not yyyymmddThhmmssZ", q.Get("X-Amz-Date"))
	}
	s.when = t
	secs, err := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
	if err != nil || secs < 0 || time.Duration(secs)*time.Second > maxPresignExpiry {
		return nil, errQueryAuth("X-Amz-Expires %q must be a number of seconds from 0 to %d", q.Get("X-Amz-Expires"), int(maxPresignExpiry.Seconds()))
	}
	s.expires = time.Duration(secs) * time.Second
	return s, nil
}

// identity is who sent a request, and what decoding a signed aws-chunked
// body needs to check its chunks.
type identity struct {
	// user is the access key id, the Alluxio user; "" for an anonymous
	// request.
	user     string
	verified bool
	creds    aws.Credentials
	seed     []byte // the request's signature
	when     time.Time
	region   string
	service  string
}

// authenticator checks requests against creds; with none it takes the
// access key as the user without checking anything (Alluxio's rule).
type authenticator struct {
	creds Credentials
	now   func() time.Time
}

// authenticate finds who sent r and, with credentials configured, proves
// it: the signature recomputed with the AWS SDK's signer over the request
// as received must equal the one sent.
func (a *authenticator) authenticate(r *http.Request) (*identity, *s3Error) {
	h := r.Header.Get("Authorization")
	q := r.URL.Query()
	var s *sigV4
	var e *s3Error
	switch {
	case h != "" && (q.Has("X-Amz-Signature") || q.Has("Signature")):
		return nil, errInvalidArgument("a request carries either an Authorization header or a presigned query, not both")
	case strings.HasPrefix(h, "AWS "):
		s2, e := parseAuthorizationV2(h)
		if e != nil {
			return nil, e
		}
		return a.checkV2(r, s2)
	case q.Has("AWSAccessKeyId") || q.Has("Signature"):
		s2, e := parsePresignedV2(q)
		if e != nil {
			return nil, e
		}
		return a.checkV2(r, s2)
	case h != "":
		s, e = parseAuthorization(h)
		if e == nil {
			s.when, e = headerDate(r)
		}
	case q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential"):
		s, e = parsePresigned(q)
	default:
		if a.creds != nil {
			return nil, errAccessDenied("anonymous requests are refused: sign requests with an access key")
		}
		return &identity{}, nil
	}
	if e != nil {
		return nil, e
	}
	if a.creds == nil {
		return &identity{user: s.accessKey}, nil
	}
	return a.verify(r, s)
}

// headerDate is the signing time of a header-signed request.
func headerDate(r *http.Request) (time.Time, *s3Error) {
	v := r.Header.Get("X-Amz-Date")
	if v == "" {
		return time.Time{}, errAccessDenied("a signed request needs an X-Amz-Date header")
	}
	t, err := time.Parse(amzDateFormat, v)
	if err != nil {
		return time.Time{}, errMalformedAuth("X-Amz-Date %q is not yyyymmddThhmmssZ", v)
	}
	return t, nil
}

func (a *authenticator) verify(r *http.Request, s *sigV4) (*identity, *s3Error) {
	secret, ok := a.creds[s.accessKey]
	if !ok {
		return nil, newErr("InvalidAccessKeyId", 403, "the access key id %q is not known here", s.accessKey)
	}
	now := a.now()
	if s.when.Format("20060102") != s.scopeDate {
		return nil, errSignatureMismatch("the credential's date %s is not the signing date %s", s.scopeDate, s.when.Format(amzDateFormat))
	}
	if s.presigned {
		if now.After(s.when.Add(s.expires)) {
			return nil, errAccessDenied("request has expired (signed %s, valid %s)", s.when.Format(amzDateFormat), s.expires)
		}
		if s.when.After(now.Add(maxClockSkew)) {
			return nil, errAccessDenied("request is not valid yet (signed %s)", s.when.Format(amzDateFormat))
		}
	} else if d := now.Sub(s.when); d > maxClockSkew || d < -maxClockSkew {
		return nil, newErr("RequestTimeTooSkewed", 403, "the request was signed at %s, %s from the server's time", s.when.Format(amzDateFormat), d.Round(time.Second))
	}
	creds := aws.Credentials{AccessKeyID: s.accessKey, SecretAccessKey: secret}
	want, e := recompute(r, s, creds)
	if e != nil {
		return nil, e
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(s.signature)) != 1 {
		return nil, errSignatureMismatch("the request signature we calculated does not match the signature you provided; check your key and signing method")
	}
	seed, _ := hex.DecodeString(s.signature)
	return &identity{user: s.accessKey, verified: true, creds: creds, seed: seed, when: s.when, region: s.region, service: s.service}, nil
}

// recompute signs a copy of r holding exactly what the client signed (its
// method, path, query and signed headers) and returns the signature.
func recompute(r *http.Request, s *sigV4, creds aws.Credentials) (string, *s3Error) {
	host := r.Host
	// S3 signs the path URI-encoded once, as the client meant it: encode
	// the decoded path the same way, whatever escaping the client chose.
	path := httpbinding.EscapePath(r.URL.Path, false)
	if path == "" {
		path = "/"
	}
	q := r.URL.Query()
	q.Del("X-Amz-Signature")
	u := &url.URL{Scheme: "http", Host: host, Opaque: "//" + host + path, RawQuery: q.Encode()}
	req := &http.Request{Method: r.Method, URL: u, Host: host, Header: http.Header{}}
	for _, name := range s.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			req.ContentLength = r.ContentLength
		default:
			vals := r.Header.Values(name)
			if len(vals) == 0 && !(name == "x-amz-date" && !s.presigned) {
				return "", errSignatureMismatch("signed header %q is not in the request", name)
			}
			req.Header[textproto.CanonicalMIMEHeaderKey(name)] = vals
		}
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = true
		o.DisableHeaderHoisting = true
	})
	ctx := context.Background()
	var got, gotHeaders string
	if s.presigned {
		hash := q.Get("X-Amz-Content-Sha256")
		if hash == "" {
			hash = unsignedPayload
		}
		signed, _, err := signer.PresignHTTP(ctx, creds, req, hash, s.service, s.region, s.when)
		if err != nil {
			return "", errInternal("presign: %v", err)
		}
		su, err := url.Parse(signed)
		if err != nil {
			return "", errInternal("presign: %v", err)
		}
		got, gotHeaders = su.Query().Get("X-Amz-Signature"), su.Query().Get("X-Amz-SignedHeaders")
	} else {
		hash := r.Header.Get("X-Amz-Content-Sha256")
		if hash == "" {
			return "", errInvalidRequest("a header-signed request needs x-amz-content-sha256")
		}
		if err := signer.SignHTTP(ctx, creds, req, hash, s.service, s.region, s.when); err != nil {
			return "", errInternal("sign: %v", err)
		}
		parsed, e := parseAuthorization(req.Header.Get("Authorization"))
		if e != nil {
			return "", errInternal("sign: %v", e)
		}
		got, gotHeaders = parsed.signature, strings.Join(parsed.signedHeaders, ";")
	}
	if gotHeaders != strings.Join(s.signedHeaders, ";") {
		// The SDK leaves some headers out (User-Agent, Expect, ...) and
		// always signs others (X-Amz-Date): a signature over a different
		// set cannot be checked.
		return "", errSignatureMismatch("signed headers %q cannot be checked (this server signs %q)", strings.Join(s.signedHeaders, ";"), gotHeaders)
	}
	return got, nil
}
