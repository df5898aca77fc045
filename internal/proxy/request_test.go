package proxy

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

func TestParseRange(t *testing.T) {
	const size = 100
	for h, want := range map[string]struct {
		start, end int64
		ok         bool
		code       string
	}{
		"bytes=0-9":     {0, 9, true, ""},
		"bytes=90-":     {90, 99, true, ""},
		"bytes=-10":     {90, 99, true, ""},
		"bytes=-1000":   {0, 99, true, ""},
		"bytes=95-1000": {95, 99, true, ""},
		"bytes=99-99":   {99, 99, true, ""},
		"bytes=100-":    {0, 0, false, "InvalidRange"},
		"bytes=-0":      {0, 0, false, "InvalidRange"},
		"bytes=5-1":     {0, 0, false, ""}, // not a valid range: the whole object
		"bytes=a-b":     {0, 0, false, ""},
		"bytes=0-1,5-6": {0, 0, false, ""},
		"items=0-1":     {0, 0, false, ""},
		"bytes=--1":     {0, 0, false, ""},
		"bytes=1":       {0, 0, false, ""},
	} {
		r, ok, e := parseRange(h, size)
		if ok != want.ok || code(e) != want.code || (ok && (r.start != want.start || r.end != want.end)) {
			t.Errorf("%q: %+v %v %v, want %+v", h, r, ok, e, want)
		}
	}
	if _, _, e := parseRange("bytes=0-", 0); code(e) != "InvalidRange" {
		t.Errorf("a range of an empty object: %v", e)
	}
}

func FuzzParseRange(f *testing.F) {
	f.Add("bytes=0-9", int64(100))
	f.Add("bytes=-5", int64(3))
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
		}
		r, ok, _ := parseRange(h, size)
		if ok && (r.start < 0 || r.start > r.end || r.end >= size) {
			t.Fatalf("%q of %d: %+v", h, size, r)
		}
	})
}

func TestPreconditions(t *testing.T) {
	mod := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	before, after := mod.Add(-time.Hour).Format(http.TimeFormat), mod.Add(time.Hour).Format(http.TimeFormat)
	for _, c := range []struct {
		hdr  map[string]string
		want int
	}{
		{map[string]string{"If-Match": `"e1"`}, 0},
		{map[string]string{"If-Match": `"x", "e1"`}, 0},
		{map[string]string{"If-Match": `*`}, 0},
		{map[string]string{"If-Match": `"x"`}, 412},
		{map[string]string{"If-None-Match": `"e1"`}, 304},
		{map[string]string{"If-None-Match": `"x"`}, 0},
		{map[string]string{"If-Modified-Since": after}, 304},
		{map[string]string{"If-Modified-Since": before}, 0},
		{map[string]string{"If-Unmodified-Since": before}, 412},
		{map[string]string{"If-Unmodified-Since": after}, 0},
		// S3's rules for pairs: If-Match wins over If-Unmodified-Since,
		// If-None-Match over If-Modified-Since.
		{map[string]string{"If-Match": `"e1"`, "If-Unmodified-Since": before}, 0},
		{map[string]string{"If-None-Match": `"x"`, "If-Modified-Since": after}, 0},
		{map[string]string{"If-Modified-Since": "garbage"}, 0},
	} {
		h := http.Header{}
		for k, v := range c.hdr {
			h.Set(k, v)
		}
		if got := preconditions(h, "e1", mod); got != c.want {
			t.Errorf("%v: %d, want %d", c.hdr, got, c.want)
		}
	}
}

func TestObjectPaths(t *testing.T) {
	for key, want := range map[string]string{
		"a":                       "/b/a",
		"a/b c/ü%+":               "/b/a/b c/ü%+",
		"dir/":                    "/b/dir",
		"..":                      "InvalidArgument",
		"a/../b":                  "InvalidArgument",
		"a/./b":                   "InvalidArgument",
		"a//b":                    "InvalidArgument",
		"/a":                      "InvalidArgument",
		metaDir + "/x":            "InvalidArgument",
		strings.Repeat("k", 1025): "KeyTooLongError",
		strings.Repeat("k/", 512): "/b/" + strings.Repeat("k/", 511) + "k",
		"\xff":                    "InvalidArgument",
		strings.Repeat("n", 300):  "KeyTooLongError", // longer than a path component may be
	} {
		p, _, e := objectPath("b", key)
		got := p
		if e != nil {
			got = e.Code
		}
		if got != want {
			t.Errorf("key %.40q: %q, want %q", key, got, want)
		}
	}
	for _, b := range []string{"ab", "Abc", "a_b", "-ab", "ab-", "a..b", "192.168.1.1", strings.Repeat("a", 64)} {
		if checkBucketName(b) == nil {
			t.Errorf("bucket name %q accepted", b)
		}
	}
	for _, b := range []string{"abc", "my.bucket-1", strings.Repeat("a", 63)} {
		if e := checkBucketName(b); e != nil {
			t.Errorf("bucket name %q: %v", b, e)
		}
	}
}

