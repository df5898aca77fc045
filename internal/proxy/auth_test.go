package proxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// The example keys and requests of the S3 API reference's Signature
// Version 4 pages, with the signatures it gives for them.
const (
	exampleKey    = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var exampleTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

func exampleAuth() *authenticator {
	return &authenticator{creds: Credentials{exampleKey: exampleSecret}, now: func() time.Time { return exampleTime.Add(time.Minute) }}
}

// exampleGet is "GET Object" of sig-v4-header-based-auth.
func exampleGet(sig string) *http.Request {
	r, _ := http.NewRequest("GET", "http://examplebucket.s3.amazonaws.com/test.txt", nil)
	r.Header.Set("Range", "bytes=0-9")
	r.Header.Set("X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	r.Header.Set("X-Amz-Date", "20130524T000000Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature="+sig)
	return r
}

const exampleGetSig = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"

func code(e *s3Error) string {
	if e == nil {
		return ""
	}
	return e.Code
}

// hasFields says whether e's document holds each of the name-value pairs
// among its extra elements.
func hasFields(e *s3Error, pairs ...string) bool {
	if e == nil {
		return false
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if !slices.ContainsFunc(e.Fields, func(f errorField) bool { return f.XMLName.Local == pairs[i] && f.Value == pairs[i+1] }) {
			return false
		}
	}
	return true
}

func TestSigV4HeaderExample(t *testing.T) {
	a := exampleAuth()
	id, e := a.authenticate(exampleGet(exampleGetSig))
	if e != nil || !id.verified || id.user != exampleKey {
		t.Fatalf("the reference's example: %v %+v", e, id)
	}
	bad := map[string]*http.Request{
		"one digit off": exampleGet("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb42"),
	}
	r := exampleGet(exampleGetSig)
	r.Header.Set("Range", "bytes=0-99")
	bad["a signed header changed"] = r
	r = exampleGet(exampleGetSig)
	r.URL.Path = "/other.txt"
	bad["another path"] = r
	r = exampleGet(exampleGetSig)
	r.URL.RawQuery = "acl"
	bad["a query added"] = r
	r = exampleGet(exampleGetSig)
	r.Method = "DELETE"
	bad["another method"] = r
	for name, r := range bad {
		if _, e := a.authenticate(r); code(e) != "SignatureDoesNotMatch" {
			t.Errorf("%s: %v, want SignatureDoesNotMatch", name, e)
		}
	}
	wrong := &authenticator{creds: Credentials{exampleKey: "another secret"}, now: a.now}
	if _, e := wrong.authenticate(exampleGet(exampleGetSig)); code(e) != "SignatureDoesNotMatch" {
		t.Errorf("another secret: %v", e)
	}
	unknown := &authenticator{creds: Credentials{"someone": "else"}, now: a.now}
	if _, e := unknown.authenticate(exampleGet(exampleGetSig)); code(e) != "InvalidAccessKeyId" {
		t.Errorf("unknown key: %v", e)
	}
	late := &authenticator{creds: a.creds, now: func() time.Time { return exampleTime.Add(time.Hour) }}
	if _, e := late.authenticate(exampleGet(exampleGetSig)); code(e) != "RequestTimeTooSkewed" {
		t.Errorf("an hour late: %v", e)
	}
	// Without credentials the key names the user and nothing is checked.
	open := &authenticator{now: a.now}
	if id, e := open.authenticate(exampleGet(strings.Repeat("0", 64))); e != nil || id.user != exampleKey || id.verified {
		t.Errorf("unchecked: %v %+v", e, id)
	}
	if id, e := open.authenticate(&http.Request{Header: http.Header{}, URL: r.URL}); e != nil || id.user != "" {
		t.Errorf("anonymous, unchecked: %v %+v", e, id)
	}
	if _, e := a.authenticate(&http.Request{Header: http.Header{}, URL: r.URL}); code(e) != "AccessDenied" {
		t.Errorf("anonymous with credentials: %v", e)
	}
}

// TestSignatureMismatchShowsWhatWasSigned: S3's SignatureDoesNotMatch and
// InvalidAccessKeyId name the key, and the former shows what the server
// signed, so that a client can find where its signing differs; for the
// reference's example these are the strings the reference gives.
func TestSignatureMismatchShowsWhatWasSigned(t *testing.T) {
	const canonical = "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n" +
		"x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\n" +
		"host;range;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	const toSign = "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n" +
		"7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
	offByOne := strings.Replace(exampleGetSig, "41", "42", 1)
	_, e := exampleAuth().authenticate(exampleGet(offByOne))
	if code(e) != "SignatureDoesNotMatch" || !hasFields(e, "AWSAccessKeyId", exampleKey, "SignatureProvided", offByOne,
		"CanonicalRequest", canonical, "StringToSign", toSign, "StringToSignBytes", hexBytes(toSign), "CanonicalRequestBytes", hexBytes(canonical)) {
		t.Fatalf("a wrong signature: %+v", e)
	}
	if got := hexBytes("AWS4\n"); got != "41 57 53 34 0a" {
		t.Errorf("hexBytes: %q", got)
	}
	unknown := &authenticator{creds: Credentials{"someone": "else"}, now: exampleAuth().now}
	if _, e := unknown.authenticate(exampleGet(exampleGetSig)); code(e) != "InvalidAccessKeyId" || !hasFields(e, "AWSAccessKeyId", exampleKey) {
		t.Errorf("an unknown key: %+v", e)
	}
	// Version 2 too, presigned or in the header.
	v2 := &authenticator{creds: Credentials{"someone": "else"}, now: func() time.Time { return time.Unix(1141889120-60, 0) }}
	r, _ := http.NewRequest("GET", "http://s3.example.com/b/k?AWSAccessKeyId=AK&Expires=1141889120&Signature=c2ln", nil)
	if _, e := v2.authenticate(r); code(e) != "InvalidAccessKeyId" || !hasFields(e, "AWSAccessKeyId", "AK") {
		t.Errorf("an unknown version 2 key: %+v", e)
	}
	r, _ = http.NewRequest("GET", "http://s3.example.com/b/k?AWSAccessKeyId=someone&Expires=1141889120&Signature=c2ln", nil)
	if _, e := v2.authenticate(r); code(e) != "SignatureDoesNotMatch" || !hasFields(e, "AWSAccessKeyId", "someone", "SignatureProvided", "c2ln") {
		t.Errorf("a wrong version 2 signature: %+v", e)
	}
}

// TestContentSHA256IsCheckedFirst: an x-amz-content-sha256 that is neither
// a SHA-256 nor one of S3's payload types is S3's InvalidArgument naming
// it, before the signature (which it makes uncheckable) is looked at.
func TestContentSHA256IsCheckedFirst(t *testing.T) {
	for _, v := range []string{"invalid_sha256", "", strings.Repeat("a", 63), strings.Repeat("g", 64), "UNSIGNED-PAYLOAD ", "streaming-aws4-hmac-sha256-payload"} {
		r := exampleGet(exampleGetSig)
		r.Header.Set("X-Amz-Content-Sha256", v)
		_, e := exampleAuth().authenticate(r)
		if code(e) != "InvalidArgument" || !hasFields(e, "ArgumentName", "x-amz-content-sha256", "ArgumentValue", v) ||
			e.message() != "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "+
				"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value." {
			t.Errorf("%q: %+v", v, e)
		}
	}
	// The known values go on to the signature check.
	for _, v := range append(slices.Clone(payloadTypes), strings.Repeat("AB", 32)) {
		r := exampleGet(exampleGetSig)
		r.Header.Set("X-Amz-Content-Sha256", v)
		if _, e := exampleAuth().authenticate(r); code(e) != "SignatureDoesNotMatch" {
			t.Errorf("%q: %v", v, e)
		}
	}
}

// TestPresignedAlgorithms: S3 takes two algorithms in a presigned URL and
// names both when refusing another; SigV4a's is refused as not served.
func TestPresignedAlgorithms(t *testing.T) {
	for alg, want := range map[string]string{
		"AWS4-SHA256":            `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"`,
		"AWS4-ECDSA-P256-SHA256": `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`,
	} {
		r := examplePresigned(strings.Repeat("0", 64))
		r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "AWS4-HMAC-SHA256", alg, 1)
		if _, e := exampleAuth().authenticate(r); code(e) != "AuthorizationQueryParametersError" || e.message() != want {
			t.Errorf("%s: %+v", alg, e)
		}
	}
}

// examplePresigned is the presigned GET of sigv4-query-string-auth.
func examplePresigned(sig string) *http.Request {
	r, _ := http.NewRequest("GET", "http://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="+sig, nil)
	return r
}

func TestSigV4PresignedExample(t *testing.T) {
	const sig = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	a := exampleAuth()
	if id, e := a.authenticate(examplePresigned(sig)); e != nil || !id.verified {
		t.Fatalf("the reference's example: %v", e)
	}
	if _, e := a.authenticate(examplePresigned(strings.Replace(sig, "a", "b", 1))); code(e) != "SignatureDoesNotMatch" {
		t.Errorf("changed signature: %v", e)
	}
	expired := &authenticator{creds: a.creds, now: func() time.Time { return exampleTime.Add(25 * time.Hour) }}
	if _, e := expired.authenticate(examplePresigned(sig)); code(e) != "AccessDenied" {
		t.Errorf("after expiry: %v", e)
	}
	r := examplePresigned(sig)
	r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=86400", "X-Amz-Expires=90000", 1)
	if _, e := a.authenticate(r); code(e) != "SignatureDoesNotMatch" {
		t.Errorf("expiry extended: %v", e)
	}
}

// exampleChunked is the chunked PUT of sigv4-streaming: 66,560 bytes of
// 'a' in a 64 KiB and a 1 KiB chunk.
func exampleChunked(chunk1 []byte) *http.Request {
	sigs := []string{"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
		"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
		"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"}
	var body bytes.Buffer
	body.WriteString("10000;chunk-signature=" + sigs[0] + "\r\n")
	body.Write(chunk1)
	body.WriteString("\r\n400;chunk-signature=" + sigs[1] + "\r\n")
	body.Write(bytes.Repeat([]byte("a"), 1024))
	body.WriteString("\r\n0;chunk-signature=" + sigs[2] + "\r\n\r\n")
	r, _ := http.NewRequest("PUT", "http://s3.amazonaws.com/examplebucket/chunkObject.txt", bytes.NewReader(body.Bytes()))
	r.Header.Set("X-Amz-Date", "20130524T000000Z")
	r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	r.Header.Set("X-Amz-Content-Sha256", streamingSigned)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
	return r
}

func TestSigV4ChunkedExample(t *testing.T) {
	a := exampleAuth()
	r := exampleChunked(bytes.Repeat([]byte("a"), 65536))
	if r.ContentLength != 66824 {
		t.Fatalf("the example body is %d bytes, the reference says 66824", r.ContentLength)
	}
	id, e := a.authenticate(r)
	if e != nil {
		t.Fatalf("the seed signature: %v", e)
	}
	p, e := newPayload(r, id, maxPutSize)
	if e != nil {
		t.Fatal(e)
	}
	got, err := io.ReadAll(p)
	if err != nil || len(got) != 66560 || strings.Trim(string(got), "a") != "" {
		t.Fatalf("decoded %d bytes, err %v", len(got), err)
	}
	// One byte changed in the first chunk: nothing of it is handed out.
	tampered := bytes.Repeat([]byte("a"), 65536)
	tampered[100] = 'b'
	r = exampleChunked(tampered)
	id, e = a.authenticate(r)
	if e != nil {
		t.Fatal(e)
	}
	p, _ = newPayload(r, id, maxPutSize)
	n, err := io.ReadAll(p)
	var s3e *s3Error
	if !errors.As(err, &s3e) || s3e.Code != "SignatureDoesNotMatch" || len(n) != 0 {
		t.Fatalf("a changed chunk: %d bytes handed out, %v", len(n), err)
	}
}

func TestParseAuthorizationRefusesMalformed(t *testing.T) {
	for _, h := range []string{
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=" + strings.Repeat("0", 64),
		"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=range, Signature=" + strings.Repeat("0", 64),
		"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + strings.Repeat("0", 64),
		"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + strings.Repeat("0", 64) + ", Extra=1",
		"Bearer x",
	} {
		if _, e := parseAuthorization(h); e == nil {
			t.Errorf("%q parsed", h)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add(exampleGet(exampleGetSig).Header.Get("Authorization"))
	f.Add("AWS4-HMAC-SHA256 Credential=///, SignedHeaders=;;, Signature=")
	f.Fuzz(func(t *testing.T, h string) {
		s, e := parseAuthorization(h)
		if e == nil && (s.accessKey == "" || len(s.signature) != 64 || len(s.signedHeaders) == 0) {
			t.Fatalf("%q parsed into %+v", h, s)
		}
		// And checked against a key: an error or a verdict, never a panic.
		r := exampleGet(exampleGetSig)
		r.Header.Set("Authorization", h)
		exampleAuth().authenticate(r)
	})
}
