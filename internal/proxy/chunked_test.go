package proxy

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The signed-trailer example of AWS's sigv4-streaming-trailers page: the
// chunked PUT's 66,560 bytes of 'a' with a CRC-32C trailer, whose chunk and
// trailer signatures the page gives.
const (
	exampleTrailerSeed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
	exampleTrailerSig  = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
)

func exampleTrailerRequest(trailer string) *http.Request {
	sigs := []string{"b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
		"1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
		"2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"}
	var body bytes.Buffer
	body.WriteString("10000;chunk-signature=" + sigs[0] + "\r\n" + strings.Repeat("a", 65536))
	body.WriteString("\r\n400;chunk-signature=" + sigs[1] + "\r\n" + strings.Repeat("a", 1024))
	body.WriteString("\r\n0;chunk-signature=" + sigs[2] + "\r\n" + trailer)
	r, _ := http.NewRequest("PUT", "http://s3.amazonaws.com/examplebucket/chunkObject.txt", &body)
	r.Header.Set("X-Amz-Content-Sha256", streamingSignedTrailer)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32c")
	return r
}

func exampleTrailerIdentity() *identity {
	seed, _ := hex.DecodeString(exampleTrailerSeed)
	return &identity{user: exampleKey, verified: true, seed: seed, when: exampleTime, region: "us-east-1", service: "s3",
		creds: aws.Credentials{AccessKeyID: exampleKey, SecretAccessKey: exampleSecret}}
}

func TestSigV4TrailerExample(t *testing.T) {
	read := func(trailer string) ([]byte, error) {
		p, e := newPayload(exampleTrailerRequest(trailer), exampleTrailerIdentity(), maxPutSize)
		if e != nil {
			t.Fatal(e)
		}
		return io.ReadAll(p)
	}
	got, err := read("x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:" + exampleTrailerSig + "\r\n\r\n")
	if err != nil || len(got) != 66560 || strings.Trim(string(got), "a") != "" {
		t.Fatalf("the reference's body: %d bytes, %v", len(got), err)
	}
	forged := exampleTrailerSig[:63] + "0"
	for name, trailer := range map[string]string{
		"another trailer value":    "x-amz-checksum-crc32c:AAAAAA==\r\nx-amz-trailer-signature:" + exampleTrailerSig + "\r\n\r\n",
		"a forged signature":       "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:" + forged + "\r\n\r\n",
		"no trailer signature":     "x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n",
		"the chunk's as trailer's": "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n\r\n",
	} {
		_, err := read(trailer)
		wantS3(t, name, err, "SignatureDoesNotMatch")
	}
}

// signedTrailerPut is a PUT of data sent as the SDKs send
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: signed with the AWS SDK's
// signer, chunks of chunk bytes signed with its stream signer, then the
// trailer and its signature; edit may change the body before it is sent.
func signedTrailerPut(t *testing.T, data []byte, chunk int, trailer string, edit func(string) string) *http.Request {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: exampleKey, SecretAccessKey: exampleSecret}
	when := exampleTime
	r, _ := http.NewRequest("PUT", "http://127.0.0.1/bucket/key", nil)
	r.Header.Set("X-Amz-Content-Sha256", streamingSignedTrailer)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, streamingSignedTrailer, "s3", "us-east-1", when); err != nil {
		t.Fatal(err)
	}
	seedHex := r.Header.Get("Authorization")[strings.LastIndex(r.Header.Get("Authorization"), "=")+1:]
	seed, _ := hex.DecodeString(seedHex)
	ss := v4.NewStreamSigner(creds, "s3", "us-east-1", seed)
	var b strings.Builder
	var last []byte
	for off := 0; ; off += chunk {
		part := data[min(off, len(data)):min(off+chunk, len(data))]
		sig, err := ss.GetSignature(context.Background(), nil, part, when)
		if err != nil {
			t.Fatal(err)
		}
		last = sig
		fmt.Fprintf(&b, "%x;chunk-signature=%x\r\n%s", len(part), sig, part)
		if len(part) == 0 {
			break
		}
		b.WriteString("\r\n")
	}
	// The trailer's signature, computed here from the SigV4 definition
	// (TestSigV4TrailerExample checks the server's against AWS's figures).
	mac := func(key []byte, s string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	key := mac(mac(mac(mac([]byte("AWS4"+exampleSecret), "20130524"), "us-east-1"), "s3"), "aws4_request")
	sum := sha256.Sum256([]byte(trailer + "\n"))
	tsig := mac(key, "AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"+hex.EncodeToString(last)+"\n"+hex.EncodeToString(sum[:]))
	fmt.Fprintf(&b, "%s\r\nx-amz-trailer-signature:%x\r\n\r\n", trailer, tsig)
	body := b.String()
	if edit != nil {
		body = edit(body)
	}
	r.Body = io.NopCloser(strings.NewReader(body))
	r.ContentLength = int64(len(body))
	return r
}

