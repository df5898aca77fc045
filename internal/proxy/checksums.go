package proxy

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/minio/crc64nvme"
	"github.com/zeebo/xxh3"

	"github.com/alluxio-go/alluxio/client"
)

// S3's "flexible checksums": an object keeps the additional checksum its
// upload carried, or the CRC-64/NVME S3 computes when it carried none, and
// returns it on request (x-amz-checksum-mode: ENABLED, GetObjectAttributes).
// It is stored as the xattr xChecksum, "<ALGORITHM> <TYPE> <value>", where
// value is base64 and, for a COMPOSITE multipart checksum, ends in
// "-<parts>".

const (
	xChecksum = "s3.checksum"
	// On a multipart upload's folder: "<ALGORITHM> <TYPE>" it was created with.
	xUploadChecksum = "s3.upload.checksum"
)

// The checksum types of S3.
const (
	fullObject = "FULL_OBJECT"
	composite  = "COMPOSITE"
)

// checksumAlg is one of S3's checksum algorithms.
type checksumAlg struct {
	name string // as S3 spells it: "CRC32"
	size int    // bytes of a value
	new  func() hash.Hash
	// crc is set for CRCs, whose values combine into the CRC of
	// concatenated data; they alone allow FULL_OBJECT multipart checksums.
	crc *crcCombiner
}

// checksumAlgs are S3's algorithms, in its order: the one table of them,
// which the payload's checks, the stored checksums and the multipart
// rules all read. Each value is sent as the base64 of its big-endian sum.
var checksumAlgs = []*checksumAlg{
	{name: "CRC32", size: 4, crc: newCRCCombiner(32, 0xedb88320), new: func() hash.Hash { return crc32.NewIEEE() }},
	{name: "CRC32C", size: 4, crc: newCRCCombiner(32, 0x82f63b78), new: func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) }},
	// S3 computes CRC-64/NVME for every upload that sends no checksum:
	// the table-driven stdlib CRC runs at about MD5's speed, which would
	// halve PUTs; minio's uses the CPU's carry-less multiply.
	{name: "CRC64NVME", size: 8, crc: newCRCCombiner(64, 0x9a6c9329ac4bc9b5), new: func() hash.Hash { return crc64nvme.New() }},
	{name: "SHA1", size: 20, new: sha1.New},
	{name: "SHA256", size: 32, new: sha256.New},
	{name: "SHA512", size: 64, new: sha512.New},
	{name: "MD5", size: 16, new: md5.New},
	{name: "XXHASH64", size: 8, new: func() hash.Hash { return xxhash.New() }},
	{name: "XXHASH3", size: 8, new: func() hash.Hash { return xxh3.New() }},
	{name: "XXHASH128", size: 16, new: func() hash.Hash { return xxh3.New128() }},
}

// defaultChecksum is what S3 computes for an upload that carries none.
var defaultChecksum = algByName("CRC64NVME")

// algByName is the algorithm named s in any case, or nil.
func algByName(s string) *checksumAlg {
	for _, a := range checksumAlgs {
		if strings.EqualFold(a.name, s) {
			return a
		}
	}
	return nil
}

func (a *checksumAlg) lower() string  { return strings.ToLower(a.name) }
func (a *checksumAlg) header() string { return "x-amz-checksum-" + a.lower() }

// valid says whether v is a base64 value of this algorithm.
func (a *checksumAlg) valid(v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == a.size
}

// types says which multipart checksum types a is allowed with.
func (a *checksumAlg) allows(typ string) bool {
	switch typ {
	case fullObject:
		return a.crc != nil
	case composite:
		return a.name != "CRC64NVME"
	}
	return false
}

// defaultType is the multipart checksum type of a when none is asked.
func (a *checksumAlg) defaultType() string {
	if a.name == "CRC64NVME" {
		return fullObject
	}
	return composite
}

// objChecksum is an object's or a part's checksum.
type objChecksum struct {
	alg   *checksumAlg
	typ   string // fullObject or composite
	value string // base64, "-<parts>" after it when composite
}

func (c objChecksum) encode() []byte { return []byte(c.alg.name + " " + c.typ + " " + c.value) }

// decodeChecksum reads a stored checksum; ok is false for anything else.
func decodeChecksum(b []byte) (c objChecksum, ok bool) {
	f := strings.Fields(string(b))
	if len(f) != 3 {
		return c, false
	}
	c = objChecksum{alg: algByName(f[0]), typ: f[1], value: f[2]}
	if c.alg == nil || (c.typ != fullObject && c.typ != composite) {
		return c, false
	}
	v, parts, multi := strings.Cut(c.value, "-")
	if multi != (c.typ == composite) || !c.alg.valid(v) {
		return c, false
	}
	if multi {
		if n, err := strconv.Atoi(parts); err != nil || n < 1 || n > maxParts || strconv.Itoa(n) != parts {
			return c, false
		}
	}
	return c, true
}

// checksumOf is the stored checksum of an object or part, if any.
func checksumOf(fi *client.FileInfo) (objChecksum, bool) {
	return decodeChecksum(fi.Xattr[xChecksum])
}

// setChecksumHeaders sets the response headers that give c.
func setChecksumHeaders(h http.Header, c objChecksum) {
	h.Set(c.alg.header(), c.value)
	h.Set("X-Amz-Checksum-Type", c.typ)
}

