package proxy

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// The Signature Version 2 examples of the S3 developer guide's "Signing
// and authenticating REST requests" (bucket johnsmith, path style here),
// with the signatures it gives for them.
var exampleV2Time = time.Date(2007, 3, 27, 19, 40, 0, 0, time.UTC)

func exampleV2Auth() *authenticator {
	return &authenticator{creds: Credentials{exampleKey: exampleSecret}, now: func() time.Time { return exampleV2Time }}
}

func v2Request(method, target, date, contentType, sig string) *http.Request {
	r, _ := http.NewRequest(method, "http://s3.example.com"+target, nil)
	r.Header.Set("Date", date)
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Header.Set("Authorization", "AWS "+exampleKey+":"+sig)
	return r
}

func TestSigV2HeaderExamples(t *testing.T) {
	for _, c := range []struct {
		name, method, target, date, ctype, sig string
	}{
		{"object GET", "GET", "/johnsmith/photos/puppy.jpg", "Tue, 27 Mar 2007 19:36:42 +0000", "", "bWq2s1WEIj+Ydj0vQ697zp+IXMU="},
		{"object PUT", "PUT", "/johnsmith/photos/puppy.jpg", "Tue, 27 Mar 2007 21:15:45 +0000", "image/jpeg", "MyyxeRY7whkBe+bq8fHCL/2kKUg="},
		{"subresource", "GET", "/johnsmith/?acl", "Tue, 27 Mar 2007 19:44:46 +0000", "", "c2WLPFtWHVgbEmeEG93a4cG37dM="},
	} {
		a := exampleV2Auth()
		if when, err := time.Parse(time.RFC1123Z, c.date); err == nil {
			a.now = func() time.Time { return when.Add(time.Minute) }
		}
		id, e := a.authenticate(v2Request(c.method, c.target, c.date, c.ctype, c.sig))
		if e != nil || id.user != exampleKey || !id.verified {
			t.Errorf("%s: %+v, %v", c.name, id, e)
		}
		// One byte changed anywhere refuses it.
		_, e = a.authenticate(v2Request(c.method, c.target+"x", c.date, c.ctype, c.sig))
		if code(e) != "SignatureDoesNotMatch" {
			t.Errorf("%s, another path: %v", c.name, e)
		}
	}
	r := v2Request("GET", "/johnsmith/photos/puppy.jpg", "Tue, 27 Mar 2007 19:36:42 +0000", "", "bWq2s1WEIj+Ydj0vQ697zp+IXMU=")
	a := exampleV2Auth()
	a.now = func() time.Time { return exampleV2Time.Add(time.Hour) }
	if _, e := a.authenticate(r); code(e) != "RequestTimeTooSkewed" {
		t.Errorf("an hour late: %v", e)
	}
	r.Header.Set("X-Amz-Date", "Tue, 27 Mar 2007 19:36:42 +0000")
	if _, e := exampleV2Auth().authenticate(r); code(e) != "AccessDenied" {
		t.Errorf("with x-amz-date, which this server does not check: %v", e)
	}
	// Without credentials the access key is the user, as with version 4.
	open := &authenticator{now: time.Now}
	if id, e := open.authenticate(v2Request("GET", "/b/k", "whenever", "", "anything")); e != nil || id.user != exampleKey || id.verified {
		t.Errorf("unchecked: %+v, %v", id, e)
	}
	// An "AWS" header that is not key:signature is S3's InvalidArgument
	// naming the header (Amazon S3's answer where it takes version 2).
	for _, h := range []string{"AWS seed_signature", "AWS key:", "AWS :sig"} {
		r := v2Request("GET", "/b/k", "", "", "")
		r.Header.Set("Authorization", h)
		_, e := open.authenticate(r)
		if code(e) != "InvalidArgument" || e.message() != "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature" ||
			!hasFields(e, "ArgumentName", "Authorization", "ArgumentValue", h) {
			t.Errorf("%q: %+v", h, e)
		}
	}
}

func TestSigV2Presigned(t *testing.T) {
	// The guide's query string example signs "GET\n\n\n<Expires>\n/johnsmith/photos/puppy.jpg".
	const sig = "fScKGHCDI0NY5E7CYp9Vc8VKMbY="
	at := func(expires, signature string) *http.Request {
		q := url.Values{"AWSAccessKeyId": {exampleKey}, "Expires": {expires}, "Signature": {signature}}
		r, _ := http.NewRequest("GET", "http://s3.example.com/johnsmith/photos/puppy.jpg?"+q.Encode(), nil)
		return r
	}
	a := exampleV2Auth()
	a.now = func() time.Time { return time.Unix(1141889120-60, 0) }
	if id, e := a.authenticate(at("1141889120", sig)); e != nil || id.user != exampleKey || !id.verified {
		t.Fatalf("presigned: %+v, %v", id, e)
	}
	if _, e := a.authenticate(at("1141889121", sig)); code(e) != "SignatureDoesNotMatch" {
		t.Errorf("a later expiry under the same signature: %v", e)
	}
	a.now = func() time.Time { return time.Unix(1141889120+1, 0) }
	if _, e := a.authenticate(at("1141889120", sig)); code(e) != "AccessDenied" {
		t.Errorf("expired: %v", e)
	}
	// Expiry is checked without credentials too; the user is the key.
	open := &authenticator{now: func() time.Time { return time.Unix(1141889120-60, 0) }}
	if id, e := open.authenticate(at("1141889120", "x")); e != nil || id.user != exampleKey {
		t.Errorf("unchecked: %+v, %v", id, e)
	}
	open.now = time.Now
	if _, e := open.authenticate(at("1141889120", "x")); code(e) != "AccessDenied" {
		t.Errorf("unchecked, expired: %v", e)
	}
	if _, e := open.authenticate(at("soon", "x")); code(e) != "AuthorizationQueryParametersError" {
		t.Errorf("a bad Expires: %v", e)
	}
}

// FuzzSigV2 feeds version 2 headers and presigned queries to the
// authenticator, with credentials: an error or a verdict, never a panic,
// and never a verified user whose signature was not the example's.
func FuzzSigV2(f *testing.F) {
	f.Add("AWS "+exampleKey+":bWq2s1WEIj+Ydj0vQ697zp+IXMU=", "")
	f.Add("", "AWSAccessKeyId="+exampleKey+"&Expires=1141889120&Signature=fScKGHCDI0NY5E7CYp9Vc8VKMbY%3D")
	f.Add("AWS :", "Signature=&Expires=-1")
	f.Fuzz(func(t *testing.T, h, query string) {
		r, err := http.NewRequest("GET", "http://s3.example.com/johnsmith/photos/puppy.jpg", nil)
		if err != nil {
			t.Skip()
		}
		r.URL.RawQuery = query
		r.Header.Set("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
		if h != "" {
			r.Header.Set("Authorization", h)
		}
		a := exampleV2Auth()
		a.now = func() time.Time { return time.Unix(1141889120-60, 0) }
		id, e := a.authenticate(r)
		if e == nil && id.verified && id.user != exampleKey {
			t.Fatalf("verified %q from %q %q", id.user, h, query)
		}
	})
}
