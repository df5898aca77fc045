package proxy

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestChecksumCheckValues(t *testing.T) {
	// The CRC catalogue's check values (of "123456789").
	for name, want := range map[string]uint64{"crc32": 0xcbf43926, "crc32c": 0xe3069283, "crc64nvme": 0xae8b14860a799888} {
		h := algByName(name).new()
		h.Write([]byte("123456789"))
		sum := h.Sum(nil)
		var got uint64
		if len(sum) == 4 {
			got = uint64(binary.BigEndian.Uint32(sum))
		} else {
			got = binary.BigEndian.Uint64(sum)
		}
		if got != want {
			t.Errorf("%s: %x, want %x", name, got, want)
		}
	}
}

func crc32b64(b []byte) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(b)))
}

// unsignedTrailer builds a STREAMING-UNSIGNED-PAYLOAD-TRAILER request as the
// SDKs send it.
func unsignedTrailer(chunks []string, trailer string) *http.Request {
	var b strings.Builder
	total := 0
	for _, c := range chunks {
		b.WriteString(strconv.FormatInt(int64(len(c)), 16) + "\r\n" + c + "\r\n")
		total += len(c)
	}
	b.WriteString("0\r\n" + trailer + "\r\n")
	r, _ := http.NewRequest("PUT", "http://h/b/k", strings.NewReader(b.String()))
	r.Header.Set("X-Amz-Content-Sha256", streamingUnsignedTrailr)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(total))
	return r
}

func readPayload(t *testing.T, r *http.Request) ([]byte, *payload, error) {
	t.Helper()
	p, e := newPayload(r, nil, maxPutSize)
	if e != nil {
		return nil, nil, e
	}
	b, err := io.ReadAll(p)
	return b, p, err
}

// wantS3 checks that err is the S3 error code, with the extra elements
// of the name-value pairs fields.
func wantS3(t *testing.T, what string, err error, code string, fields ...string) {
	t.Helper()
	var e *s3Error
	if !errors.As(err, &e) || e.Code != code || !hasFields(e, fields...) {
		t.Fatalf("%s: %+v, want %s %q", what, err, code, fields)
	}
}

func TestUnsignedTrailerChecksum(t *testing.T) {
	data := strings.Repeat("hello world ", 10000)
	chunks := []string{data[:65536], data[65536:]}
	got, p, err := readPayload(t, unsignedTrailer(chunks, "x-amz-checksum-crc32:"+crc32b64([]byte(data))+"\r\n"))
	if err != nil || string(got) != data {
		t.Fatalf("decoded %d bytes (want %d): %v", len(got), len(data), err)
	}
	if p.etag() != md5hexOf([]byte(data)) {
		t.Fatal("the ETag is not the MD5 of the decoded bytes")
	}
	_, _, err = readPayload(t, unsignedTrailer(chunks, "x-amz-checksum-crc32:AAAAAA==\r\n"))
	wantS3(t, "a wrong CRC32 trailer", err, "BadDigest")
	_, _, err = readPayload(t, unsignedTrailer(chunks, ""))
	wantS3(t, "a missing trailer", err, "MalformedTrailerError")
	r := unsignedTrailer(chunks, "x-amz-checksum-crc32:"+crc32b64([]byte(data))+"\r\n")
	r.Header.Set("X-Amz-Decoded-Content-Length", "5")
	_, _, err = readPayload(t, r)
	wantS3(t, "more than the declared length", err, "IncompleteBody")
}

