package proxy

import (
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"strconv"
	"strings"

	"github.com/alluxio-go/alluxio/client"
)

// Multipart checksums. An upload created with x-amz-checksum-algorithm
// keeps it and its type (xUploadChecksum); each part stores its checksum
// of that algorithm, sent by the client or, for FULL_OBJECT uploads,
// computed here. An upload created without one gets S3's default: every
// part stores its CRC-64/NVME, and the object the FULL_OBJECT CRC-64/NVME
// combined from them. At completion the object gets a COMPOSITE checksum
// (the checksum of the parts' binary checksums, "-<parts>" after it) or a
// FULL_OBJECT one (the parts' CRCs combined into the whole object's).

// checksumFields are the Checksum<ALG> elements of S3's XML documents; at
// most one is set.
type checksumFields struct {
	CRC32     string `xml:"ChecksumCRC32,omitempty"`
	CRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	CRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	SHA1      string `xml:"ChecksumSHA1,omitempty"`
	SHA256    string `xml:"ChecksumSHA256,omitempty"`
	SHA512    string `xml:"ChecksumSHA512,omitempty"`
	MD5       string `xml:"ChecksumMD5,omitempty"`
	XXHASH64  string `xml:"ChecksumXXHASH64,omitempty"`
	XXHASH3   string `xml:"ChecksumXXHASH3,omitempty"`
	XXHASH128 string `xml:"ChecksumXXHASH128,omitempty"`
}

func (f *checksumFields) field(a *checksumAlg) *string {
	switch a.name {
	case "CRC32":
		return &f.CRC32
	case "CRC32C":
		return &f.CRC32C
	case "CRC64NVME":
		return &f.CRC64NVME
	case "SHA1":
		return &f.SHA1
	case "SHA256":
		return &f.SHA256
	case "SHA512":
		return &f.SHA512
	case "MD5":
		return &f.MD5
	case "XXHASH64":
		return &f.XXHASH64
	case "XXHASH3":
		return &f.XXHASH3
	}
	return &f.XXHASH128
}

// set puts c's value in its element.
func (f *checksumFields) set(c objChecksum) { *f.field(c.alg) = c.value }

// only is the one algorithm whose element is set; ok is false when more
// than one is.
func (f *checksumFields) only() (alg *checksumAlg, value string, ok bool) {
	for _, a := range checksumAlgs {
		if v := *f.field(a); v != "" {
			if alg != nil {
				return nil, "", false
			}
			alg, value = a, v
		}
	}
	return alg, value, true
}

// uploadChecksum is the algorithm and type of a multipart upload.
type uploadChecksum struct {
	alg *checksumAlg // nil: none asked, S3's default applies
	typ string
}

// uploadChecksumFromRequest reads CreateMultipartUpload's
// x-amz-checksum-algorithm and x-amz-checksum-type as S3 does.
func uploadChecksumFromRequest(h http.Header) (uploadChecksum, *s3Error) {
	var u uploadChecksum
	if v := h.Get("X-Amz-Checksum-Algorithm"); v != "" {
		if u.alg = algByName(v); u.alg == nil {
			return u, errUnsupportedChecksum()
		}
	}
	u.typ = strings.ToUpper(h.Get("X-Amz-Checksum-Type"))
	if u.typ != "" && u.typ != fullObject && u.typ != composite {
		return u, errInvalidHeaderValue("x-amz-checksum-type")
	}
	if u.alg == nil {
		if u.typ != "" {
			return u, errInvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
		}
		return u, nil
	}
	if u.typ == "" {
		u.typ = u.alg.defaultType()
	} else if !u.alg.allows(u.typ) {
		return u, errInvalidRequest("The %s checksum type cannot be used with the %s checksum algorithm.", u.typ, u.alg.lower())
	}
	return u, nil
}

func (u uploadChecksum) encode() []byte { return []byte(u.alg.name + " " + u.typ) }

// uploadChecksumOf is the checksum an upload folder was created with.
func uploadChecksumOf(up *client.FileInfo) uploadChecksum {
	name, typ, _ := strings.Cut(string(up.Xattr[xUploadChecksum]), " ")
	if a := algByName(name); a != nil && a.allows(typ) {
		return uploadChecksum{alg: a, typ: typ}
	}
	return uploadChecksum{}
}

// setHeaders answers CreateMultipartUpload with the upload's checksum.
func (u uploadChecksum) setHeaders(h http.Header) {
	if u.alg != nil {
		h.Set("X-Amz-Checksum-Algorithm", u.alg.name)
		h.Set("X-Amz-Checksum-Type", u.typ)
	}
}

// names are the upload's algorithm and type as listings give them: S3
// says "null" for an upload created without.
func (u uploadChecksum) names() (alg, typ string) {
	if u.alg == nil {
		return "null", "null"
	}
	return u.alg.name, u.typ
}

