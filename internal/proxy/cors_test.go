package proxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// TestBucketCORS: a bucket's CORS configuration round-trips through the
// SDK, browsers' preflights are answered by it (and refused without one,
// or for an origin, method or header it does not allow), and answers to
// requests from an allowed origin carry the Access-Control-* headers.
func TestBucketCORS(t *testing.T) {
	c, _, url := testProxyURL(t)
	ctx := testCtx(t)
	b := aws.String("web")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	preflight := func(origin, method, headers string) *http.Response {
		t.Helper()
		r, _ := http.NewRequest(http.MethodOptions, url+"/web/photo.jpg", nil)
		r.Header.Set("Origin", origin)
		r.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			r.Header.Set("Access-Control-Request-Headers", headers)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp
	}
	if resp := preflight("https://app.example.com", "PUT", ""); resp.StatusCode != 403 {
		t.Fatalf("preflight without a configuration: %d", resp.StatusCode)
	}
	// A header name that is not one is refused before the configuration
	// is looked at, quoted as it came.
	for headers, name := range map[string]string{"X-Amz-Date,invalid header": "invalid header", "Content-Encoding, Bad/Header": " Bad/Header", `X"Q"`: `X"Q"`} {
		resp := preflight("https://app.example.com", "PUT", headers)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 400 || !hasElements(body, "Code", "BadRequest", "Message", `Access-Control-Request-Headers "`+name+`" contains invalid character.`) {
			t.Fatalf("preflight with %q: %d %s", headers, resp.StatusCode, body)
		}
	}
	_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	apiCode(t, "GetBucketCors without one", err, 404, "NoSuchCORSConfiguration")

	cfg := &types.CORSConfiguration{CORSRules: []types.CORSRule{
		{AllowedOrigins: []string{"https://*.example.com"}, AllowedMethods: []string{"GET", "PUT", "POST"},
			AllowedHeaders: []string{"content-type", "x-amz-*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600)},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}},
	}}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: cfg}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	if err != nil || len(got.CORSRules) != 2 || got.CORSRules[0].AllowedOrigins[0] != "https://*.example.com" ||
		aws.ToInt32(got.CORSRules[0].MaxAgeSeconds) != 600 || got.CORSRules[1].AllowedMethods[0] != "GET" {
		t.Fatalf("GetBucketCors: %+v, %v", got, err)
	}

	resp := preflight("https://app.example.com", "PUT", "Content-Type, X-Amz-Date")
	h := resp.Header
	if resp.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "PUT") || h.Get("Access-Control-Max-Age") != "600" ||
		h.Get("Access-Control-Allow-Headers") != "content-type, x-amz-date" || h.Get("Access-Control-Expose-Headers") != "ETag" {
		t.Fatalf("allowed preflight: %d %v", resp.StatusCode, h)
	}
	if resp := preflight("https://other.org", "GET", ""); resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("any origin may GET: %d %v", resp.StatusCode, resp.Header)
	}
	for _, refused := range [][3]string{
		{"https://other.org", "PUT", ""},                     // origin
		{"https://app.example.com", "DELETE", ""},            // method
		{"https://app.example.com", "PUT", "authorization2"}, // header
		{"http://app.example.com", "PUT", ""},                // scheme
	} {
		resp := preflight(refused[0], refused[1], refused[2])
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" || !strings.Contains(string(body), "<Code>AccessForbidden</Code>") {
			t.Fatalf("preflight %v: %d %v %s", refused, resp.StatusCode, resp.Header, body)
		}
	}
	// Preflights S3 finds malformed: no origin, a method CORS does not
	// know, a header name that is not one.
	for _, bad := range [][3]string{{"", "PUT", ""}, {"https://app.example.com", "PATCH", ""}, {"https://app.example.com", "PUT", "a b"}} {
		resp := preflight(bad[0], bad[1], bad[2])
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>BadRequest</Code>") {
			t.Fatalf("preflight %v: %d %s", bad, resp.StatusCode, body)
		}
	}

	// A request from a page of an allowed origin gets the headers.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("photo.jpg"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodGet, url+"/web/photo.jpg", nil)
	r.Header.Set("Origin", "https://app.example.com")
	get, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()
	if get.StatusCode != 200 || get.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Fatalf("GET from an allowed origin: %d %v", get.StatusCode, get.Header)
	}

	bad := &types.CORSConfiguration{CORSRules: []types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PATCH"}}}}
	_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: bad})
	apiCode(t, "a method S3 does not allow", err, 400, "InvalidRequest")
	bad = &types.CORSConfiguration{CORSRules: []types.CORSRule{{AllowedOrigins: []string{"https://*.*.com"}, AllowedMethods: []string{"GET"}}}}
	_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: bad})
	apiCode(t, "two wildcards in an origin", err, 400, "InvalidRequest")
	// Header names, allowed or exposed, are HTTP field names; S3 calls
	// both AllowedHeader when refusing one.
	for _, rule := range []types.CORSRule{
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, AllowedHeaders: []string{"X-Amz-Date", "X(Custom)"}},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, ExposeHeaders: []string{"ETag", "X(Custom)"}},
	} {
		_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{rule}}})
		apiCode(t, "an invalid header name", err, 400, "InvalidRequest")
		if ae := (smithy.APIError)(nil); !errors.As(err, &ae) || ae.ErrorMessage() != `AllowedHeader "X(Custom)" contains invalid character.` {
			t.Fatalf("an invalid header name: %v", err)
		}
	}
	if got, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b}); err != nil || len(got.CORSRules) != 2 {
		t.Fatalf("a refused configuration changed the stored one: %+v %v", got, err)
	}

	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	apiCode(t, "GetBucketCors after delete", err, 404, "NoSuchCORSConfiguration")
	if resp := preflight("https://app.example.com", "PUT", ""); resp.StatusCode != 403 {
		t.Fatalf("preflight after delete: %d", resp.StatusCode)
	}
}

func TestWildcard(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		fold, want bool
	}{
		{"*", "anything", false, true},
		{"https://*.example.com", "https://a.example.com", false, true},
		{"https://*.example.com", "https://example.com", false, false},
		{"http://a.com", "http://a.com", false, true},
		{"x-amz-*", "X-Amz-Date", true, true},
		{"x-amz-*", "X-Amz-Date", false, false},
		{"a*a", "a", false, false},
	} {
		if got := wildcard(c.pattern, c.s, c.fold); got != c.want {
			t.Errorf("wildcard(%q, %q, %v) = %v", c.pattern, c.s, c.fold, got)
		}
	}
}