func FuzzObjectPath(f *testing.F) {
	f.Add("b", "a/b/c")
	f.Add("b", "../x")
	f.Fuzz(func(t *testing.T, bucket, key string) {
		p, _, e := objectPath(bucket, key)
		if e != nil {
			return
		}
		if !strings.HasPrefix(p, "/"+bucket+"/") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") || strings.Contains(p, "//") {
			t.Fatalf("bucket %q key %q mapped to %q", bucket, key, p)
		}
		if rel := strings.TrimPrefix(p, "/"+bucket+"/"); rel == metaDir || strings.HasPrefix(rel, metaDir+"/") {
			t.Fatalf("key %q reaches the hidden folder", key)
		}
	})
}

// TestRoutingWithoutCluster checks what the proxy refuses before it asks
// the cluster anything: its answers are S3 error documents.
func TestRoutingWithoutCluster(t *testing.T) {
	fs, err := client.New(client.Config{Masters: []string{"127.0.0.1:1"}, RetryMaxDuration: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	s := New(Config{FS: fs})
	for _, c := range []struct {
		method, target, code string
		status               int
	}{
		{"PUT", "/b?policy", "NotImplemented", 501},
		{"POST", "/b?lifecycle", "NotImplemented", 501},
		{"GET", "/b/k?policy", "NotImplemented", 501},
		{"DELETE", "/b/k?encryption", "NotImplemented", 501},
		{"GET", "/b/k?cors", "NotImplemented", 501},
		{"GET", "/b/k?retention", "NotImplemented", 501},
		{"PUT", "/b?lifecycle", "NotImplemented", 501},
		{"POST", "/b?cors", "MethodNotAllowed", 405},
		{"OPTIONS", "/b/k", "BadRequest", 400},
		{"GET", "/b?whatever=1", "NotImplemented", 501},
		{"GET", "/b/k?versionId=3", "InvalidArgument", 400},
		{"GET", "/b/k?versionId=", "InvalidArgument", 400},
		{"HEAD", "/b/k?versionId=3", "InvalidArgument", 400},
		{"DELETE", "/b/k?versionId=a%2Fb", "InvalidArgument", 400},
		{"PUT", "/b/k?versionId=null", "InvalidArgument", 400},
		{"POST", "/b/k?tagging", "MethodNotAllowed", 405},
		{"POST", "/b?versions", "MethodNotAllowed", 405},
		{"PUT", "/", "MethodNotAllowed", 405},
		{"PUT", "/Bad_Bucket", "InvalidBucketName", 400},
		{"GET", "/b?list-type=3", "InvalidArgument", 400},
		{"PUT", "/b/a/../c", "InvalidArgument", 400},
		{"PUT", "/b/" + strings.Repeat("k", 1025), "KeyTooLongError", 400},
		{"PUT", "/api/v1/s3/b?policy", "NotImplemented", 501},
		{"POST", "/b/k", "NotImplemented", 501},
		{"PUT", "/b/k?partNumber=0&uploadId=x", "InvalidArgument", 400},
	} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(c.method, c.target, nil))
		var doc errorDoc
		if c.method == "HEAD" {
			// A HEAD answer has no body.
			if w.Code != c.status || w.Body.Len() != 0 {
				t.Errorf("%s %s: %d %q, want %d", c.method, c.target, w.Code, w.Body.String(), c.status)
			}
			continue
		}
		if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != c.status || doc.Code != c.code {
			t.Errorf("%s %s: %d %s (%v), want %d %s", c.method, c.target, w.Code, w.Body.String(), err, c.status, c.code)
		}
	}
}