// readSignedTrailer authenticates r as the proxy does and reads its body.
func readSignedTrailer(t *testing.T, r *http.Request) ([]byte, error) {
	t.Helper()
	id, e := exampleAuth().authenticate(r)
	if e != nil {
		t.Fatalf("the seed signature: %v", e)
	}
	p, e := newPayload(r, id, maxPutSize)
	if e != nil {
		return nil, e
	}
	return io.ReadAll(p)
}

func TestSignedTrailer(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80,000 bytes: 9 chunks of 8 KiB and one of 6,272
	good := "x-amz-checksum-crc32:" + crc32b64(data)
	got, err := readSignedTrailer(t, signedTrailerPut(t, data, 8192, good, nil))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("a signed-trailer PUT: %d bytes, %v", len(got), err)
	}

	_, err = readSignedTrailer(t, signedTrailerPut(t, data, 8192, "x-amz-checksum-crc32:AAAAAA==", nil))
	wantS3(t, "a signed but wrong CRC32", err, "BadDigest")
	if err.(*s3Error).Message != "The CRC32 you specified did not match the calculated checksum." {
		t.Errorf("BadDigest says %q, not S3's message", err.(*s3Error).Message)
	}

	for _, c := range []struct {
		name, code string
		edit       func(string) string
	}{
		{"a forged trailer signature", "SignatureDoesNotMatch", func(b string) string {
			i := strings.Index(b, "x-amz-trailer-signature:") + len("x-amz-trailer-signature:")
			return b[:i] + strings.Repeat("0", 64) + b[i+64:]
		}},
		{"a trailer value changed after signing", "SignatureDoesNotMatch", func(b string) string {
			return strings.Replace(b, good, "x-amz-checksum-crc32:AAAAAA==", 1)
		}},
		{"no trailer signature", "SignatureDoesNotMatch", func(b string) string {
			return b[:strings.Index(b, "x-amz-trailer-signature:")] + "\r\n"
		}},
		{"a truncated body", "IncompleteBody", func(b string) string { return b[:len(b)-3] }},
		{"a cut in the last chunk", "IncompleteBody", func(b string) string { return b[:len(b)/2] }},
		{"a short signature", "IncompleteBody", func(b string) string {
			return strings.Replace(b, "x-amz-trailer-signature:", "x-amz-trailer-signature:0", 1)
		}},
		{"a trailer x-amz-trailer did not name", "MalformedTrailerError", func(b string) string {
			return strings.Replace(b, "x-amz-checksum-crc32:", "x-amz-checksum-sha1:", 1)
		}},
		{"no trailer", "MalformedTrailerError", func(b string) string {
			return strings.Replace(b, good, "", 1)
		}},
	} {
		// The bytes may all be handed out, but never with io.EOF: the
		// writer gets the error and keeps nothing.
		_, err := readSignedTrailer(t, signedTrailerPut(t, data, 8192, good, c.edit))
		wantS3(t, c.name, err, c.code)
	}

	_, err = readSignedTrailer(t, signedTrailerPut(t, data, 1000, good, nil))
	wantS3(t, "chunks under 8 KiB", err, "InvalidChunkSizeError")
}

