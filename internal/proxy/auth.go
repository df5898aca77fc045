package proxy

import (
	"bufio"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Payload hash values of x-amz-content-sha256 that are not a hash.
const (
	unsignedPayload         = "UNSIGNED-PAYLOAD"
	streamingSigned         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailr = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	sigV4Algorithm          = "AWS4-HMAC-SHA256"
	sigV4aAlgorithm         = "AWS4-ECDSA-P256-SHA256" // S3's other algorithm, not served here
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

// The messages below are Amazon S3's own, which clients and conformance
// suites compare; what was wrong is in them.
func errMalformedAuth(f string, a ...any) *s3Error {
	return newErr("AuthorizationHeaderMalformed", 400, "The authorization header is malformed; "+f, a...)
}
func errQueryAuth(f string, a ...any) *s3Error {
	return newErr("AuthorizationQueryParametersError", 400, f, a...)
}

// errQueryCredential prefixes what is wrong with a presigned URL's
// X-Amz-Credential as S3 does.
func errQueryCredential(f string, a ...any) *s3Error {
	return errQueryAuth("Error parsing the X-Amz-Credential parameter; "+f, a...)
}

// parseCredential splits "AKID/20130524/us-east-1/s3/aws4_request".
func (s *sigV4) parseCredential(c string, bad func(string, ...any) *s3Error) *s3Error {
	parts := strings.Split(c, "/")
	switch {
	case len(parts) != 5 || parts[0] == "":
		return bad(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
	case parts[4] != "aws4_request":
		return bad(`incorrect terminal %q. This endpoint uses "aws4_request".`, parts[4])
	case parts[3] != "s3":
		return bad(`incorrect service %q. This endpoint belongs to "s3".`, parts[3])
	}
	if _, err := time.Parse("20060102", parts[1]); err != nil {
		return bad(`incorrect date format %q. This date in the credential must be in the format "yyyyMMdd".`, parts[1])
	}
	s.accessKey, s.scopeDate, s.region, s.service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

func (s *sigV4) parseSignedHeaders(v string, bad func(string, ...any) *s3Error) *s3Error {
	s.signedHeaders = strings.Split(v, ";")
	if !slices.Contains(s.signedHeaders, "host") {
		return bad("the signed headers %q leave out host, which must be signed", v)
	}
	return nil
}

// parseAuthorization parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
func parseAuthorization(h string) (*sigV4, *s3Error) {
	kind, rest, ok := strings.Cut(h, " ")
	switch {
	case !ok:
		return nil, errInvalidArgument("Authorization header is invalid -- one and only one ' ' (space) required.").with("ArgumentName", "Authorization", "ArgumentValue", h)
	case kind != sigV4Algorithm:
		return nil, errInvalidArgument("Unsupported Authorization Type").with("ArgumentName", "Authorization", "ArgumentValue", h)
	}
	s := &sigV4{}
	seen := map[string]bool{}
	var fieldErr *s3Error
	for _, field := range strings.Split(rest, ",") {
		field = strings.TrimSpace(field)
		k, v, ok := strings.Cut(field, "=")
		if !ok || seen[k] {
			return nil, errMalformedAuth("the authorization component %q is malformed.", field)
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
			// Reported after a missing component, which says more.
			e = errMalformedAuth("the authorization component %q is malformed.", field)
		}
		if fieldErr == nil {
			fieldErr = e
		}
	}
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if !seen[k] {
			if len(seen) < 3 {
				return nil, errMalformedAuth("the authorization header requires three components: Credential, SignedHeaders, and Signature.")
			}
			return nil, errMalformedAuth("missing %s.", k)
		}
	}
	if fieldErr != nil {
		return nil, fieldErr
	}
	if len(s.signature) != 64 {
		return nil, errMalformedAuth("the signature %q is not 64 hex digits.", s.signature)
	}
	return s, nil
}

// parsePresigned parses the X-Amz-* parameters of a presigned URL.
func parsePresigned(q url.Values) (*sigV4, *s3Error) {
	s := &sigV4{presigned: true}
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if q.Get(k) == "" {
			return nil, errQueryAuth("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	switch q.Get("X-Amz-Algorithm") {
	case sigV4Algorithm:
	case sigV4aAlgorithm:
		// S3 takes it; this proxy does not, and says so.
		return nil, errQueryAuth(`X-Amz-Algorithm only supports "%s"`, sigV4Algorithm)
	default:
		return nil, errQueryAuth(`X-Amz-Algorithm only supports "%s and %s"`, sigV4Algorithm, sigV4aAlgorithm)
	}
	if e := s.parseCredential(q.Get("X-Amz-Credential"), errQueryCredential); e != nil {
		return nil, e
	}
	if e := s.parseSignedHeaders(q.Get("X-Amz-SignedHeaders"), errQueryAuth); e != nil {
		return nil, e
	}
	s.signature = q.Get("X-Amz-Signature")
	if len(s.signature) != 64 {
		return nil, errQueryAuth("X-Amz-Signature %q is not 64 hex digits", s.signature)
	}
	t, err := time.Parse(amzDateFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return nil, errQueryAuth(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	s.when = t
	secs, err := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
	switch {
	case err != nil:
		return nil, errQueryAuth("X-Amz-Expires should be a number")
	case secs < 0:
		return nil, errQueryAuth("X-Amz-Expires must be non-negative")
	case time.Duration(secs)*time.Second > maxPresignExpiry:
		return nil, errQueryAuth("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than %d seconds", int(maxPresignExpiry.Seconds()))
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
	if e := checkContentSHA256(r.Header); e != nil {
		return nil, e
	}
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
	t, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return time.Time{}, errAccessDenied("AWS authentication requires a valid Date or x-amz-date header.")
	}
	return t, nil
}

func (a *authenticator) verify(r *http.Request, s *sigV4) (*identity, *s3Error) {
	if s.when.Format("20060102") != s.scopeDate {
		if s.presigned {
			return nil, errQueryAuth("Invalid credential date %q. This date is not the same as X-Amz-Date: %q.", s.scopeDate, s.when.Format("20060102"))
		}
		return nil, errMalformedAuth("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	if r.Header.Get("X-Amz-Security-Token") != "" || r.URL.Query().Get("X-Amz-Security-Token") != "" {
		// Keys here are long-term ones: no session token belongs to them.
		return nil, newErr("InvalidToken", 400, "The provided token is malformed or otherwise invalid.")
	}
	secret, ok := a.creds[s.accessKey]
	if !ok {
		return nil, errUnknownAccessKey(s.accessKey)
	}
	if unsigned := unsignedAmzHeaders(r, s.signedHeaders); len(unsigned) > 0 {
		return nil, errAccessDenied("There were headers present in the request which were not signed").with("HeadersNotSigned", strings.Join(unsigned, ", "))
	}
	now := a.now()
	if s.presigned {
		if now.After(s.when.Add(s.expires)) {
			return nil, errAccessDenied("Request has expired.").with("X-Amz-Expires", strconv.Itoa(int(s.expires.Seconds())), "Expires", s.when.Add(s.expires).UTC().Format(time.RFC3339), "ServerTime", now.UTC().Format(time.RFC3339))
		}
		if s.when.After(now.Add(maxClockSkew)) {
			return nil, errAccessDenied("Request is not valid yet.")
		}
	} else if d := now.Sub(s.when); d > maxClockSkew || d < -maxClockSkew {
		return nil, newErr("RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large (signed at %s, %s from the server's time).", s.when.Format(amzDateFormat), d.Round(time.Second))
	}
	creds := aws.Credentials{AccessKeyID: s.accessKey, SecretAccessKey: secret}
	want, tr, e := recompute(r, s, creds)
	if e != nil {
		return nil, e
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(s.signature)) != 1 {
		// What S3 shows so that a client can find where its signing
		// differs: the strings signed here, which hold nothing secret.
		return nil, errSignatureMismatch("the signature does not match").with("AWSAccessKeyId", s.accessKey,
			"StringToSign", tr.stringToSign, "SignatureProvided", s.signature, "StringToSignBytes", hexBytes(tr.stringToSign),
			"CanonicalRequest", tr.canonical, "CanonicalRequestBytes", hexBytes(tr.canonical))
	}
	seed, _ := hex.DecodeString(s.signature)
	return &identity{user: s.accessKey, verified: true, creds: creds, seed: seed, when: s.when, region: s.region, service: s.service}, nil
}

// unsignedAmzHeaders lists the x-amz-* headers r carries that the
// signature does not cover: S3 refuses those, as a header the signer did
// not see could change what the request does (x-amz-copy-source,
// x-amz-tagging, ...).
func unsignedAmzHeaders(r *http.Request, signed []string) []string {
	var out []string
	for k := range r.Header {
		l := strings.ToLower(k)
		if strings.HasPrefix(l, "x-amz-") && !slices.Contains(signed, l) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}
