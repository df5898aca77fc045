package proxy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/inproc"
)

// checkedProxy is a proxy that verifies signatures, with alice's key,
// by the clock now.
func checkedProxy(t *testing.T, now func() time.Time) (alice *s3.Client, fs *client.FileSystem, url string) {
	t.Helper()
	c := inproc.Start(t, inproc.Options{Properties: map[string]string{conf.ImpersonationPrefix + "s3proxy.users": "*"}})
	all := os.FileMode(0o777)
	if err := c.Client().SetAttribute(context.Background(), "/", client.SetAttributeOptions{Mode: &all}); err != nil {
		t.Fatal(err)
	}
	fs = c.ClientWith(func(cfg *client.Config) { cfg.User = "s3proxy" })
	ts := httptest.NewServer(New(Config{FS: fs, WriteType: "MUST_CACHE", Credentials: Credentials{"alice": "alice-secret"}, Now: now}))
	t.Cleanup(ts.Close)
	alice = s3.New(s3.Options{BaseEndpoint: aws.String(ts.URL), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("alice", "alice-secret", ""), Retryer: aws.NopRetryer{}})
	return alice, fs, ts.URL
}

// postForm sends fields (in order, sorted by name) and then the file, as
// a browser does, and returns the answer.
func postFormTo(t *testing.T, url string, fields map[string]string, filename string, file []byte) (*http.Response, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		mw.WriteField(k, fields[k])
	}
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(file)
	mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

func s3Code(body []byte) string {
	var doc errorDoc
	xml.Unmarshal(body, &doc)
	return doc.Code
}

// docElements are the elements of an error document, by name.
func docElements(body []byte) map[string]string {
	var doc struct {
		Elements []errorField `xml:",any"`
	}
	xml.Unmarshal(body, &doc)
	out := map[string]string{}
	for _, f := range doc.Elements {
		out[f.XMLName.Local] = f.Value
	}
	return out
}

// hasElements says whether an error document holds each name-value pair.
func hasElements(body []byte, pairs ...string) bool {
	els := docElements(body)
	for i := 0; i+1 < len(pairs); i += 2 {
		if v, ok := els[pairs[i]]; !ok || v != pairs[i+1] {
			return false
		}
	}
	return true
}

