package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// s3Answer is a raw HTTP answer with its S3 error code, if any.
type s3Answer struct {
	status int
	code   string
	body   []byte
}

func rawS3(t *testing.T, method, url string, body []byte, hdr map[string]string) s3Answer {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var doc struct {
		Code string `xml:"Code"`
	}
	xml.Unmarshal(b, &doc)
	return s3Answer{status: resp.StatusCode, code: doc.Code, body: b}
}

// tmpLeft lists what is left in a bucket's folder of objects being written.
func tmpLeft(t *testing.T, c *client.FileSystem, bucket string) []string {
	t.Helper()
	infos, err := c.ListStatus(context.Background(), "/"+bucket+"/.alluxio_s3_api_metadata/tmp", false, client.StatusOptions{})
	if err != nil {
		return nil
	}
	var out []string
	for _, fi := range infos {
		out = append(out, fi.Name)
	}
	return out
}

// TestS3APIBadInput sends what S3 clients should never send, and what they
// do when they fail, to a proxy: every answer is the S3 error for it,
// a client that hangs up mid-upload leaves nothing, and the proxy never
// panics.
func TestS3APIBadInput(t *testing.T) {
	cl := newProxyCluster(t)
	url := cl.proxy.url()
	fs := cl.m.Client()
	if a := rawS3(t, "PUT", url+"/bad", nil, nil); a.status != 200 {
		t.Fatalf("create bucket: %d %s", a.status, a.body)
	}
	old := randomData(t, 100000)
	if a := rawS3(t, "PUT", url+"/bad/kept", old, nil); a.status != 200 {
		t.Fatalf("put: %d %s", a.status, a.body)
	}
	up := rawS3(t, "POST", url+"/bad/mp?uploads", nil, nil)
	var init struct {
		UploadID string `xml:"UploadId"`
	}
	if err := xml.Unmarshal(up.body, &init); err != nil || init.UploadID == "" {
		t.Fatalf("create upload: %d %s", up.status, up.body)
	}
	for _, c := range []struct {
		name, method, path string
		body               string
		hdr                map[string]string
		status             int
		code               string
	}{
		{"malformed complete XML", "POST", "/bad/mp?uploadId=" + init.UploadID, "<CompleteMultipartUpload><Part>", nil, 400, "MalformedXML"},
		{"complete without parts", "POST", "/bad/mp?uploadId=" + init.UploadID, "<CompleteMultipartUpload></CompleteMultipartUpload>", nil, 400, "MalformedXML"},
		{"malformed delete XML", "POST", "/bad?delete", "<Delete><Object><Key>", nil, 400, "MalformedXML"},
		{"not XML at all", "POST", "/bad?delete", "\x00\x01garbage", nil, 400, "MalformedXML"},
		{"range past the end", "GET", "/bad/kept", "", map[string]string{"Range": "bytes=100000-"}, 416, "InvalidRange"},
		{"suffix range of zero", "GET", "/bad/kept", "", map[string]string{"Range": "bytes=-0"}, 416, "InvalidRange"},
		{"key over 1024 bytes", "PUT", "/bad/" + strings.Repeat("k", 1025), "x", nil, 400, "KeyTooLongError"},
		{"dot-dot in the key", "PUT", "/bad/a/../kept", "x", nil, 400, "InvalidArgument"},
		{"dot-dot escaped", "PUT", "/bad/a/%2E%2E/kept", "x", nil, 400, "InvalidArgument"},
		{"the hidden folder", "GET", "/bad/.alluxio_s3_api_metadata/tmp", "", nil, 400, "InvalidArgument"},
		{"no bucket", "PUT", "/", "", nil, 405, "MethodNotAllowed"},
		{"no bucket, delete", "DELETE", "/", "", nil, 405, "MethodNotAllowed"},
		{"unknown subresource", "GET", "/bad?analytics", "", nil, 501, "NotImplemented"},
		{"a policy no bucket has", "GET", "/bad?policy", "", nil, 404, "NoSuchBucketPolicy"},
		{"setting a policy", "PUT", "/bad?policy", "{}", nil, 501, "NotImplemented"},
		{"unknown parameter", "GET", "/bad/kept?frobnicate=1", "", nil, 501, "NotImplemented"},
		{"a malformed version", "GET", "/bad/kept?versionId=7", "", nil, 400, "InvalidArgument"},
		{"another version", "GET", "/bad/kept?versionId=3sL4kqtJlcpXroDTDmJ-rmSpXd3dIbrH", "", nil, 404, "NoSuchVersion"},
		{"malformed tagging XML", "PUT", "/bad/kept?tagging", "<Tagging><TagSet><Tag>", nil, 400, "MalformedXML"},
		{"a public ACL", "PUT", "/bad/kept?acl", "", map[string]string{"X-Amz-Acl": "public-read"}, 501, "NotImplemented"},
		{"malformed ACL XML", "PUT", "/bad/kept?acl", "<AccessControlPolicy>", nil, 400, "MalformedACLError"},
		{"enabling versioning", "PUT", "/bad?versioning", "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>", nil, 501, "NotImplemented"},
		{"part past the last", "GET", "/bad/kept?partNumber=2", "", nil, 416, "InvalidPartNumber"},
		{"bad tagging header", "PUT", "/bad/new", "x", map[string]string{"X-Amz-Tagging": "a=1&a=2"}, 400, "InvalidArgument"},
		{"missing bucket", "GET", "/nobucket/k", "", nil, 404, "NoSuchBucket"},
		{"upload id not ours", "PUT", "/bad/mp?partNumber=1&uploadId=../../kept", "x", nil, 404, "NoSuchUpload"},
		{"part number 0", "PUT", "/bad/mp?partNumber=0&uploadId=" + init.UploadID, "x", nil, 400, "InvalidArgument"},
		{"part number 10001", "PUT", "/bad/mp?partNumber=10001&uploadId=" + init.UploadID, "x", nil, 400, "InvalidArgument"},
		{"wrong Content-MD5", "PUT", "/bad/new", "abc", map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, 400, "BadDigest"},
		{"malformed Content-MD5", "PUT", "/bad/new", "abc", map[string]string{"Content-MD5": "zz"}, 400, "InvalidDigest"},
		{"wrong payload hash", "PUT", "/bad/new", "abc", map[string]string{"X-Amz-Content-Sha256": strings.Repeat("0", 64)}, 400, "XAmzContentSHA256Mismatch"},
		{"bad aws-chunked body", "PUT", "/bad/new", "zz\r\nabc", map[string]string{"Content-Encoding": "aws-chunked", "X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "X-Amz-Decoded-Content-Length": "3"}, 400, "IncompleteBody"},
		{"streaming without its length", "PUT", "/bad/new", "3\r\nabc\r\n0\r\n\r\n", map[string]string{"Content-Encoding": "aws-chunked", "X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}, 411, "MissingContentLength"},
		{"unknown trailer", "PUT", "/bad/new", "0\r\n\r\n", map[string]string{"Content-Encoding": "aws-chunked", "X-Amz-Trailer": "x-amz-checksum-md7"}, 400, "InvalidRequest"},
		{"metadata too large", "PUT", "/bad/new", "abc", map[string]string{"X-Amz-Meta-Big": strings.Repeat("m", 3000)}, 400, "MetadataTooLarge"},
		{"malformed Authorization", "GET", "/bad/kept", "", map[string]string{"Authorization": "AWS4-HMAC-SHA256 nonsense"}, 400, "AuthorizationHeaderMalformed"},
		{"copy from nowhere", "PUT", "/bad/new", "", map[string]string{"X-Amz-Copy-Source": "nobucket-only"}, 400, "InvalidArgument"},
	} {
		a := rawS3(t, c.method, url+c.path, []byte(c.body), c.hdr)
		if a.status != c.status || (c.method != "HEAD" && a.code != c.code) {
			t.Errorf("%s: %d %s, want %d %s", c.name, a.status, a.body, c.status, c.code)
		}
	}
	if a := rawS3(t, "HEAD", url+"/bad/new", nil, nil); a.status != 404 {
		t.Fatalf("a refused upload left an object: %d", a.status)
	}
	// A client that hangs up mid-upload: nothing half-written at the key,
	// and the object there before stays whole.
	for _, key := range []string{"kept", "fresh"} {
		// The refused uploads above were abandoned too: wait for one more.
		before := strings.Count(cl.proxy.proc.Output(), "S3 write abandoned")
		conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "PUT /bad/%s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", key, 10<<20)
		conn.Write(randomData(t, 3<<20))
		conn.Close()
		if !cl.proxy.proc.WaitForLogCount("S3 write abandoned", before+1, time.Minute) {
			t.Fatalf("the proxy did not abandon the upload of %s cut short", key)
		}
		testcluster.WaitFor(t, time.Minute, 50*time.Millisecond, func() (bool, string) {
			left := tmpLeft(t, fs, "bad")
			return len(left) == 0, fmt.Sprintf("objects being written left: %v", left)
		})
	}
	if a := rawS3(t, "GET", url+"/bad/kept", nil, nil); a.status != 200 || !bytes.Equal(a.body, old) {
		t.Fatalf("the object replaced by an upload cut short: %d, %d bytes", a.status, len(a.body))
	}
	if a := rawS3(t, "HEAD", url+"/bad/fresh", nil, nil); a.status != 404 {
		t.Fatalf("an upload cut short is visible: %d", a.status)
	}
	if strings.Contains(cl.proxy.proc.Output(), "panicked") || cl.proxy.proc.Exited() {
		t.Fatal("the proxy panicked or died")
	}
}

// signedChunked builds a STREAMING-AWS4-HMAC-SHA256-PAYLOAD PUT of data in
// chunks of size, signed with secret; tamper changes one byte of the body
// after signing.
func signedChunked(t *testing.T, url, accessKey, secret string, data []byte, size int, tamper bool) *http.Request {
	return signedChunkedTrailer(t, url, accessKey, secret, data, size, tamper, "", false)
}

// signedChunkedTrailer is signedChunked; with a trailer (e.g.
// "x-amz-checksum-crc32:...") it is the STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
// form the AWS Java SDK v2 sends, the trailer signed after the last chunk
// (forge: with a signature of zeros instead).
func signedChunkedTrailer(t *testing.T, url, accessKey, secret string, data []byte, size int, tamper bool, trailer string, forge bool) *http.Request {
	t.Helper()
	var chunks [][]byte
	for off := 0; off < len(data); off += size {
		chunks = append(chunks, data[off:min(off+size, len(data))])
	}
	chunks = append(chunks, nil)
	length := 0
	for _, c := range chunks {
		length += len(strconv.FormatInt(int64(len(c)), 16)) + len(";chunk-signature=") + 64 + 2 + len(c) + 2
	}
	hashHdr := "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	if trailer != "" {
		hashHdr += "-TRAILER"
		length += len(trailer) + 2 + len("x-amz-trailer-signature:") + 64 + 2
	}
	req, err := http.NewRequest("PUT", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(length)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Content-Sha256", hashHdr)
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	if trailer != "" {
		req.Header.Set("X-Amz-Trailer", trailer[:strings.Index(trailer, ":")])
	}
	now := time.Now().UTC()
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hashHdr, "s3", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	seed, err := hex.DecodeString(auth[strings.LastIndex(auth, "=")+1:])
	if err != nil {
		t.Fatal(err)
	}
	ss := v4.NewStreamSigner(creds, "s3", "us-east-1", seed)
	var body bytes.Buffer
	var last []byte
	for _, c := range chunks {
		sig, err := ss.GetSignature(context.Background(), nil, c, now)
		if err != nil {
			t.Fatal(err)
		}
		last = sig
		fmt.Fprintf(&body, "%x;chunk-signature=%s\r\n", len(c), hex.EncodeToString(sig))
		body.Write(c)
		if len(c) == 0 && trailer != "" {
			tsig := trailerSignature(secret, now, last, trailer)
			if forge {
				tsig = make([]byte, 32)
			}
			fmt.Fprintf(&body, "%s\r\nx-amz-trailer-signature:%x\r\n", trailer, tsig)
		}
		body.WriteString("\r\n")
	}
	b := body.Bytes()
	if len(b) != length {
		t.Fatalf("chunked body of %d bytes, computed %d", len(b), length)
	}
	if tamper {
		b[len(b)/2] ^= 1
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	return req
}

// trailerSignature signs a trailer as SigV4's streaming trailers define
// (the AWS SDK for Go signs chunks, not trailers): HMAC-SHA256 with the
// signing key over the trailer's string to sign, chained to the last
// chunk's signature.
func trailerSignature(secret string, when time.Time, prev []byte, trailer string) []byte {
	mac := func(key []byte, s string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	date := when.Format("20060102")
	key := mac(mac(mac(mac([]byte("AWS4"+secret), date), "us-east-1"), "s3"), "aws4_request")
	sum := sha256.Sum256([]byte(trailer + "\n"))
	return mac(key, "AWS4-HMAC-SHA256-TRAILER\n"+when.Format("20060102T150405Z")+"\n"+date+"/us-east-1/s3/aws4_request\n"+hex.EncodeToString(prev)+"\n"+hex.EncodeToString(sum[:]))
}

// TestS3APISignatures runs a proxy with a credentials file beside one
// without: the checked one serves requests signed with a known key and
// refuses every forged or altered one before doing anything.
func TestS3APISignatures(t *testing.T) {
	m := cluster.NewMaster(t, "-Dalluxio.user.block.size.bytes.default=1MB")
	cluster.StartWorker(t, m, "worker", "128MB")
	creds := filepath.Join(t.TempDir(), "s3-credentials")
	if err := os.WriteFile(creds, []byte("# access key, secret\nalice alice-secret\nbob=bob-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	checked := startProxy(t, m, "checked", "-Dalluxio.proxy.s3.credentials.file="+creds)
	ctx := ctxT(t)
	alice := sdk(checked.url(), "alice", "alice-secret")
	if _, err := alice.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sig")}); err != nil {
		t.Fatal(err)
	}
	data := randomData(t, 200000)
	if _, err := alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sig"), Key: aws.String("o"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	fi, err := m.Client().GetStatus(ctx, "/sig/o", client.StatusOptions{})
	if err != nil || fi.Owner != "alice" {
		t.Fatalf("owner: %v %q", err, fi.Owner)
	}
	forger := sdk(checked.url(), "alice", "guessed")
	_, err = forger.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sig"), Key: aws.String("forged"), Body: strings.NewReader("x")})
	wantCode(t, "a wrong secret", err, "SignatureDoesNotMatch")
	_, err = forger.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sig"), Key: aws.String("o")})
	wantCode(t, "a read with a wrong secret", err, "SignatureDoesNotMatch")
	_, err = forger.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("sig"), Key: aws.String("o")})
	wantCode(t, "a delete with a wrong secret", err, "SignatureDoesNotMatch")
	_, err = sdk(checked.url(), "mallory", "x").ListBuckets(ctx, &s3.ListBucketsInput{})
	wantCode(t, "an unknown key", err, "InvalidAccessKeyId")
	if a := rawS3(t, "GET", checked.url()+"/sig/o", nil, nil); a.status != 403 || a.code != "AccessDenied" {
		t.Fatalf("anonymous read: %d %s", a.status, a.body)
	}
	// Presigned: good, altered, expired.
	ps := s3.NewPresignClient(alice)
	get, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sig"), Key: aws.String("o")}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if a := rawS3(t, "GET", get.URL, nil, nil); a.status != 200 || !bytes.Equal(a.body, data) {
		t.Fatalf("presigned get: %d", a.status)
	}
	if a := rawS3(t, "GET", strings.Replace(get.URL, "/sig/o", "/sig/other", 1), nil, nil); a.code != "SignatureDoesNotMatch" {
		t.Fatalf("presigned URL for another key: %d %s", a.status, a.body)
	}
	del, err := ps.PresignDeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("sig"), Key: aws.String("o")})
	if err != nil {
		t.Fatal(err)
	}
	if a := rawS3(t, "GET", del.URL, nil, nil); a.code != "SignatureDoesNotMatch" {
		t.Fatalf("a presigned DELETE sent as GET: %d %s", a.status, a.body)
	}
	// Signed two hours ago, valid for a minute.
	er, _ := http.NewRequest("GET", checked.url()+"/sig/o?X-Amz-Expires=60", nil)
	expired, _, err := v4.NewSigner().PresignHTTP(ctx, aws.Credentials{AccessKeyID: "alice", SecretAccessKey: "alice-secret"}, er,
		"UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now().Add(-2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a := rawS3(t, "GET", expired, nil, nil); a.status != 403 || a.code != "AccessDenied" {
		t.Fatalf("an expired presigned URL: %d %s", a.status, a.body)
	}
	// Chunk-signed uploads: whole and right, or refused and gone. bob
	// writes into alice's bucket, which she shares (permissions apply to
	// S3 users as to any other).
	m.Must("fs", "chmod", "777", "/sig")
	big := randomData(t, 300000)
	resp, err := http.DefaultClient.Do(signedChunked(t, checked.url()+"/sig/chunked", "bob", "bob-secret", big, 64<<10, false))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a chunk-signed upload: %v %v", err, resp)
	}
	resp.Body.Close()
	got, _ := getAll(t, alice, "sig", "chunked", nil)
	if !bytes.Equal(got, big) {
		t.Fatal("the chunk-signed upload reads back different")
	}
	resp, err = http.DefaultClient.Do(signedChunked(t, checked.url()+"/sig/tampered", "bob", "bob-secret", big, 64<<10, true))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "SignatureDoesNotMatch") {
		t.Fatalf("a tampered chunk: %d %s", resp.StatusCode, b)
	}
	// Signed trailers (what Spark's s3a sends through the AWS Java SDK v2
	// over http): kept when the trailer and its signature check out,
	// refused and gone when either does not.
	crc := "x-amz-checksum-crc32:" + base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(big)))
	resp, err = http.DefaultClient.Do(signedChunkedTrailer(t, checked.url()+"/sig/trailer", "bob", "bob-secret", big, 64<<10, false, crc, false))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a signed-trailer upload: %v %v", err, resp)
	}
	resp.Body.Close()
	if got, _ := getAll(t, alice, "sig", "trailer", nil); !bytes.Equal(got, big) {
		t.Fatal("the signed-trailer upload reads back different")
	}
	for _, c := range []struct {
		key, trailer string
		forge        bool
		status       int
		code         string
	}{
		{"forged-trailer", crc, true, 403, "SignatureDoesNotMatch"},
		{"wrong-crc", "x-amz-checksum-crc32:AAAAAA==", false, 400, "BadDigest"},
	} {
		resp, err = http.DefaultClient.Do(signedChunkedTrailer(t, checked.url()+"/sig/"+c.key, "bob", "bob-secret", big, 64<<10, false, c.trailer, c.forge))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), "<Code>"+c.code+"</Code>") {
			t.Fatalf("%s: %d %s, want %d %s", c.key, resp.StatusCode, b, c.status, c.code)
		}
	}
	if got, _ := getAll(t, alice, "sig", "o", nil); !bytes.Equal(got, data) {
		t.Fatal("the object was changed by refused requests")
	}
	for _, key := range []string{"forged", "tampered", "forged-trailer", "wrong-crc"} {
		if _, err := m.Client().GetStatus(ctx, "/sig/"+key, client.StatusOptions{}); err == nil {
			t.Fatalf("a refused request left /sig/%s", key)
		}
	}
	if left := tmpLeft(t, m.Client(), "sig"); len(left) != 0 {
		t.Fatalf("refused uploads left files: %v", left)
	}
}
