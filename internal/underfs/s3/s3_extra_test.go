package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig("s3a://bkt/a/b/", map[string]string{
		KeyAccessKeyOld: "AK", KeySecretKeyOld: "SK", KeyEndpoint: "minio.local:9000", KeySecureHTTP: "false",
		KeyPathStyle: "true", KeyPartSize: "8MB", KeyUploadThreads: "3", KeyDefaultMode: "0750",
		KeyOwnerMapping: "id1=alice; id2=bob", KeyUploadCleanAge: "1h",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Bucket != "bkt" || c.Prefix != "a/b/" || c.AccessKey != "AK" || c.SecretKey != "SK" ||
		c.Endpoint != "http://minio.local:9000" || !c.PathStyle || c.PartSize != 8<<20 || c.UploadThreads != 3 ||
		c.DefaultMode != 0o750 || c.OwnerMapping["id2"] != "bob" || c.UploadCleanAge != time.Hour {
		t.Errorf("config = %+v", c)
	}
	bad := []struct {
		uri   string
		props map[string]string
		want  string
	}{
		{"s3:///x", nil, "names no bucket"},
		{"hdfs://b/x", nil, "not an S3 URI"},
		{"s3://AK:SK@b/x", nil, "mount options"},
		{"s3://b/a/../c", nil, ".."},
		{"s3://b", map[string]string{KeyAccessKey: "AK"}, "give both"},
		{"s3://b", map[string]string{KeyPartSize: "1MB"}, KeyPartSize},
		{"s3://b", map[string]string{KeyUploadThreads: "zero"}, KeyUploadThreads},
		{"s3://b", map[string]string{KeyPathStyle: "yes please"}, KeyPathStyle},
		{"s3://b", map[string]string{KeyEndpoint: "ftp://x"}, KeyEndpoint},
		{"s3://b", map[string]string{KeyDefaultMode: "999"}, KeyDefaultMode},
		{"s3://b", map[string]string{KeyOwnerMapping: "nobody"}, KeyOwnerMapping},
	}
	for _, tt := range bad {
		props := map[string]string{KeySecretKey: "s3cr3t-value"}
		if tt.props[KeyAccessKey] == "" {
			props[KeyAccessKey] = "AK"
		}
		for k, v := range tt.props {
			props[k] = v
		}
		if tt.props[KeyAccessKey] != "" {
			delete(props, KeySecretKey)
		}
		_, err := ParseConfig(tt.uri, props)
		if !errors.Is(err, errs.ErrInvalidArg) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseConfig(%q, %v) = %v; want ErrInvalidArg naming %q", tt.uri, tt.props, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t-value") {
			t.Errorf("error shows the secret: %v", err)
		}
	}
}

