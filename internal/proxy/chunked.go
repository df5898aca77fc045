package proxy

import (
	"bufio"
	"context"
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
// lines and trailers are small.
const (
	maxSignedChunk   = 16 << 20
	maxChunkLine     = 4096
	maxTrailerFields = 16
)

// chunkedReader decodes an aws-chunked body (Content-Encoding: aws-chunked)
// into the object's bytes. With a signer it checks every chunk's signature
// before handing out its bytes, so nothing unproven is ever written. After
// io.EOF, trailer holds the trailing headers (e.g. x-amz-checksum-crc32).
type chunkedReader struct {
	br      *bufio.Reader
	signer  *v4.StreamSigner // nil: chunk signatures are not checked
	id      *identity
	signed  bool // chunks carry ";chunk-signature="
	left    int64
	pending []byte // a checked chunk's bytes not read yet
	eof     bool
	err     error
	trailer http.Header
	decoded int64
}

// newChunkedReader decodes body; signed says the chunks carry signatures
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]); id, when verified,
// checks them.
func newChunkedReader(body io.Reader, signed bool, id *identity) *chunkedReader {
	c := &chunkedReader{br: bufio.NewReaderSize(body, maxChunkLine), signed: signed, trailer: http.Header{}}
	if signed && id != nil && id.verified {
		c.id = id
		c.signer = v4.NewStreamSigner(id.creds, id.service, id.region, id.seed)
	}
	return c
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
				err = errIncompleteBody("the body ended inside a chunk")
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

// line reads one CRLF-terminated line, without the CRLF.
func (c *chunkedReader) line() (string, *s3Error) {
	b, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return "", errIncompleteBody("an aws-chunked line is longer than %d bytes", maxChunkLine)
	}
	if err != nil {
		return "", errIncompleteBody("the body ended before the aws-chunked encoding did")
	}
	s, ok := strings.CutSuffix(string(b), "\r\n")
	if !ok {
		return "", errIncompleteBody("an aws-chunked line does not end in CRLF")
	}
	return s, nil
}

func (c *chunkedReader) crlf() *s3Error {
	var b [2]byte
	if _, err := io.ReadFull(c.br, b[:]); err != nil || b != [2]byte{'\r', '\n'} {
		e := errIncompleteBody("an aws-chunked chunk is not followed by CRLF")
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
		return errIncompleteBody("aws-chunked chunk size %q is not a hex number", sizeStr)
	}
	var sig string
	if c.signed {
		var ok bool
		if sig, ok = strings.CutPrefix(ext, "chunk-signature="); !hasExt || !ok || len(sig) != 64 {
			return errSignatureMismatch("aws-chunked chunk header %q lacks a chunk-signature", l)
		}
	}
	c.decoded += size
	if c.signer != nil {
		if size > maxSignedChunk {
			return errInvalidRequest("signed chunks of %d bytes: at most %d are accepted", size, maxSignedChunk)
		}
		data := make([]byte, size)
		if _, err := io.ReadFull(c.br, data); err != nil {
			return errIncompleteBody("the body ended inside a chunk")
		}
		want, err := c.signer.GetSignature(context.Background(), nil, data, c.id.when)
		if err != nil {
			return errInternal("chunk signature: %v", err)
		}
		got, err := hex.DecodeString(sig)
		if err != nil || subtle.ConstantTimeCompare(want, got) != 1 {
			return errSignatureMismatch("the signature of an aws-chunked chunk does not match")
		}
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

// finish reads the trailers (or the empty line) after the last chunk.
func (c *chunkedReader) finish() *s3Error {
	c.eof = true
	for n := 0; ; n++ {
		l, e := c.line()
		if e != nil {
			return e
		}
		if l == "" {
			return nil
		}
		if n == maxTrailerFields {
			return errInvalidRequest("more than %d aws-chunked trailers", maxTrailerFields)
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok || k == "" {
			return errInvalidRequest("aws-chunked trailer %q is not name:value", l)
		}
		c.trailer.Add(textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(k)), strings.TrimSpace(v))
	}
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
