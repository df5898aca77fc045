package proxy

import (
	"net/http"
	"testing"
)

// TestDecodeChecksum checks the stored form reads back, and that malformed
// forms are refused rather than returned.
func TestDecodeChecksum(t *testing.T) {
	for _, c := range []objChecksum{
		{alg: algByName("CRC32"), typ: fullObject, value: "AAAAAA=="},
		{alg: algByName("SHA256"), typ: composite, value: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=-12"},
	} {
		got, ok := decodeChecksum(c.encode())
		if !ok || got != c {
			t.Errorf("%s: decoded %+v %v", c.encode(), got, ok)
		}
	}
	for _, bad := range []string{"", "CRC32", "CRC32 FULL_OBJECT", "CRC32 FULL_OBJECT AAAA", "CRC32 FULL_OBJECT AAAAAA==-2",
		"CRC32 COMPOSITE AAAAAA==", "CRC32 COMPOSITE AAAAAA==-0", "CRC32 COMPOSITE AAAAAA==-01", "CRC32 COMPOSITE AAAAAA==-10001",
		"FOO FULL_OBJECT AAAAAA==", "CRC32 OTHER AAAAAA==", "CRC32 FULL_OBJECT AAAAAA== x"} {
		if c, ok := decodeChecksum([]byte(bad)); ok {
			t.Errorf("%q decoded as %+v", bad, c)
		}
	}
}

func FuzzDecodeChecksum(f *testing.F) {
	f.Add([]byte("CRC32 FULL_OBJECT AAAAAA=="))
	f.Add([]byte("SHA1 COMPOSITE 2jmj7l5rSw0yVb/vlWAYkK/YBwk=-3"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, ok := decodeChecksum(b)
		if !ok {
			return
		}
		// What decodes encodes to itself, up to spaces.
		if again, ok := decodeChecksum(c.encode()); !ok || again != c {
			t.Fatalf("%q: %+v does not round-trip", b, c)
		}
	})
}

// TestRequestChecksum checks S3's rules on a write's checksum headers.
func TestRequestChecksum(t *testing.T) {
	for _, tc := range []struct {
		h    map[string]string
		want string // algorithm, or the error message
	}{
		{nil, ""},
		{map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}, "CRC32"},
		{map[string]string{"x-amz-checksum-crc32": "AAAA"}, "Value for x-amz-checksum-crc32 header is invalid."},
		{map[string]string{"x-amz-checksum-sha1": ""}, "Value for x-amz-checksum-sha1 header is invalid."},
		{map[string]string{"x-amz-checksum-sha1": "", "x-amz-checksum-crc32": ""}, errMultipleChecksums().Message},
		{map[string]string{"x-amz-trailer": "x-amz-checksum-crc64nvme"}, "CRC64NVME"},
		{map[string]string{"x-amz-trailer": "x-amz-checksum-crc32", "x-amz-checksum-crc32": "AAAAAA=="}, errMultipleChecksums().Message},
		{map[string]string{"x-amz-sdk-checksum-algorithm": "crc32"}, "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found."},
		{map[string]string{"x-amz-sdk-checksum-algorithm": "sha256", "x-amz-checksum-crc32": "AAAAAA=="}, "Value for x-amz-sdk-checksum-algorithm header is invalid."},
		{map[string]string{"x-amz-sdk-checksum-algorithm": "nope"}, errUnsupportedChecksum().Message},
	} {
		h := http.Header{}
		for k, v := range tc.h {
			h.Set(k, v)
		}
		alg, e := requestChecksum(h)
		got := ""
		switch {
		case e != nil:
			got = e.Message
		case alg != nil:
			got = alg.name
		}
		if got != tc.want {
			t.Errorf("%v: %q, want %q", tc.h, got, tc.want)
		}
	}
}

// TestUploadChecksumFromRequest checks CreateMultipartUpload's algorithm
// and type: the defaults, and the combinations S3 refuses.
func TestUploadChecksumFromRequest(t *testing.T) {
	for _, tc := range []struct{ alg, typ, want string }{
		{"", "", ""},
		{"crc32", "", "CRC32 COMPOSITE"},
		{"CRC64NVME", "", "CRC64NVME FULL_OBJECT"},
		{"crc32c", "full_object", "CRC32C FULL_OBJECT"},
		{"sha256", "FULL_OBJECT", "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm."},
		{"crc64nvme", "COMPOSITE", "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm."},
		{"", "COMPOSITE", "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header."},
		{"crc32", "both", "Value for x-amz-checksum-type header is invalid."},
		{"crc33", "", errUnsupportedChecksum().Message},
	} {
		h := http.Header{}
		h.Set("x-amz-checksum-algorithm", tc.alg)
		h.Set("x-amz-checksum-type", tc.typ)
		u, e := uploadChecksumFromRequest(h)
		got := ""
		switch {
		case e != nil:
			got = e.Message
		case u.alg != nil:
			got = string(u.encode())
		}
		if got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.alg, tc.typ, got, tc.want)
		}
	}
}

func FuzzParseObjectAttributes(f *testing.F) {
	f.Add("ETag,Checksum, ObjectParts")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("x-amz-object-attributes", v)
		want, e := parseObjectAttributes(h)
		if (e == nil) == (len(want) == 0) {
			t.Fatalf("%q: %v and error %v", v, want, e)
		}
		for a := range want {
			if !objectAttributeNames[a] {
				t.Fatalf("%q: unknown attribute %q accepted", v, a)
			}
		}
	})
}
