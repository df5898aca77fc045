package underfs

import (
	"errors"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
)

func TestCanonicalURI(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		// One local directory, however it is spelled.
		{"/data/x", "file:///data/x"},
		{"/data/x/", "file:///data/x"},
		{"/data//x", "file:///data/x"},
		{"//data/x", "file:///data/x"},
		{"/data/./x", "file:///data/x"},
		{"/data/y/../x", "file:///data/x"},
		{"/../data/x", "file:///data/x"},
		{"file:///data/x", "file:///data/x"},
		{"FILE:///data/x/", "file:///data/x"},
		{"file://localhost/data/x", "file:///data/x"},
		{"file://LocalHost/data/x", "file:///data/x"},
		{"file:/data/x", "file:///data/x"},
		{"file:////data/x", "file:///data/x"},
		{"/", "file:///"},
		{"file:///", "file:///"},
		// Other stores: scheme and authority in lower case, s3a is s3.
		{"s3://bucket/prefix/", "s3://bucket/prefix"},
		{"S3A://Bucket/prefix//a", "s3://bucket/prefix/a"},
		{"s3://bucket", "s3://bucket/"},
		{"s3://bucket/", "s3://bucket/"},
		{"hdfs://nn:8020/user/a/./b", "hdfs://nn:8020/user/a/b"},
	} {
		c, err := CanonicalURI(tt.in)
		if err != nil || c.String() != tt.want {
			t.Errorf("CanonicalURI(%q) = %q, %v; want %q", tt.in, c, err, tt.want)
		}
	}
	for _, tt := range []struct{ in, mention string }{
		{"data/x", "not absolute"},
		{"./data", "not absolute"},
		{"", "not absolute"},
		{"file:data", "not absolute"},
		{"file://otherhost/data", `names host "otherhost"`},
		{"s3:bucket/x", "no authority"},
		{"s3:///x", "names no host or bucket"},
		{"/a\x00b", "NUL"},
	} {
		_, err := CanonicalURI(tt.in)
		if !errors.Is(err, errs.ErrInvalidArg) || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("CanonicalURI(%q) = %v; want invalid argument mentioning %s", tt.in, err, tt.mention)
		}
	}
}

func TestCanonicalOverlaps(t *testing.T) {
	for _, tt := range []struct {
		a, b     string
		overlaps bool
	}{
		{"/data/x", "file:///data/x/", true},
		{"/data", "/data/x", true},
		{"/data/x/y", "/data", true},
		{"/", "/anything", true},
		{"/data/x", "/data/xy", false},
		{"/data/x", "/data/y", false},
		{"s3://b/p", "s3a://b/p/q", true},
		{"s3://b/p", "s3://b/pq", false},
		{"s3://b1/p", "s3://b2/p", false},
		{"s3://b/data", "/data", false},
		{"hdfs://nn1/x", "hdfs://nn2/x", false},
	} {
		a, err := CanonicalURI(tt.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := CanonicalURI(tt.b)
		if err != nil {
			t.Fatal(err)
		}
		if a.Overlaps(b) != tt.overlaps || b.Overlaps(a) != tt.overlaps {
			t.Errorf("%s overlaps %s: %v, want %v", tt.a, tt.b, a.Overlaps(b), tt.overlaps)
		}
	}
}

// FuzzCanonicalURI: any input gives an error or a canonical form that is
// its own canonical form, overlaps itself, and never panics.
func FuzzCanonicalURI(f *testing.F) {
	for _, s := range []string{"/data/x", "file://localhost/a/../b/", "s3a://B/p//q", "//x", "hdfs://nn:1/", "file:", "s3://", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		c, err := CanonicalURI(uri)
		if err != nil {
			if !errors.Is(err, errs.ErrInvalidArg) {
				t.Fatalf("CanonicalURI(%q): error %v is not an invalid argument", uri, err)
			}
			return
		}
		again, err := CanonicalURI(c.String())
		if err != nil || again != c {
			t.Fatalf("CanonicalURI(%q) = %+v, whose string %q gives %+v, %v", uri, c, c.String(), again, err)
		}
		if !c.Overlaps(c) || !strings.HasPrefix(c.Path, "/") {
			t.Fatalf("CanonicalURI(%q) = %+v", uri, c)
		}
	})
}