// errUnsupportedChecksum has S3's message, which SDK tests compare.
func errUnsupportedChecksum() *s3Error {
	return errInvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, MD5, SHA1, SHA256, SHA512, XXHASH128, XXHASH3, XXHASH64]")
}

// requestChecksum checks the checksum headers of a request with a body
// (PutObject, UploadPart) as S3 does, and returns the algorithm they
// declare, if any: one x-amz-checksum-<alg> header with a well-formed
// value or one trailer, matching x-amz-sdk-checksum-algorithm when sent.
func requestChecksum(h http.Header) (*checksumAlg, *s3Error) {
	var sdk *checksumAlg
	if v := h.Get("X-Amz-Sdk-Checksum-Algorithm"); v != "" {
		if sdk = algByName(v); sdk == nil {
			return nil, errUnsupportedChecksum()
		}
	}
	for k := range h {
		name, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-checksum-")
		if ok && algByName(name) == nil && name != "type" && name != "algorithm" && name != "mode" {
			return nil, errInvalidRequest("The algorithm type you specified in x-amz-checksum- header is invalid.")
		}
	}
	var declared *checksumAlg
	var value string
	for _, a := range checksumAlgs {
		// Sent empty counts as sent (and is invalid).
		vs, sent := h[http.CanonicalHeaderKey(a.header())]
		if !sent {
			continue
		}
		if declared != nil {
			return nil, errMultipleChecksums()
		}
		declared, value = a, strings.Join(vs, ",")
	}
	if declared != nil && !declared.valid(value) {
		return nil, errInvalidHeaderValue(declared.header())
	}
	if t := strings.TrimSpace(h.Get("X-Amz-Trailer")); t != "" {
		if declared != nil {
			return nil, errMultipleChecksums()
		}
		name, ok := strings.CutPrefix(strings.ToLower(t), "x-amz-checksum-")
		if declared = algByName(name); !ok || declared == nil {
			// Refused by the payload, with S3's words for trailers.
			return nil, nil
		}
	}
	if sdk != nil {
		if declared == nil {
			return nil, errInvalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
		}
		if declared != sdk {
			return nil, errInvalidHeaderValue("x-amz-sdk-checksum-algorithm")
		}
	}
	return declared, nil
}

// bodyChecksum is the checksum an object or part gets from its body: the
// one the request declared, which the payload computes and checks, or
// one computed here on the way.
type bodyChecksum struct {
	alg      *checksumAlg
	declared *checksum // the payload's, when declared
	h        hash.Hash // ours, when not
	kept     string    // a value known already (a copy's source's)
}

// newBodyChecksum is the checksum of pl's body: the declared one, or alg's
// (the default when nil) computed as the body streams through the source
// src.
func newBodyChecksum(pl *payload, alg *checksumAlg) *bodyChecksum {
	for _, c := range pl.checksums {
		return &bodyChecksum{alg: algByName(c.name), declared: c}
	}
	if alg == nil {
		alg = defaultChecksum
	}
	return &bodyChecksum{alg: alg, h: alg.new()}
}

// wrap has src feed our hash, when we compute one.
func (b *bodyChecksum) wrap(src source) source {
	if b.h == nil {
		return src
	}
	return hashing(src, b.h)
}

// value is the base64 checksum, once the body is read.
func (b *bodyChecksum) value() string {
	if b.kept != "" {
		return b.kept
	}
	if b.declared != nil {
		return b.declared.value()
	}
	return base64.StdEncoding.EncodeToString(b.h.Sum(nil))
}

func (b *bodyChecksum) sum() objChecksum {
	return objChecksum{alg: b.alg, typ: fullObject, value: b.value()}
}

// attrs is the stored form, for source.attrs.
func (b *bodyChecksum) attrs() objectMeta { return objectMeta{xChecksum: b.sum().encode()} }

// hashing has src also feed h every byte it gives.
func hashing(src source, h hash.Hash) source {
	if src.hash == nil {
		src.r = io.TeeReader(src.r, h)
		return src
	}
	inner := src.hash
	src.hash = func(b []byte) { inner(b); h.Write(b) }
	return src
}

// copyChecksum is the checksum of a copy of src: the source's, kept, when
// it is a whole-object one of the algorithm asked for (any when alg is
// nil); else alg's (the source's, or the default when nil), to compute
// as the content is copied.
func copyChecksum(src *client.FileInfo, alg *checksumAlg) (sum *bodyChecksum, kept bool) {
	c, ok := checksumOf(src)
	if ok && c.typ == fullObject && (alg == nil || alg == c.alg) {
		return &bodyChecksum{alg: c.alg, kept: c.value}, true
	}
	if alg == nil {
		alg = defaultChecksum
		if ok {
			alg = c.alg
		}
	}
	return &bodyChecksum{alg: alg, h: alg.new()}, false
}

// checksumContent reads fi's content into sum's hash.
func (s *Server) checksumContent(ctx context.Context, fi *client.FileInfo, sum *bodyChecksum) *s3Error {
	rd, err := s.fs.OpenInfo(ctx, fi, client.OpenOptions{})
	if err != nil {
		return fromClient(err, errNoSuchKey("the source object does not exist"))
	}
	defer rd.Close()
	buf := s.buffer()
	defer s.release(buf)
	if _, err := io.CopyBuffer(sum.h, &exactReader{r: io.LimitReader(rd, fi.Length), left: fi.Length}, *buf); err != nil {
		return fromClient(err, nil)
	}
	return nil
}
