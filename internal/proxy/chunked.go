package proxy

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Limits of the aws-chunked decoder: a chunk whose signature is checked is
// held whole (SDKs send 64 KiB chunks; S3 asks for at least 8 KiB), and
// lines are small.
const (
	maxSignedChunk = 16 << 20
	maxChunkLine   = 4096
)

// chunkedReader decodes an aws-chunked body (Content-Encoding: aws-chunked)
// into the object's bytes. With a signer it checks every chunk's signature
// before handing out its bytes, so nothing unproven is ever written, and in
// the signed-trailer form the trailer's signature too before io.EOF. After
// io.EOF, trailer holds the trailing headers (e.g. x-amz-checksum-crc32).
type chunkedReader struct {
	br       *bufio.Reader
	signer   *v4.StreamSigner // nil: signatures are not checked
	id       *identity
	signed   bool     // chunks carry ";chunk-signature="
	sigTrail bool     // a x-amz-trailer-signature follows the trailers
	expect   []string // the trailers x-amz-trailer announced, lower case
	prevSig  string   // the last chunk's signature, which the trailer's chains to
	left     int64
	small    bool // the last chunk was under minChunk: it must be the final one
	pending  []byte
	eof      bool
	err      error
	trailer  http.Header
	canon    strings.Builder // the trailers as signed: "name:value\n" each
}

// minChunk is S3's smallest chunk but the last one.
const minChunk = 8 << 10

// newChunkedReader decodes body, sent with x-amz-content-sha256 hashHdr
// and announcing the trailers expect (lower-case names); id, when
// verified, checks the signatures of the signed forms.
func newChunkedReader(body io.Reader, hashHdr string, expect []string, id *identity) *chunkedReader {
	c := &chunkedReader{
		br:       bufio.NewReaderSize(body, maxChunkLine),
		signed:   hashHdr == streamingSigned || hashHdr == streamingSignedTrailer,
		sigTrail: hashHdr == streamingSignedTrailer,
		expect:   expect,
		trailer:  http.Header{},
	}
	if c.signed && id != nil && id.verified {
		c.id = id
		c.signer = v4.NewStreamSigner(id.creds, id.service, id.region, id.seed)
	}
	return c
}

// S3's errors for a broken aws-chunked body; the messages are S3's own,
// which clients and conformance suites compare.
func errBodyCut() *s3Error { return errIncompleteBody("The request body terminated unexpectedly") }
func errMalformedTrailer() *s3Error {
	return newErr("MalformedTrailerError", 400, "The request contained trailing data that was not well-formed or did not conform to our published schema.")
}
func errChunkSize() *s3Error {
	return newErr("InvalidChunkSizeError", 400, "Only the last chunk is allowed to have a size less than %d bytes", minChunk)
}

func (c *chunkedReader) fail(e *s3Error) (int, error) {
	c.err = e
	return 0, e
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	for {
		if c.err != nil {
			return 0, c.err
		}
		if len(c.pending) > 0 {
			n := copy(p, c.pending)
			c.pending = c.pending[n:]
			return n, nil
		}
		if c.eof {
			return 0, io.EOF
		}
		if c.left > 0 && c.signer == nil {
			n, err := c.br.Read(p[:min(int64(len(p)), c.left)])
			c.left -= int64(n)
			if err == io.EOF {
				err = errBodyCut()
			}
			if err != nil {
				c.err = err
				return n, err
			}
			if c.left == 0 {
				if e := c.crlf(); e != nil {
					return n, e
				}
			}
			return n, nil
		}
		if e := c.nextChunk(); e != nil {
			return c.fail(e)
		}
	}
}

// line reads one CRLF-terminated line, without the CRLF. A CR elsewhere
// in it means the framing is broken (a CRLF damaged in transit).
func (c *chunkedReader) line() (string, *s3Error) {
	b, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return "", errIncompleteBody("The request body terminated unexpectedly (an aws-chunked line is longer than %d bytes)", maxChunkLine)
	}
	if err != nil {
		return "", errBodyCut()
	}
	s, ok := strings.CutSuffix(string(b), "\r\n")
	if !ok || strings.ContainsRune(s, '\r') {
		return "", errBodyCut()
	}
	return s, nil
}

func (c *chunkedReader) crlf() *s3Error {
	var b [2]byte
	if _, err := io.ReadFull(c.br, b[:]); err != nil || b != [2]byte{'\r', '\n'} {
		e := errBodyCut()
		c.err = e
		return e
	}
	return nil
}

