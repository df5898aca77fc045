package proxy

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxPutSize is S3's limit on one PutObject or UploadPart.
const maxPutSize = 5 << 30

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
	if isAWSChunked(r) {
		switch hashHdr {
		case streamingSignedTrailer:
			if id != nil && id.verified {
				return nil, errNotImplemented("%s (signed trailers) is not supported; use %s or %s", streamingSignedTrailer, streamingSigned, streamingUnsignedTrailr)
			}
		case streamingSigned, streamingUnsignedTrailr:
		default:
			if id != nil && id.verified {
				return nil, errInvalidRequest("an aws-chunked body needs x-amz-content-sha256 %s or %s", streamingSigned, streamingUnsignedTrailr)
			}
		}
		signed := hashHdr == streamingSigned || hashHdr == streamingSignedTrailer
		p.chunked = newChunkedReader(p.r, signed, id)
		p.r = p.chunked
		p.declared = -1
		if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, errInvalidArgument("x-amz-decoded-content-length %q is not a length", v)
			}
			p.declared = n
		}
	} else if hashHdr != "" && hashHdr != unsignedPayload {
		want, err := hex.DecodeString(hashHdr)
		if err != nil || len(want) != sha256.Size {
			return nil, newErr("InvalidArgument", 400, "x-amz-content-sha256 %q is neither a SHA-256 nor a known payload type", hashHdr)
		}
		p.sha, p.wantSHA = sha256.New(), want
	}
	if v := r.Header.Get("Content-Md5"); v != "" {
		want, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(want) != md5.Size {
			return nil, errInvalidDigest("Content-MD5 %q is not a base64 MD5", v)
		}
		p.wantMD5 = want
	}
	if p.declared > max {
		return nil, errEntityTooLarge("%d bytes: at most %d are accepted in one request", p.declared, max)
	}
	for name, mk := range checksumAlgorithms {
		c := &checksum{name: name}
		if v := r.Header.Get(c.header()); v != "" {
			c.h, c.want = mk(), v
			p.checksums = append(p.checksums, c)
		}
	}
	for _, t := range strings.Split(r.Header.Get("X-Amz-Trailer"), ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			continue
		}
		name, ok := strings.CutPrefix(t, "x-amz-checksum-")
		mk := checksumAlgorithms[name]
		if !ok || mk == nil {
			return nil, errInvalidArgument("x-amz-trailer %q: only x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256} are supported", t)
		}
		if p.chunked == nil {
			return nil, errInvalidRequest("x-amz-trailer needs an aws-chunked body")
		}
		p.checksums = append(p.checksums, &checksum{name: name, h: mk()})
	}
	if len(p.checksums) > 1 {
		return nil, errInvalidRequest("more than one additional checksum")
	}
	return p, nil
}

func (p *payload) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.r.Read(b)
	if n > 0 {
		p.n += int64(n)
		if p.n > p.max || (p.declared >= 0 && p.n > p.declared) {
			p.err = errIncompleteBody("the body is longer than declared (%d bytes, at most %d)", p.declared, p.max)
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
	} else if err != nil {
		p.err = err
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
		return errIncompleteBody("the body has %d bytes, %d were declared", p.n, p.declared)
	}
	if p.wantMD5 != nil && string(p.md5.Sum(nil)) != string(p.wantMD5) {
		return errBadDigest("the Content-MD5 you specified did not match what we received")
	}
	if p.sha != nil && string(p.sha.Sum(nil)) != string(p.wantSHA) {
		return newErr("XAmzContentSHA256Mismatch", 400, "the provided 'x-amz-content-sha256' header does not match what was computed")
	}
	for _, c := range p.checksums {
		if c.want == "" {
			c.want = p.chunked.trailer.Get(c.header())
			if c.want == "" {
				return errInvalidRequest("the trailer %s was announced but not sent", strings.ToLower(c.header()))
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
