package underfs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/underfs/local"
)

func TestScheme(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"/data", ""},
		{"", ""},
		{"relative/path", ""},
		{"file:///data", "file"},
		{"file:/data", "file"},
		{"FILE:///data", "file"},
		{"s3://bucket/prefix", "s3"},
		{"s3a://bucket", "s3a"},
		{"hdfs://nn:9000/x", "hdfs"},
		{"x-y.z+w://a", "x-y.z+w"},
		{"1s3://a", ""},
		{"://a", ""},
		{"/a:b", ""},
		{"a b://c", ""},
	}
	for _, tt := range tests {
		if got := underfs.Scheme(tt.uri); got != tt.want {
			t.Errorf("Scheme(%q) = %q; want %q", tt.uri, got, tt.want)
		}
	}
}

func TestOpenLocal(t *testing.T) {
	dir := t.TempDir()
	for _, uri := range []string{dir, "file://" + dir, "File://" + dir} {
		u, err := underfs.Open(uri)
		if err != nil {
			t.Errorf("Open(%q): %v", uri, err)
			continue
		}
		if _, ok := u.(*local.FS); !ok || u.Root() != uri {
			t.Errorf("Open(%q) = %T with root %q; want *local.FS with the URI as given", uri, u, u.Root())
		}
		if _, err := u.GetStatus(context.Background(), ""); err != nil {
			t.Errorf("GetStatus of the root of %q: %v", uri, err)
		}
		u.Close()
	}
	// A factory's error comes back as it is, with no typed nil in the
	// interface.
	u, err := underfs.Open(dir + "/missing")
	if !errors.Is(err, errs.ErrNotFound) || u != nil {
		t.Errorf("Open of a missing directory = %v, %v; want nil, ErrNotFound", u, err)
	}
}

func TestOpenUnsupported(t *testing.T) {
	for _, uri := range []string{"s3://bucket/x", "gopher://host/x", "hdfs://nn:9000/"} {
		u, err := underfs.Open(uri)
		if !errors.Is(err, errs.ErrInvalidArg) || u != nil {
			t.Errorf("Open(%q) = %v, %v; want ErrInvalidArg", uri, u, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "unsupported under storage scheme") ||
			!strings.Contains(msg, uri) || !strings.Contains(msg, "file") {
			t.Errorf("Open(%q) error %q should name the scheme, the URI and what is supported", uri, msg)
		}
	}
}

// registered counts TestRegister's runs: the registry is process-wide and
// refuses a scheme twice, so each run (-count=N) needs a scheme of its own.
var registered atomic.Int32

func TestRegister(t *testing.T) {
	scheme := fmt.Sprintf("Test-Mem%d", registered.Add(1))
	lower := strings.ToLower(scheme)
	var gotURI string
	var gotOpts underfs.Options
	underfs.Register(scheme, func(uri string, opts underfs.Options) (underfs.UnderFileSystem, error) {
		gotURI, gotOpts = uri, opts
		return nil, errs.New(errs.ErrUnavailable, "test factory")
	})
	if !slices.Contains(underfs.Schemes(), lower) || !slices.Contains(underfs.Schemes(), "file") {
		t.Errorf("Schemes() = %q; want file and test-mem", underfs.Schemes())
	}
	props := map[string]string{"k": "v"}
	_, err := underfs.OpenWithOptions(strings.ToUpper(scheme)+"://x/y", underfs.Options{Properties: props})
	if !errors.Is(err, errs.ErrUnavailable) || gotURI != strings.ToUpper(scheme)+"://x/y" || gotOpts.Properties["k"] != "v" {
		t.Errorf("factory got %q, %v and returned %v", gotURI, gotOpts, err)
	}
	if gotOpts.Logger == nil {
		t.Error("factory got a nil Logger")
	}

	for name, register := range map[string]func(){
		"duplicate": func() {
			underfs.Register(lower, func(string, underfs.Options) (underfs.UnderFileSystem, error) { return nil, nil })
		},
		"nil factory": func() { underfs.Register("test-nil", nil) },
		"empty scheme": func() {
			underfs.Register("", func(string, underfs.Options) (underfs.UnderFileSystem, error) { return nil, nil })
		},
		"bad scheme": func() {
			underfs.Register("a/b", func(string, underfs.Options) (underfs.UnderFileSystem, error) { return nil, nil })
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register with a %s did not panic", name)
				}
			}()
			register()
		}()
	}
}
