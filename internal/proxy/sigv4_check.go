package proxy

import (
	"context"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"
	"github.com/aws/smithy-go/logging"
)

// The check of a version 4 signature: the request as received is signed
// again with the AWS SDK's signer, which also says what it signed.

// signingTrace is what the SDK's signer signed: it hands both strings to
// its logger (LogSigning), which is how they are had here without a
// second implementation of the canonical request.
type signingTrace struct {
	canonical, stringToSign string
}

// Logf keeps the canonical request and the string to sign, the first two
// arguments of the signer's one log message.
func (t *signingTrace) Logf(_ logging.Classification, _ string, v ...any) {
	if len(v) >= 2 {
		t.canonical, _ = v[0].(string)
		t.stringToSign, _ = v[1].(string)
	}
}

// hexBytes writes s as S3 writes StringToSignBytes: the hex of each byte,
// separated by spaces.
func hexBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hex.EncodeToString([]byte{s[i]}))
	}
	return b.String()
}

// recompute signs a copy of r holding exactly what the client signed (its
// method, path, query and signed headers) and returns the signature and
// what was signed.
func recompute(r *http.Request, s *sigV4, creds aws.Credentials) (string, *signingTrace, *s3Error) {
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
				return "", nil, errSignatureMismatch("signed header %q is not in the request", name)
			}
			req.Header[textproto.CanonicalMIMEHeaderKey(name)] = vals
		}
	}
	tr := &signingTrace{}
	signer := v4.NewSigner(func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = true
		o.DisableHeaderHoisting = true
		o.Logger, o.LogSigning = tr, true
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
			return "", nil, errInternal("presign: %v", err)
		}
		su, err := url.Parse(signed)
		if err != nil {
			return "", nil, errInternal("presign: %v", err)
		}
		got, gotHeaders = su.Query().Get("X-Amz-Signature"), su.Query().Get("X-Amz-SignedHeaders")
	} else {
		hash := r.Header.Get("X-Amz-Content-Sha256")
		if hash == "" {
			return "", nil, errInvalidRequest("a header-signed request needs x-amz-content-sha256")
		}
		if err := signer.SignHTTP(ctx, creds, req, hash, s.service, s.region, s.when); err != nil {
			return "", nil, errInternal("sign: %v", err)
		}
		parsed, e := parseAuthorization(req.Header.Get("Authorization"))
		if e != nil {
			return "", nil, errInternal("sign: %v", e)
		}
		got, gotHeaders = parsed.signature, strings.Join(parsed.signedHeaders, ";")
	}
	if gotHeaders != strings.Join(s.signedHeaders, ";") {
		// The SDK leaves some headers out (User-Agent, Expect, ...) and
		// always signs others (X-Amz-Date): a signature over a different
		// set cannot be checked.
		return "", nil, errSignatureMismatch("signed headers %q cannot be checked (this server signs %q)", strings.Join(s.signedHeaders, ";"), gotHeaders)
	}
	return got, tr, nil
}
