package proxy

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// maxPutSize is S3's limit on one PutObject or UploadPart.
const maxPutSize = 5 << 30

// S3's errors for checksums and body lengths, with S3's own messages,
// which clients and conformance suites compare.
func errMultipleChecksums() *s3Error {
	return errInvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
}
func errInvalidHeaderValue(name string) *s3Error {
	return errInvalidRequest("Value for %s header is invalid.", name)
}
func errInvalidTrailerValue(name string) *s3Error {
	return errInvalidRequest("Value for %s trailing header is invalid.", name)
}
func errInvalidSHA256Usage() *s3Error {
	return errInvalidRequest("The value of x-amz-content-sha256 header is invalid.")
}
func errLengthMismatch() *s3Error {
	return errIncompleteBody("You did not provide the number of bytes specified by the Content-Length HTTP header")
}

// payloadTypes are the values of x-amz-content-sha256 that S3 knows and
// are not a hash: the ones above, and SigV4a's streaming ones (which this
// proxy does not verify, and refuses as a signature it cannot check).
var payloadTypes = []string{unsignedPayload, streamingUnsignedTrailr, streamingSigned, streamingSignedTrailer,
	"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"}

// payloadSHA256 is the SHA-256 an x-amz-content-sha256 of 64 hex digits
// declares.
func payloadSHA256(v string) ([]byte, bool) {
	b, err := hex.DecodeString(v)
	return b, err == nil && len(b) == sha256.Size
}

// errInvalidContentSHA256 is S3's answer to an x-amz-content-sha256 that is
// neither a SHA-256 nor a payload type.
func errInvalidContentSHA256(v string) *s3Error {
	return errBadArgument("x-amz-content-sha256", v, "x-amz-content-sha256 must be %s or a valid sha256 value.", strings.Join(payloadTypes, ", "))
}

// checkContentSHA256 refuses a malformed x-amz-content-sha256 before the
// signature is checked, as S3 does: the header says how to read the
// signature and the body.
func checkContentSHA256(h http.Header) *s3Error {
	v, ok := h["X-Amz-Content-Sha256"]
	if !ok {
		return nil
	}
	if _, ok := payloadSHA256(v[0]); ok || slices.Contains(payloadTypes, v[0]) {
		return nil
	}
	return errInvalidContentSHA256(v[0])
}

// checksum is one additional checksum a request declares: in a header
// (want set) or in a trailer (named by x-amz-trailer).
type checksum struct {
	name string // e.g. "crc32"
	h    hash.Hash
	want string
}

func (c *checksum) header() string {
	return "X-Amz-Checksum-" + strings.ToUpper(c.name[:1]) + c.name[1:]
}

func (c *checksum) value() string { return base64.StdEncoding.EncodeToString(c.h.Sum(nil)) }

// wellFormed says whether v can be a value of c's algorithm: the base64
// of a sum of its size.
func (c *checksum) wellFormed(v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == c.h.Size()
}

// payload is a request body as the object's bytes: decoded from
// aws-chunked when sent so, hashed as it goes, and checked at its end
// against everything the request declared (length, Content-MD5, the
// signed SHA-256, additional checksums). A failed check is returned in
// place of io.EOF, so a writer never completes an object from a body that
// does not check out.
type payload struct {
	r         io.Reader
	chunked   *chunkedReader
	md5       hash.Hash
	sha       hash.Hash
	wantSHA   []byte
	wantMD5   []byte
	n         int64
	declared  int64 // -1: unknown
	max       int64
	err       error
	finished  bool
	checksums []*checksum
	deferHash bool
}

// newPayload prepares r's body for reading as an object of at most max
// bytes.
func newPayload(r *http.Request, id *identity, max int64) (*payload, *s3Error) {
	p := &payload{r: r.Body, md5: md5.New(), declared: r.ContentLength, max: max}
	if r.Body == nil {
		p.r = http.NoBody
	}
	hashHdr := r.Header.Get("X-Amz-Content-Sha256")
	trailers, e := announcedTrailers(r)
	if e != nil {
		return nil, e
	}
	if isAWSChunked(r) {
		switch hashHdr {
		case streamingSigned, streamingSignedTrailer, streamingUnsignedTrailr:
			// S3 needs the object's length of every streaming upload.
			n, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64)
			if err != nil || n < 0 {
				return nil, errMissingContentLength("You must provide the Content-Length HTTP header.")
			}
			p.declared = n
		default:
			if id != nil && id.verified {
				return nil, errInvalidRequest("an aws-chunked body needs x-amz-content-sha256 %s, %s or %s", streamingSigned, streamingSignedTrailer, streamingUnsignedTrailr)
			}
			p.declared = -1
			if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || n < 0 {
					return nil, errInvalidArgument("x-amz-decoded-content-length %q is not a length", v)
				}
				p.declared = n
			}
		}
		p.chunked = newChunkedReader(p.r, hashHdr, trailers, id)
		p.r = p.chunked
	} else if len(trailers) > 0 {
		return nil, errInvalidRequest("x-amz-trailer needs an aws-chunked body")
	} else if want, ok := payloadSHA256(hashHdr); ok {
		p.sha, p.wantSHA = sha256.New(), want
	} else if hashHdr != "" && hashHdr != unsignedPayload {
		return nil, errInvalidContentSHA256(hashHdr)
	}
	want, e := contentMD5(r)
	if e != nil {
		return nil, e
	}
	p.wantMD5 = want
	if p.declared > max {
		return nil, errTooLarge(p.declared, max)
	}
	for _, a := range checksumAlgs {
		// A hash only for the checksum the request carries.
		if v := r.Header.Get(a.header()); v != "" {
			c := &checksum{name: a.lower(), h: a.new()}
			if !c.wellFormed(v) {
				return nil, errInvalidHeaderValue(a.header())
			}
			c.want = v
			p.checksums = append(p.checksums, c)
		}
	}
	for _, t := range trailers {
		a := algByName(strings.TrimPrefix(t, "x-amz-checksum-"))
		p.checksums = append(p.checksums, &checksum{name: a.lower(), h: a.new()})
	}
	if len(p.checksums) > 1 {
		return nil, errMultipleChecksums()
	}
	if v := r.Header.Get("X-Amz-Sdk-Checksum-Algorithm"); v != "" {
		// The SDK names the checksum it sends; one that is not it (or
		// none it could be) is a request S3 refuses.
		if algByName(v) == nil || (len(p.checksums) == 1 && !strings.EqualFold(p.checksums[0].name, v)) {
			return nil, errInvalidHeaderValue("x-amz-sdk-checksum-algorithm")
		}
	}
	return p, nil
}