// nextChunk reads a chunk header; a signed chunk is read whole and checked.
func (c *chunkedReader) nextChunk() *s3Error {
	l, e := c.line()
	if e != nil {
		return e
	}
	sizeStr, ext, hasExt := strings.Cut(l, ";")
	size, err := strconv.ParseInt(sizeStr, 16, 64)
	if err != nil || size < 0 || sizeStr == "" || len(sizeStr) > 16 {
		return errBodyCut()
	}
	if size > 0 && c.small {
		return errChunkSize()
	}
	c.small = size < minChunk
	var sig string
	if c.signed {
		var ok bool
		if sig, ok = strings.CutPrefix(ext, "chunk-signature="); !hasExt || !ok {
			return errSignatureMismatch("aws-chunked chunk header %q lacks a chunk-signature", l)
		}
		if len(sig) != 64 {
			return errBodyCut() // the header's line ran into what followed it
		}
	}
	if c.signer != nil {
		if size > maxSignedChunk {
			return errInvalidRequest("signed chunks of %d bytes: at most %d are accepted", size, maxSignedChunk)
		}
		data := make([]byte, size)
		if _, err := io.ReadFull(c.br, data); err != nil {
			return errBodyCut()
		}
		want, err := c.signer.GetSignature(context.Background(), nil, data, c.id.when)
		if err != nil {
			return errInternal("chunk signature: %v", err)
		}
		got, err := hex.DecodeString(sig)
		if err != nil || subtle.ConstantTimeCompare(want, got) != 1 {
			return errSignatureMismatch("the signature of an aws-chunked chunk does not match")
		}
		c.prevSig = sig
		c.pending = data
		if size == 0 {
			return c.finish()
		}
		return c.crlf()
	}
	if size == 0 {
		return c.finish()
	}
	c.left = size
	return nil
}

// finish reads the trailers after the last chunk: exactly those
// x-amz-trailer announced, then in the signed-trailer form the trailer
// signature, then an empty line.
func (c *chunkedReader) finish() *s3Error {
	c.eof = true
	for n := 0; ; n++ {
		l, e := c.line()
		if e != nil {
			return e
		}
		if n < len(c.expect) {
			// An announced trailer's place: a missing, unnamed or other
			// trailer here is malformed.
			k, v, ok := strings.Cut(l, ":")
			k = strings.ToLower(strings.TrimSpace(k))
			name := textproto.CanonicalMIMEHeaderKey(k)
			if !ok || k != c.expect[n] || c.trailer.Get(name) != "" {
				return errMalformedTrailer()
			}
			v = strings.TrimSpace(v)
			c.trailer.Set(name, v)
			c.canon.WriteString(k + ":" + v + "\n")
			continue
		}
		if c.sigTrail {
			return c.trailerSignature(l)
		}
		if l != "" {
			return errMalformedTrailer() // a trailer x-amz-trailer did not announce
		}
		return nil
	}
}

// trailerSignature checks the signed-trailer form's last lines: l, which
// must be x-amz-trailer-signature, and the empty line after it.
func (c *chunkedReader) trailerSignature(l string) *s3Error {
	sig, ok := strings.CutPrefix(l, "x-amz-trailer-signature:")
	if !ok {
		if l == "" {
			return errSignatureMismatch("the trailer has no x-amz-trailer-signature")
		}
		if len(c.expect) == 0 && strings.HasPrefix(strings.ToLower(l), "x-amz-checksum-") {
			return errMalformedTrailer() // a trailer x-amz-trailer did not announce
		}
		return errBodyCut()
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return errBodyCut()
	}
	if end, e := c.line(); e != nil || end != "" {
		return errBodyCut()
	}
	if c.signer == nil {
		return nil
	}
	if subtle.ConstantTimeCompare(c.wantTrailerSig(), got) != 1 {
		return errSignatureMismatch("the trailer signature we calculated does not match the x-amz-trailer-signature you provided")
	}
	return nil
}

// wantTrailerSig is the trailer's signature by SigV4's streaming-trailer
// rules: HMAC-SHA256 with the request's signing key over
// "AWS4-HMAC-SHA256-TRAILER\n<time>\n<scope>\n<last chunk's
// signature>\n<hex SHA-256 of the trailers>". The SDK's stream signer
// does not sign trailers, so the key is derived here as SigV4 defines it.
func (c *chunkedReader) wantTrailerSig() []byte {
	id := c.id
	date := id.when.UTC().Format("20060102")
	key := hmacSHA256([]byte("AWS4"+id.creds.SecretAccessKey), date)
	for _, part := range []string{id.region, id.service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	sum := sha256.Sum256([]byte(c.canon.String()))
	scope := date + "/" + id.region + "/" + id.service + "/aws4_request"
	return hmacSHA256(key, "AWS4-HMAC-SHA256-TRAILER\n"+id.when.UTC().Format(amzDateFormat)+"\n"+scope+"\n"+c.prevSig+"\n"+hex.EncodeToString(sum[:]))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// isAWSChunked says whether r's body is aws-chunked, from its payload
// hash or its content encoding.
func isAWSChunked(r *http.Request) bool {
	switch r.Header.Get("X-Amz-Content-Sha256") {
	case streamingSigned, streamingSignedTrailer, streamingUnsignedTrailr:
		return true
	}
	for _, enc := range strings.Split(r.Header.Get("Content-Encoding"), ",") {
		if strings.TrimSpace(enc) == "aws-chunked" {
			return true
		}
	}
	return false
}

// storedContentEncoding is Content-Encoding without aws-chunked, which
// only describes the transfer.
func storedContentEncoding(v string) string {
	var keep []string
	for _, enc := range strings.Split(v, ",") {
		if enc = strings.TrimSpace(enc); enc != "" && enc != "aws-chunked" {
			keep = append(keep, enc)
		}
	}
	return strings.Join(keep, ",")
}