func TestUnsignedTrailerRules(t *testing.T) {
	body := func(trailer string) string { return "5\r\nhello\r\n0\r\n" + trailer + "\r\n" }
	crc := "x-amz-checksum-crc32:" + crc32b64([]byte("hello"))
	for _, c := range []struct {
		name, trailerHdr, body, code, msg string
		hdrs                              map[string]string
	}{
		{"no trailer", "x-amz-checksum-crc32", body(""), "MalformedTrailerError", "", nil},
		{"unannounced trailer", "", body(crc + "\r\n"), "MalformedTrailerError", "", nil},
		{"unnamed trailer", "x-amz-checksum-crc32", body(":NhCmhg==\r\n"), "MalformedTrailerError", "", nil},
		{"not base64", "x-amz-checksum-crc32", body("x-amz-checksum-crc32:invalid\r\n"), "InvalidRequest", "Value for x-amz-checksum-crc32 trailing header is invalid.", nil},
		{"unknown algorithm", "x-amz-checksum-md7", body(""), "InvalidRequest", "The value specified in the x-amz-trailer header is not supported", nil},
		{"SDK algorithm differs", "x-amz-checksum-crc32", body(crc + "\r\n"), "InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.", map[string]string{"X-Amz-Sdk-Checksum-Algorithm": "SHA1"}},
		{"header and trailer", "x-amz-checksum-crc32", body(crc + "\r\n"), "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.", map[string]string{"X-Amz-Checksum-Sha1": "qvTGHdzF6KLavt4PO0gs2a6pQ00="}},
		{"no decoded length", "x-amz-checksum-crc32", body(crc + "\r\n"), "MissingContentLength", "", map[string]string{"X-Amz-Decoded-Content-Length": ""}},
		{"wrong decoded length", "x-amz-checksum-crc32", body(crc + "\r\n"), "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header", map[string]string{"X-Amz-Decoded-Content-Length": "4"}},
		{"bare CR in a trailer", "x-amz-checksum-crc32", body(crc + "\rx\r\n"), "IncompleteBody", "The request body terminated unexpectedly", nil},
	} {
		r, _ := http.NewRequest("PUT", "http://h/b/k", strings.NewReader(c.body))
		r.Header.Set("X-Amz-Content-Sha256", streamingUnsignedTrailr)
		r.Header.Set("X-Amz-Decoded-Content-Length", "5")
		if c.trailerHdr != "" {
			r.Header.Set("X-Amz-Trailer", c.trailerHdr)
		}
		for k, v := range c.hdrs {
			r.Header.Set(k, v)
		}
		_, _, err := readPayload(t, r)
		wantS3(t, c.name, err, c.code)
		if c.msg != "" && err.(*s3Error).Message != c.msg {
			t.Errorf("%s: %q, want S3's %q", c.name, err.(*s3Error).Message, c.msg)
		}
	}
}

func TestChecksumAlgorithmsMatchS3(t *testing.T) {
	// Checksums of "the object data" that S3 gives (as a conformance suite
	// records them).
	for name, want := range map[string]string{
		"crc32": "z3mWAA==", "crc32c": "rxvjPA==", "crc64nvme": "dYnI3/Fh0gM=",
		"sha1": "8O8FwCfmd5fCbCBvH09mrKMVoHU=", "sha256": "OoSow5X4zTIPl27MtdFdYT+9O3C367C75+Cb2MFtRBc=",
		"sha512": "uiz+VuENyLjzFxWrdmbN/NdIdldj/V3saJF6FsckcYu6xu26fM0CfAaTySaoFJmIdI2m5wbYMJxtShQ1PXk3Tg==",
		"md5":    "EtWtthXtCk3RxUiXKw+ydw==", "xxhash64": "McmxUfNFLUs=", "xxhash3": "tLh+aNltTM4=", "xxhash128": "MXqrLVobrQkTBf82+7i9AQ==",
	} {
		c := &checksum{name: name, h: algByName(name).new()}
		c.h.Write([]byte("the object data"))
		if c.value() != want {
			t.Errorf("%s: %s, want %s", name, c.value(), want)
		}
	}
	if len(checksumAlgs) != 10 {
		t.Errorf("%d algorithms; the test knows S3's 10", len(checksumAlgs))
	}
}