func TestPlainBodyChecks(t *testing.T) {
	body := []byte("some object bytes")
	mk := func(hdr, val string) *http.Request {
		r, _ := http.NewRequest("PUT", "http://h/b/k", bytes.NewReader(body))
		if hdr != "" {
			r.Header.Set(hdr, val)
		}
		return r
	}
	if _, _, err := readPayload(t, mk("Content-Md5", base64.StdEncoding.EncodeToString(md5sum(body)))); err != nil {
		t.Fatalf("the right Content-MD5: %v", err)
	}
	// S3 shows the digest it computed (base64) and the one sent (hex),
	// and the message names Content-MD5 as S3 writes it.
	other := md5sum([]byte("other"))
	_, _, err := readPayload(t, mk("Content-Md5", base64.StdEncoding.EncodeToString(other)))
	wantS3(t, "a wrong Content-MD5", err, "BadDigest",
		"CalculatedDigest", base64.StdEncoding.EncodeToString(md5sum(body)), "ExpectedDigest", hex.EncodeToString(other))
	if e := err.(*s3Error); e.message() != "The Content-MD5 you specified did not match what we received." {
		t.Errorf("BadDigest's message: %q", e.message())
	}
	_, e := newPayload(mk("Content-Md5", "not base64!"), nil, maxPutSize)
	wantS3(t, "a malformed Content-MD5", e, "InvalidDigest")
	bodySHA := sha256.Sum256(body)
	_, _, err = readPayload(t, mk("X-Amz-Content-Sha256", strings.Repeat("ab", 32)))
	wantS3(t, "a wrong SHA-256", err, "XAmzContentSHA256Mismatch",
		"ClientComputedContentSHA256", strings.Repeat("ab", 32), "S3ComputedContentSHA256", hex.EncodeToString(bodySHA[:]))
	_, _, err = readPayload(t, mk("X-Amz-Checksum-Crc32", "AAAAAA=="))
	wantS3(t, "a wrong CRC32 header", err, "BadDigest")
	if _, _, err := readPayload(t, mk("X-Amz-Checksum-Crc32", crc32b64(body))); err != nil {
		t.Fatalf("the right CRC32 header: %v", err)
	}
	r := mk("", "")
	r.ContentLength = maxPutSize + 1
	_, e = newPayload(r, nil, maxPutSize)
	wantS3(t, "over 5 GiB", e, "EntityTooLarge", "ProposedSize", strconv.Itoa(maxPutSize+1), "MaxSizeAllowed", strconv.Itoa(maxPutSize))
	// A body of unknown length is cut off at the limit: its size is not
	// known, and not claimed.
	r = mk("", "")
	r.ContentLength = -1
	p, e := newPayload(r, nil, 4)
	if e != nil {
		t.Fatal(e)
	}
	_, err = io.ReadAll(p)
	wantS3(t, "a body over the limit", err, "EntityTooLarge", "MaxSizeAllowed", "4")
	if slices.ContainsFunc(err.(*s3Error).Fields, func(f errorField) bool { return f.XMLName.Local == "ProposedSize" }) {
		t.Errorf("a size not known is shown: %+v", err)
	}
}

func TestChunkedDecoderRefusesDamage(t *testing.T) {
	for name, body := range map[string]string{
		"size not hex":        "zz\r\nab\r\n0\r\n\r\n",
		"chunk cut short":     "10\r\nab",
		"no CRLF after chunk": "2\r\nabXX0\r\n\r\n",
		"no final chunk":      "2\r\nab\r\n",
		"trailer not k:v":     "2\r\nab\r\n0\r\nnocolon\r\n\r\n",
		"huge size":           "ffffffffffffffffff\r\n",
		"long line":           strings.Repeat("1", 5000) + "\r\n",
	} {
		c := newChunkedReader(strings.NewReader(body), streamingUnsignedTrailr, nil, nil)
		if _, err := io.ReadAll(c); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

// FuzzChunkedReader decodes any body in each aws-chunked form, the signed
// ones with signatures checked (the AWS trailer example's identity): it
// never hands out more bytes than it was given, and in a signed form
// ends with io.EOF only after data whose signatures checked out.
func FuzzChunkedReader(f *testing.F) {
	zeros := strings.Repeat("0", 64)
	f.Add([]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"), uint8(0))
	f.Add([]byte("3;chunk-signature="+zeros+"\r\nabc\r\n0;chunk-signature="+zeros+"\r\n\r\n"), uint8(1))
	f.Add([]byte("3;chunk-signature="+zeros+"\r\nabc\r\n0;chunk-signature="+zeros+"\r\nx-amz-checksum-crc32:NhCmhg==\r\nx-amz-trailer-signature:"+zeros+"\r\n\r\n"), uint8(2))
	ex, _ := io.ReadAll(exampleTrailerRequest("x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:" + exampleTrailerSig + "\r\n\r\n").Body)
	f.Add(ex, uint8(6))
	modes := []string{streamingUnsignedTrailr, streamingSigned, streamingSignedTrailer}
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		hashHdr := modes[int(mode&3)%len(modes)]
		var expect []string
		if mode&4 != 0 {
			expect = []string{"x-amz-checksum-crc32c"}
		}
		var id *identity
		if mode&8 == 0 && hashHdr != streamingUnsignedTrailr {
			id = exampleTrailerIdentity()
		}
		c := newChunkedReader(bytes.NewReader(body), hashHdr, expect, id)
		out, err := io.ReadAll(io.LimitReader(c, int64(len(body))+1))
		if len(out) > len(body) {
			t.Fatalf("decoded %d bytes from %d", len(out), len(body))
		}
		// The only data the example's key signed is the example's.
		if err == nil && id != nil && len(out) > 0 && (len(out) != 66560 || strings.Trim(string(out), "a") != "") {
			t.Fatalf("signed data the example's key never signed decoded without error: %q", body)
		}
	})
}

func md5sum(b []byte) []byte { s := md5.Sum(b); return s[:] }

func md5hexOf(b []byte) string { return hex.EncodeToString(md5sum(b)) }