func FuzzRequestBodies(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<Delete><Object><Key>k</Key></Object><Quiet>true</Quiet></Delete>`))
	f.Add([]byte(`<CreateBucketConfiguration><LocationConstraint>x</LocationConstraint></CreateBucketConfiguration>`))
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`))
	f.Add([]byte(`<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>o</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`))
	f.Add([]byte(`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`))
	f.Add([]byte(`<CORSConfiguration><CORSRule><AllowedOrigin>https://*.a.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>5</MaxAgeSeconds></CORSRule></CORSConfiguration>`))
	s := New(Config{MinPartSize: 5})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := &request{r: httptest.NewRequest("POST", "/b/k", bytes.NewReader(body))}
		var cu completeUpload
		if readXML(req, &cu, false) == nil {
			s.checkComplete(cu.Parts, map[int]*client.FileInfo{1: {Length: 10, Xattr: map[string][]byte{xETag: []byte("zz")}}})
		}
		req.r = httptest.NewRequest("POST", "/b?delete", bytes.NewReader(body))
		var d deleteObjectsRequest
		readXML(req, &d, false)
		req.r = httptest.NewRequest("PUT", "/b", bytes.NewReader(body))
		var c createBucketConfiguration
		readXML(req, &c, true)
		req.r = httptest.NewRequest("PUT", "/b/k?tagging", bytes.NewReader(body))
		if tags, e := readTagging(req, maxObjectTags); e == nil {
			if len(tags) > maxObjectTags || checkTags(tagsOf(map[string][]byte{xTags: encodeTags(tags)}), maxObjectTags) != nil {
				t.Fatalf("accepted tags %q do not round-trip", tags)
			}
		}
		var acl accessControlPolicyIn
		if xml.Unmarshal(body, &acl) == nil {
			checkACLBody(&acl, "o")
		}
		req.r = httptest.NewRequest("PUT", "/b?versioning", bytes.NewReader(body))
		var v versioningConfiguration
		readXML(req, &v, false)
		// A CORS configuration that passes its checks is stored and read
		// back as the same rules, and matching with it never panics.
		req.r = httptest.NewRequest("PUT", "/b?cors", bytes.NewReader(body))
		var cors corsConfiguration
		if readXML(req, &cors, false) == nil && cors.check() == nil {
			stored, err := xml.Marshal(cors)
			back := corsOf(map[string][]byte{xCORS: stored})
			if err != nil || back == nil || len(back.Rules) != len(cors.Rules) {
				t.Fatalf("an accepted CORS configuration does not round-trip: %v", err)
			}
			back.match("https://a.example.com", "GET", []string{"x-amz-date"})
		}
	})
}

func FuzzTaggingHeader(f *testing.F) {
	f.Add("a=1&b=x%20y&c=")
	f.Add("k=%ff&=v&a")
	f.Fuzz(func(t *testing.T, h string) {
		tags, e := parseTaggingHeader(h)
		if e != nil {
			if e.Status != 400 {
				t.Fatalf("%q: %v", h, e)
			}
			return
		}
		if len(tags) > maxObjectTags {
			t.Fatalf("%q: %d tags accepted", h, len(tags))
		}
		back := tagsOf(map[string][]byte{xTags: encodeTags(tags)})
		if len(back) != len(tags) || checkTags(back, maxObjectTags) != nil {
			t.Fatalf("%q: stored tags do not round-trip", h)
		}
		for i := range back {
			if back[i] != tags[i] {
				t.Fatalf("%q: stored tags do not round-trip", h)
			}
		}
	})
}

func TestWriteHeadersWithoutCluster(t *testing.T) {
	fs, err := client.New(client.Config{Masters: []string{"127.0.0.1:1"}, RetryMaxDuration: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	s := New(Config{FS: fs})
	for _, c := range []struct {
		method, target, header, value, code string
		status                              int
	}{
		{"PUT", "/b/k", "X-Amz-Tagging", "a=1&a=2", "InvalidArgument", 400},
		{"PUT", "/b/k", "X-Amz-Tagging", "a=%zz", "InvalidArgument", 400},
		{"POST", "/b/k?uploads", "X-Amz-Tagging", "a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1", "BadRequest", 400},
		{"PUT", "/b/k", "X-Amz-Acl", "public-read", "NotImplemented", 501},
		{"PUT", "/bucket", "X-Amz-Acl", "log-delivery-write", "NotImplemented", 501},
		{"PUT", "/b/k", "X-Amz-Grant-Read", `id="x"`, "NotImplemented", 501},
		{"POST", "/b/k?uploads", "X-Amz-Grant-Full-Control", `emailAddress="a@b"`, "NotImplemented", 501},
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(c.method, c.target, nil)
		r.Header.Set(c.header, c.value)
		s.ServeHTTP(w, r)
		var doc errorDoc
		if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != c.status || doc.Code != c.code {
			t.Errorf("%s %s with %s: %d %s (%v), want %d %s", c.method, c.target, c.header, w.Code, w.Body.String(), err, c.status, c.code)
		}
	}
}