func FuzzDecodeToken(f *testing.F) {
	f.Add([]byte(`{"k":"a/b","u":"id","p":[{"n":1,"e":"\"x\"","s":5}]}`))
	f.Add([]byte(`{"k":"a","empty":true}`))
	f.Add([]byte(`{"k":"a","u":"id","p":[{"n":2,"e":"x","s":1}]}`))
	f.Add([]byte(`{"k":"a","u":"id"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := decodeToken(b)
		if err != nil {
			return
		}
		if tok.Key == "" || (!tok.Empty && tok.UploadID == "") || (tok.Empty && (tok.UploadID != "" || len(tok.Parts) > 0)) {
			t.Fatalf("accepted %q as %+v", b, tok)
		}
		for i, p := range tok.Parts {
			if p.Number != int32(i+1) {
				t.Fatalf("accepted parts out of order: %+v", tok.Parts)
			}
		}
		_ = completed(tok.Parts) // must not panic on anything accepted
	})
}

// TestStoreFaults: wrong keys, a missing bucket and an unreachable
// endpoint each fail the first call quickly with a message naming the
// bucket, the endpoint and the cause, and never the secret.
func TestStoreFaults(t *testing.T) {
	srv, bucket := server(t)
	deadEnd := fmt.Sprintf("http://127.0.0.1:%d", testcluster.FreePort(t))
	tests := []struct {
		name   string
		uri    string
		props  map[string]string
		target error
		words  string
	}{
		{"wrong access key", "s3://" + bucket, map[string]string{KeyAccessKey: "nobody"}, errs.ErrPermission, "access key"},
		{"wrong secret", "s3://" + bucket, map[string]string{KeySecretKey: "wrong-secret-123"}, errs.ErrPermission, "s3a.secretKey"},
		{"missing bucket", "s3://no-such-bucket/x", nil, errs.ErrNotFound, "bucket does not exist"},
		{"unreachable endpoint", "s3://" + bucket, map[string]string{KeyEndpoint: deadEnd}, errs.ErrUnavailable, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := srv.Properties()
			for k, v := range tt.props {
				props[k] = v
			}
			fs, err := New(tt.uri, underfs.Options{Properties: props})
			if err != nil {
				t.Fatal(err)
			}
			defer fs.Close()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			start := time.Now()
			_, err = fs.GetStatus(ctx, "")
			if !errors.Is(err, tt.target) || !strings.Contains(err.Error(), tt.words) {
				t.Fatalf("GetStatus of the root = %v; want %v saying %q", err, tt.target, tt.words)
			}
			endpoint := props[KeyEndpoint]
			if !strings.Contains(err.Error(), endpoint) || !strings.Contains(err.Error(), "bucket") {
				t.Errorf("error %q does not name the bucket and endpoint %s", err, endpoint)
			}
			if strings.Contains(err.Error(), props[KeySecretKey]) {
				t.Errorf("error shows the secret: %v", err)
			}
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("failing took %v", took)
			}
		})
	}
}

// TestRenameDirFailsPartWay breaks one copy of a directory rename: the
// copies made are removed, the source is whole, and the error says so.
func TestRenameDirFailsPartWay(t *testing.T) {
	srv, bucket := server(t)
	fs := open(t, srv, bucket, nil)
	ctx := t.Context()
	for i := range 30 {
		write(t, fs, fmt.Sprintf("src/f%02d", i), fmt.Sprintf("file %d", i))
	}
	write(t, fs, "src/sub/deep", "deep")
	fs.copyHook = func(key string) error {
		if strings.HasSuffix(key, "src/f17") {
			return errors.New("injected copy failure")
		}
		return nil
	}
	err := fs.Rename(ctx, "src", "dst")
	if err == nil || !strings.Contains(err.Error(), "source is unchanged") || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("Rename = %v; want an error saying what happened", err)
	}
	if _, err := fs.GetStatus(ctx, "dst"); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("after the failed rename dst = %v; want it gone", err)
	}
	list, err := fs.List(ctx, "src")
	if err != nil || len(list) != 31 {
		t.Fatalf("after the failed rename src holds %d entries, %v; want 31", len(list), err)
	}
	fs.copyHook = nil
	if err := fs.Rename(ctx, "src", "dst"); err != nil {
		t.Fatalf("Rename without the fault: %v", err)
	}
	if got := read(t, fs, "dst/sub/deep"); got != "deep" {
		t.Errorf("dst/sub/deep = %q", got)
	}
	if _, err := fs.GetStatus(ctx, "src"); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("after the rename src = %v; want it gone", err)
	}
}

// TestWriterStreams writes many parts through a writer allowed two in
// memory: the parts go up while it writes, and an aborted writer leaves no
// upload behind.
func TestWriterStreams(t *testing.T) {
	srv, bucket := server(t)
	fs := open(t, srv, bucket, map[string]string{KeyPartSize: "5MB"})
	fs.cfg.WriterParts = 2
	data := make([]byte, 23<<20+17)
	rand.Read(data)
	w, err := fs.Create(t.Context(), "big", underfs.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 1<<20+3)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	ww := w.(*writer)
	if ww.made > 2 {
		t.Errorf("the writer allocated %d part buffers; want at most 2", ww.made)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, fs, "big"); got != string(data) {
		t.Fatalf("read back %d bytes, mismatching", len(got))
	}
	// An aborted multipart write leaves no upload.
	w, err = fs.Create(t.Context(), "aborted", underfs.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data[:12<<20]); err != nil {
		t.Fatal(err)
	}
	if err := w.Cancel(); err != nil {
		t.Fatal(err)
	}
	if n := uploads(t, fs); n != 0 {
		t.Errorf("%d uploads left after Cancel", n)
	}
}

// TestListStagedStaleUploads: an upload a dead writer left is listed once
// older than the clean age, and not before, with a token that discards it
// and that cannot publish it.
func TestListStagedStaleUploads(t *testing.T) {
	srv, bucket := server(t)
	fs := open(t, srv, bucket, map[string]string{KeyUploadCleanAge: "1h"})
	sw, err := fs.CreateStaged(t.Context(), "left/behind", underfs.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sw.Write(bytes.Repeat([]byte("x"), 1000)); err != nil {
		t.Fatal(err)
	}
	if _, err := sw.Commit(); err != nil { // the writer "dies": no publish, no discard
		t.Fatal(err)
	}
	staged := func() map[string][]byte {
		out := map[string][]byte{}
		if err := fs.ListStaged(t.Context(), func(p string, tok []byte) error { out[p] = tok; return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := staged(); len(got) != 0 {
		t.Fatalf("ListStaged of a fresh upload = %v; want none", got)
	}
	fs.cfg.UploadCleanAge = time.Nanosecond
	got := staged()
	tok, ok := got["left/behind"]
	if len(got) != 1 || !ok {
		t.Fatalf("ListStaged = %v; want left/behind", got)
	}
	if _, err := fs.Publish(t.Context(), "left/behind", tok); !errors.Is(err, errs.ErrInvalidArg) {
		t.Fatalf("Publish with a listed token = %v; want ErrInvalidArg", err)
	}
	if err := fs.Discard(t.Context(), "left/behind", tok); err != nil {
		t.Fatal(err)
	}
	if n := uploads(t, fs); n != 0 {
		t.Errorf("%d uploads left after Discard", n)
	}
	if _, err := fs.GetStatus(t.Context(), "left/behind"); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("left/behind after Discard: %v", err)
	}
}

func uploads(t *testing.T, fs *FS) int {
	t.Helper()
	out, err := fs.client.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: &fs.cfg.Bucket, Prefix: aws.String(fs.cfg.Prefix)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Uploads)
}

func write(t *testing.T, fs *FS, p, data string) {
	t.Helper()
	w, err := fs.Create(t.Context(), p, underfs.CreateOptions{CreateParents: true, Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// checkStoredCRC checks the CRC-32 the store keeps for the object of
// name: data's own, or, with parts ("-N"), one over N parts.
func checkStoredCRC(t *testing.T, fs *FS, bucket, name string, data []byte, parts string) {
	t.Helper()
	out, err := fs.client.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(fs.key(name)),
		ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got := aws.ToString(out.ChecksumCRC32)
	switch {
	case parts == "" && got != crc32Of(data):
		t.Errorf("%s: the store keeps CRC-32 %q, the data's is %q", name, got, crc32Of(data))
	case parts != "" && !strings.HasSuffix(got, parts):
		t.Errorf("%s: the store keeps CRC-32 %q, want one over %s parts", name, got, parts[1:])
	}
}

func read(t *testing.T, fs *FS, p string) string {
	t.Helper()
	r, err := fs.Open(t.Context(), p, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStreamingAndACLOptions: streaming.upload.enabled and inherit.acl
// are on unless set false, and a value that is no boolean fails, naming
// the key.
func TestStreamingAndACLOptions(t *testing.T) {
	c, err := ParseConfig("s3://bkt", nil)
	if err != nil || !c.StreamingUpload || !c.InheritACL {
		t.Fatalf("defaults: streaming %v, inherit.acl %v, %v; want both on", c.StreamingUpload, c.InheritACL, err)
	}
	c, err = ParseConfig("s3://bkt", map[string]string{KeyStreamingUpload: "false", KeyInheritACL: " FALSE "})
	if err != nil || c.StreamingUpload || c.InheritACL {
		t.Fatalf("set false: streaming %v, inherit.acl %v, %v", c.StreamingUpload, c.InheritACL, err)
	}
	for _, key := range []string{KeyStreamingUpload, KeyInheritACL} {
		_, err := ParseConfig("s3://bkt", map[string]string{key: "perhaps"})
		if !errors.Is(err, errs.ErrInvalidArg) || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "perhaps") {
			t.Errorf("%s=perhaps: %v; want ErrInvalidArg naming the key and value", key, err)
		}
	}
}

// TestWritesCarryChecksums: every body a writer sends goes with its
// CRC-32, which the store checks and keeps: a one-part file's checksum is
// its own, a multipart one's is over its parts' ("...-N").
func TestWritesCarryChecksums(t *testing.T) {
	srv, bucket := server(t)
	fs := open(t, srv, bucket, map[string]string{KeyPartSize: "5MB"})
	data := make([]byte, 12<<20+5)
	rand.Read(data)
	for _, tc := range []struct {
		name  string
		size  int
		parts string
	}{{"small", 1000, ""}, {"multi", len(data), "-3"}} {
		write(t, fs, tc.name, string(data[:tc.size]))
		checkStoredCRC(t, fs, bucket, tc.name, data[:tc.size], tc.parts)
		if got := read(t, fs, tc.name); got != string(data[:tc.size]) {
			t.Fatalf("%s: read back %d bytes, mismatching", tc.name, len(got))
		}
	}
}

// TestWriteToGivesTheRange: io.Copy from a reader (which takes its
// WriteTo) gives exactly the bytes Read would: the range OpenRange named,
// spanning the first GET and read-ahead chunks, or the rest of the object
// after Open; and Read goes on from where WriteTo stopped.
func TestWriteToGivesTheRange(t *testing.T) {
	srv, bucket := server(t)
	fs := open(t, srv, bucket, map[string]string{KeyPartSize: "5MB"})
	data := make([]byte, 3*readChunk+12345)
	rand.Read(data)
	write(t, fs, "obj", string(data))
	var err error
	for _, tc := range []struct{ off, length int64 }{
		{0, int64(len(data))}, {100, 2*readChunk + 5}, {readChunk - 1, 10}, {int64(len(data)) - 3, 3}, {5, -1},
	} {
		var r io.ReadCloser
		if tc.length < 0 {
			r, err = fs.Open(t.Context(), "obj", tc.off)
		} else {
			r, err = fs.OpenRange(t.Context(), "obj", tc.off, tc.length)
		}
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		n, err := io.Copy(&got, r)
		end := int64(len(data))
		if tc.length >= 0 {
			end = tc.off + tc.length
		}
		if err != nil || n != end-tc.off || !bytes.Equal(got.Bytes(), data[tc.off:end]) {
			t.Errorf("[%d, %d): copied %d bytes (%v), matching %v", tc.off, end, n, err, bytes.Equal(got.Bytes(), data[tc.off:end]))
		}
		rest, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(rest, data[end:]) {
			t.Errorf("[%d, %d): Read after WriteTo gave %d bytes (%v), want the %d after the range", tc.off, end, len(rest), err, len(data)-int(end))
		}
		r.Close()
		if n, err := r.(io.WriterTo).WriteTo(io.Discard); n != 0 || !errors.Is(err, errs.ErrPrecondition) {
			t.Errorf("WriteTo after Close: %d bytes, %v", n, err)
		}
	}
}