// partChecksum is the checksum an UploadPart stores for its part: the
// upload's algorithm, which the part must declare unless the upload is
// FULL_OBJECT (then it is computed), or S3's default for uploads without.
func (u uploadChecksum) partChecksum(h http.Header, pl *payload) (*bodyChecksum, *s3Error) {
	declared, e := requestChecksum(h)
	if e != nil {
		return nil, e
	}
	if u.alg == nil {
		return &bodyChecksum{alg: defaultChecksum, h: defaultChecksum.new()}, nil
	}
	if declared == nil && u.typ == composite {
		return nil, errInvalidRequest("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: null", u.alg.name)
	}
	if declared != nil && declared != u.alg {
		return nil, errInvalidRequest("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s", u.alg.name, declared.name)
	}
	return newBodyChecksum(pl, u.alg), nil
}

// partSum is one part's stored checksum: its algorithm and raw bytes.
func partSum(fi *client.FileInfo) (*checksumAlg, []byte) {
	c, ok := checksumOf(fi)
	if !ok || c.typ != fullObject {
		return nil, nil
	}
	b, _ := base64.StdEncoding.DecodeString(c.value)
	return c.alg, b
}

// checkPartChecksums checks the checksums a CompleteMultipartUpload lists
// for its parts against the parts' stored ones.
func (u uploadChecksum) checkPartChecksums(list []completePart, parts []*client.FileInfo) *s3Error {
	for i, p := range list {
		alg, v, ok := p.checksumFields.only()
		if !ok || (alg != nil && !alg.valid(v)) {
			return errInvalidArgument("Invalid Base64 or multiple checksums present in request")
		}
		if u.alg == nil {
			continue
		}
		if alg == nil {
			return errInvalidRequest("The upload was created using a %s checksum. The complete request must include the checksum for each part. It was missing for part %d in the request.", u.alg.lower(), p.PartNumber)
		}
		if alg != u.alg {
			return errBadDigest("The %s you specified for part %d did not match what we received.", alg.lower(), p.PartNumber)
		}
		if c, ok := checksumOf(parts[i]); !ok || c.alg != alg || c.value != v {
			return errInvalidPart("One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
		}
	}
	return nil
}

// finalChecksum is the checksum of the object made of parts; ok is false
// when a part has no usable checksum (parts stored before checksums
// were kept).
func (u uploadChecksum) finalChecksum(parts []*client.FileInfo) (c objChecksum, ok bool) {
	alg, typ := u.alg, u.typ
	if alg == nil {
		alg, typ = defaultChecksum, fullObject
	}
	c = objChecksum{alg: alg, typ: typ}
	if typ == composite {
		h := alg.new()
		for _, p := range parts {
			a, b := partSum(p)
			if a != alg {
				return c, false
			}
			h.Write(b)
		}
		c.value = base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
		return c, true
	}
	var crc uint64
	for i, p := range parts {
		a, b := partSum(p)
		if a != alg {
			return c, false
		}
		v := crcFromBytes(b)
		if i == 0 {
			crc = v
		} else {
			crc = alg.crc.combine(crc, v, p.Length)
		}
	}
	b := make([]byte, alg.size)
	if alg.size == 4 {
		binary.BigEndian.PutUint32(b, uint32(crc))
	} else {
		binary.BigEndian.PutUint64(b, crc)
	}
	c.value = base64.StdEncoding.EncodeToString(b)
	return c, true
}

func crcFromBytes(b []byte) uint64 {
	if len(b) == 4 {
		return uint64(binary.BigEndian.Uint32(b))
	}
	return binary.BigEndian.Uint64(b)
}

// checkFinal checks a CompleteMultipartUpload's own checksum headers: the
// type must be the upload's, and a whole-object checksum of the upload's
// algorithm must be well-formed and equal to the one computed (final).
func (u uploadChecksum) checkFinalHeaders(h http.Header) *s3Error {
	typ := strings.ToUpper(h.Get("X-Amz-Checksum-Type"))
	if typ != "" && typ != fullObject && typ != composite {
		return errInvalidHeaderValue("x-amz-checksum-type")
	}
	var seen bool
	for _, a := range checksumAlgs {
		vs, sent := h[http.CanonicalHeaderKey(a.header())]
		if !sent {
			continue
		}
		v := strings.Join(vs, ",")
		if seen {
			return errMultipleChecksums()
		}
		seen = true
		if u.alg != a {
			continue // S3 ignores a checksum of another algorithm
		}
		// A COMPOSITE checksum ends in -<parts>; one without is
		// well-formed, but cannot match.
		sum, parts, multi := strings.Cut(v, "-")
		if !a.valid(sum) || (multi && u.typ != composite) {
			return errInvalidHeaderValue(a.header())
		}
		if n, err := strconv.Atoi(parts); multi && (err != nil || n < 1 || strconv.Itoa(n) != parts) {
			return errInvalidHeaderValue(a.header())
		}
	}
	if u.alg != nil && typ != "" && typ != u.typ {
		return errInvalidRequest("The upload was created using the %s checksum mode. The complete request must use the same checksum mode.", u.typ)
	}
	return nil
}

// checkFinal compares the final checksum the request sent, if any, with
// the one computed.
func (u uploadChecksum) checkFinal(h http.Header, final objChecksum) *s3Error {
	if u.alg == nil {
		return nil
	}
	if v := h.Get(u.alg.header()); v != "" && v != final.value {
		return errBadDigest("The %s you specified did not match the calculated checksum.", u.alg.name)
	}
	return nil
}