// TestPostObjectPresigned: forms presigned with aws-sdk-go-v2's
// PresignPostObject (an independent signer of the policy) are stored as
// alice's objects, with the form's metadata; an altered form, a forged
// signature, an expired policy, a field the policy leaves out and a file
// out of the policy's length range are refused and store nothing.
func TestPostObjectPresigned(t *testing.T) {
	var late atomic.Bool // the proxy's clock an hour ahead
	alice, fs, url := checkedProxy(t, func() time.Time {
		if late.Load() {
			return time.Now().Add(time.Hour)
		}
		return time.Now()
	})
	ctx := testCtx(t)
	if _, err := alice.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("forms")}); err != nil {
		t.Fatal(err)
	}
	presign := func(key string, conditions []any, expires time.Duration) *s3.PresignedPostRequest {
		t.Helper()
		p, err := s3.NewPresignClient(alice).PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("forms"), Key: aws.String(key)},
			func(o *s3.PresignPostOptions) { o.Conditions, o.Expires = conditions, expires })
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	data := []byte("uploaded from a form")
	p := presign("up/${filename}", []any{[]any{"starts-with", "$Content-Type", "text/"}, map[string]string{"x-amz-meta-origin": "browser"},
		[]any{"content-length-range", 1, 100}}, time.Minute)
	fields := map[string]string{"Content-Type": "text/plain", "x-amz-meta-origin": "browser"}
	for k, v := range p.Values {
		fields[k] = v
	}
	resp, body := postFormTo(t, url+"/forms", fields, "a.txt", data)
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("ETag") == "" {
		t.Fatalf("presigned POST: %d %s", resp.StatusCode, body)
	}
	got, err := alice.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("forms"), Key: aws.String("up/a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	if !bytes.Equal(b, data) || aws.ToString(got.ContentType) != "text/plain" || got.Metadata["origin"] != "browser" {
		t.Fatalf("stored %q, type %q, metadata %v", b, aws.ToString(got.ContentType), got.Metadata)
	}
	if fi, err := fs.GetStatus(ctx, "/forms/up/a.txt", client.StatusOptions{}); err != nil || fi.Owner != "alice" {
		t.Fatalf("owner: %+v %v", fi, err)
	}

	// What is refused is answered with S3's code and the elements S3
	// adds (elements: name-value pairs).
	refused := func(what string, fields map[string]string, file []byte, status int, code string, elements ...string) {
		t.Helper()
		resp, body := postFormTo(t, url+"/forms", fields, "b.txt", file)
		if resp.StatusCode != status || s3Code(body) != code || !hasElements(body, elements...) {
			t.Fatalf("%s: %d %s, want %d %s %q", what, resp.StatusCode, body, status, code, elements)
		}
		if _, err := fs.GetStatus(ctx, "/forms/up/b.txt", client.StatusOptions{}); err == nil {
			t.Fatalf("%s: the refused form stored its file", what)
		}
	}
	with := func(change map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range fields {
			out[k] = v
		}
		for k, v := range change {
			out[k] = v
		}
		return out
	}
	refused("a content type the policy does not allow", with(map[string]string{"Content-Type": "image/png"}), data, 403, "AccessDenied")
	refused("a field the policy does not name", with(map[string]string{"x-amz-meta-extra": "1"}), data, 403, "AccessDenied")
	refused("a file over the length range", fields, bytes.Repeat([]byte("x"), 1<<20), 400, "EntityTooLarge",
		"ProposedSize", strconv.Itoa(1<<20), "MaxSizeAllowed", "100")
	refused("an empty file under the length range", fields, nil, 400, "EntityTooSmall", "ProposedSize", "0", "MinSizeAllowed", "1")
	forged := with(map[string]string{"X-Amz-Signature": strings.Repeat("0", 64)})
	refused("a forged signature", forged, data, 403, "SignatureDoesNotMatch", "AWSAccessKeyId", "alice",
		"StringToSign", fields["policy"], "SignatureProvided", strings.Repeat("0", 64), "StringToSignBytes", hexBytes(fields["policy"]))
	cred := strings.Replace(fields["X-Amz-Credential"], "alice/", "mallory/", 1)
	refused("a key not known", with(map[string]string{"X-Amz-Credential": cred}), data, 403, "InvalidAccessKeyId", "AWSAccessKeyId", "mallory")
	refused("a malformed credential", with(map[string]string{"X-Amz-Credential": "no-slashes"}), data, 400, "InvalidArgument",
		"Message", `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
		"ArgumentName", "x-amz-credential", "ArgumentValue", "no-slashes")
	refused("another algorithm", with(map[string]string{"X-Amz-Algorithm": "AWS4-HMAC-SHA1"}), data, 400, "InvalidArgument",
		"ArgumentName", "X-Amz-Algorithm", "ArgumentValue", "AWS4-HMAC-SHA1")
	refused("a malformed date", with(map[string]string{"X-Amz-Date": "today"}), data, 400, "InvalidArgument",
		"ArgumentName", "X-Amz-Date", "ArgumentValue", "today")
	refused("an empty signature", with(map[string]string{"X-Amz-Signature": ""}), data, 400, "InvalidArgument",
		"Message", "Bucket POST must contain a field named 'x-amz-signature'.  If it is specified, please check the order of the fields.",
		"ArgumentName", "x-amz-signature", "ArgumentValue", "")
	pol, _ := base64.StdEncoding.DecodeString(fields["policy"])
	widened := with(map[string]string{"policy": base64.StdEncoding.EncodeToString(bytes.Replace(pol, []byte(`"text/"`), []byte(`""`), 1))})
	refused("a policy changed after signing", widened, data, 403, "SignatureDoesNotMatch")
	anon := map[string]string{"key": "up/b.txt"}
	refused("an unsigned form", anon, data, 403, "AccessDenied")
	old := presign("up/b.txt", nil, time.Minute)
	expired := map[string]string{}
	for k, v := range old.Values {
		expired[k] = v
	}
	late.Store(true)
	refused("an expired policy", expired, data, 403, "AccessDenied")
	late.Store(false)

	// A tagging field is a Tagging document, as in S3; a malformed one
	// or a bad tag stores nothing.
	tagged := func(key, doc string) map[string]string {
		p := presign(key, []any{map[string]string{"tagging": doc}}, time.Minute)
		out := map[string]string{"tagging": doc}
		for k, v := range p.Values {
			out[k] = v
		}
		return out
	}
	resp, body = postFormTo(t, url+"/forms", tagged("up/t.txt", "<Tagging><TagSet><Tag><Key>env</Key><Value>a b</Value></Tag></TagSet></Tagging>"), "t.txt", data)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST with tagging: %d %s", resp.StatusCode, body)
	}
	tg, err := alice.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("forms"), Key: aws.String("up/t.txt")})
	if err != nil || tagList(tg.TagSet) != "env=a b" {
		t.Fatalf("tags of a POSTed object: %v %q", err, tagList(tg.TagSet))
	}
	refused("a tagging field that is no document", tagged("up/b.txt", "invalid"), data, 400, "MalformedXML")
	refused("a tagging field with a bad key", tagged("up/b.txt", "<Tagging><TagSet><Tag><Key>a!</Key><Value>v</Value></Tag></TagSet></Tagging>"), data, 400, "InvalidTag")

	// A POST to a bucket that is no form: S3's 412, before any signature.
	notForm, err := http.Post(url+"/forms", "application/json", strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	nb, _ := io.ReadAll(notForm.Body)
	notForm.Body.Close()
	if notForm.StatusCode != http.StatusPreconditionFailed || s3Code(nb) != "PreconditionFailed" || !strings.Contains(string(nb), "<Condition>Bucket POST must be of the enclosure-type multipart/form-data</Condition>") {
		t.Fatalf("a POST that is no form: %d %s", notForm.StatusCode, nb)
	}

	// success_action_status 201 answers with a document.
	p = presign("up/c.txt", []any{map[string]string{"success_action_status": "201"}}, time.Minute)
	created := map[string]string{"success_action_status": "201"}
	for k, v := range p.Values {
		created[k] = v
	}
	resp, body = postFormTo(t, url+"/forms", created, "c.txt", data)
	var doc postResponse
	if resp.StatusCode != http.StatusCreated || xml.Unmarshal(body, &doc) != nil || doc.Key != "up/c.txt" || doc.Bucket != "forms" {
		t.Fatalf("201: %d %s", resp.StatusCode, body)
	}
}

func TestParsePostPolicyRefusesMalformed(t *testing.T) {
	for _, doc := range []string{
		`not json`,
		`{"expiration": "tomorrow", "conditions": []}`,
		`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [["eq", "key"]]}`,
		`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [["between", "$key", "a"]]}`,
		`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [["content-length-range", 10, 1]]}`,
		`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [{"key": 1}]}`,
		`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [7]}`,
		`{"conditions": []}`,
		`{"expiration": "2030-01-01T00:00:00.000Z"}`,
		`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": null}`,
		`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": true}`,
		`{"expiration": true, "conditions": []}`,
		`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [], "extra": "field"}`,
		`[]`,
	} {
		if _, e := parsePostPolicy(base64.StdEncoding.EncodeToString([]byte(doc))); e == nil || e.Code != "InvalidPolicyDocument" || e.Status != 400 {
			t.Errorf("%s: %v, want InvalidPolicyDocument", doc, e)
		}
	}
	if _, e := parsePostPolicy("%%%"); e == nil || e.Code != "InvalidPolicyDocument" {
		t.Errorf("a policy that is not base64: %v", e)
	}
	if _, e := parsePostPolicy(base64.StdEncoding.EncodeToString([]byte(`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": []}`))); e != nil {
		t.Errorf("a policy without conditions: %v", e)
	}
}

// FuzzPostPolicy: any policy document parses into conditions or an
// error, never a panic.
func FuzzPostPolicy(f *testing.F) {
	f.Add(`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [{"bucket": "b"}, ["starts-with", "$key", "up/"], ["content-length-range", 1, 10]]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, e := parsePostPolicy(base64.StdEncoding.EncodeToString([]byte(doc)))
		if e == nil {
			p.check(&postForm{fields: map[string]string{"key": "up/x"}, names: map[string]string{"key": "key"}}, "b", time.Now())
		}
	})
}