// contentMD5 is the digest Content-MD5 declares, nil without the header;
// present but empty is a digest that is not one, as in S3.
func contentMD5(r *http.Request) ([]byte, *s3Error) {
	v, ok := r.Header["Content-Md5"]
	if !ok {
		return nil, nil
	}
	want, err := base64.StdEncoding.DecodeString(v[0])
	if err != nil || len(want) != md5.Size {
		return nil, errInvalidDigest("Content-MD5 %q is not a base64 MD5", v[0]).with("Content-MD5", v[0])
	}
	return want, nil
}

// announcedTrailers are the checksum algorithms x-amz-trailer names (e.g.
// "crc32" for x-amz-checksum-crc32), the trailers an aws-chunked body ends
// with.
func announcedTrailers(r *http.Request) ([]string, *s3Error) {
	var out []string
	for _, t := range strings.Split(r.Header.Get("X-Amz-Trailer"), ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			continue
		}
		name, ok := strings.CutPrefix(t, "x-amz-checksum-")
		if !ok || algByName(name) == nil {
			return nil, errInvalidRequest("The value specified in the x-amz-trailer header is not supported")
		}
		out = append(out, "x-amz-checksum-"+name)
	}
	return out, nil
}

func (p *payload) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.r.Read(b)
	if err != nil && err != io.EOF {
		// A broken encoding says more than the length it led to, and
		// nothing read with it is handed out.
		p.err = err
		return 0, err
	}
	if n > 0 {
		p.n += int64(n)
		if p.n > p.max {
			// Only a body of unknown length gets here (a declared one
			// over max was refused), and it is not read to its end.
			p.err = errTooLarge(-1, p.max)
			return 0, p.err
		}
		if p.declared >= 0 && p.n > p.declared {
			p.err = errLengthMismatch()
			return 0, p.err
		}
		if !p.deferHash {
			p.hash(b[:n])
		}
	}
	if err == io.EOF && !p.deferHash {
		if e := p.finish(); e != nil {
			p.err = e
			return n, e
		}
	}
	return n, err
}

// hash feeds data, the next bytes of the body, to the hashes.
func (p *payload) hash(data []byte) {
	p.md5.Write(data)
	if p.sha != nil {
		p.sha.Write(data)
	}
	for _, c := range p.checksums {
		c.h.Write(data)
	}
}

// source is the body as fill copies it: with deferHash set, Read leaves
// the hashing and the final checks to a pipeline (pipeCopy).
func (p *payload) source() source {
	if p.declared >= 0 && p.declared < pipeMinBytes {
		return source{r: p, size: p.declared}
	}
	p.deferHash = true
	return source{r: p, size: p.declared, hash: p.hash, end: func() error {
		if e := p.finish(); e != nil {
			return e
		}
		return nil
	}}
}

// finish checks the body against what the request declared.
func (p *payload) finish() *s3Error {
	p.finished = true
	if p.declared >= 0 && p.n != p.declared {
		return errLengthMismatch()
	}
	if got := p.md5.Sum(nil); p.wantMD5 != nil && string(got) != string(p.wantMD5) {
		return errBadMD5(p.wantMD5, got)
	}
	if p.sha != nil {
		if got := p.sha.Sum(nil); string(got) != string(p.wantSHA) {
			return errSHA256Mismatch(p.wantSHA, got)
		}
	}
	for _, c := range p.checksums {
		if c.want == "" {
			// The decoder ends the body only after every announced
			// trailer, so the trailer is there.
			c.want = p.chunked.trailer.Get(c.header())
			if !c.wellFormed(c.want) {
				return errInvalidTrailerValue(strings.ToLower(c.header()))
			}
		}
		if c.value() != c.want {
			return errBadDigest("The %s you specified did not match the calculated checksum.", strings.ToUpper(c.name))
		}
	}
	return nil
}

// etag is the MD5 of the bytes read, in hex.
func (p *payload) etag() string { return hex.EncodeToString(p.md5.Sum(nil)) }
