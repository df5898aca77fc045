package fspath

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
)

func TestSplit(t *testing.T) {
	long := strings.Repeat("x", MaxNameLen)
	tests := []struct {
		path    string
		want    []string
		wantErr string // substring of the error; "" means valid
	}{
		{path: "/", want: []string{}},
		{path: "/a", want: []string{"a"}},
		{path: "/a/", want: []string{"a"}},
		{path: "/a/b/c", want: []string{"a", "b", "c"}},
		{path: "/a/b/", want: []string{"a", "b"}},
		{path: "/...", want: []string{"..."}},
		{path: "/.a/a./..b", want: []string{".a", "a.", "..b"}},
		{path: "/名前/файл", want: []string{"名前", "файл"}},
		{path: "/a b/c\td", want: []string{"a b", "c\td"}},
		{path: "/" + long, want: []string{long}},

		{path: "", wantErr: "empty path"},
		{path: "a/b", wantErr: "not absolute"},
		{path: "./a", wantErr: "not absolute"},
		{path: "//", wantErr: "empty component"},
		{path: "/a//b", wantErr: "empty component"},
		{path: "/a//", wantErr: "empty component"},
		{path: "//a", wantErr: "empty component"},
		{path: "/a/./b", wantErr: `name "." is not allowed`},
		{path: "/a/..", wantErr: `name ".." is not allowed`},
		{path: "/../etc", wantErr: `name ".." is not allowed`},
		{path: "/.", wantErr: `name "." is not allowed`},
		{path: "/a\x00b", wantErr: "NUL byte"},
		{path: "/a/\xff", wantErr: "not valid UTF-8"},
		{path: "/" + long + "y", wantErr: "more than the 255 allowed"},
		{path: "/" + strings.Repeat("abcdefg/", MaxPathLen/8), wantErr: "more than the 4096 allowed"},
	}
	for _, tt := range tests {
		got, err := Split(tt.path)
		if tt.wantErr == "" {
			if err != nil || !slices.Equal(got, tt.want) || got == nil {
				t.Errorf("Split(%q) = %q, %v; want %q, nil", tt.path, got, err, tt.want)
			}
			if err := Validate(tt.path); err != nil {
				t.Errorf("Validate(%q) = %v", tt.path, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("Split(%q) = %q, nil; want error containing %q", tt.path, got, tt.wantErr)
			continue
		}
		if !errors.Is(err, errs.ErrInvalidPath) {
			t.Errorf("Split(%q) error %v does not wrap ErrInvalidPath", tt.path, err)
		}
		if !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Split(%q) error %q does not contain %q", tt.path, err, tt.wantErr)
		}
		if tt.path != "" && !strings.Contains(err.Error(), quote(tt.path)) {
			t.Errorf("Split(%q) error %q does not name the path", tt.path, err)
		}
		if Validate(tt.path) == nil {
			t.Errorf("Validate(%q) = nil, Split rejected it", tt.path)
		}
	}
}

func TestLongPathErrorIsBounded(t *testing.T) {
	p := "/" + strings.Repeat("a/", 10000)
	err := Validate(p)
	if err == nil || len(err.Error()) > 2*quoteLimit+100 {
		t.Fatalf("Validate(long path) error %d bytes long: %.200v", len(err.Error()), err)
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"/a", "/a"},
		{"/a/", "/a"},
		{"/a/b/", "/a/b"},
	}
	for _, tt := range tests {
		if got, err := Clean(tt.in); err != nil || got != tt.want {
			t.Errorf("Clean(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "a", "/a//", "/a/../b"} {
		if got, err := Clean(bad); err == nil || got != "" {
			t.Errorf("Clean(%q) = %q, %v; want an error", bad, got, err)
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"a", "...", ".hidden", "a b", strings.Repeat("z", MaxNameLen), "ß"} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("ValidateName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", "/", "a\x00", "\xc3", strings.Repeat("z", MaxNameLen+1)} {
		err := ValidateName(bad)
		if !errors.Is(err, errs.ErrInvalidPath) {
			t.Errorf("ValidateName(%q) = %v; want ErrInvalidPath", bad, err)
		}
	}
}

func TestJoin(t *testing.T) {
	tests := []struct{ parent, name, want string }{
		{"/", "a", "/a"},
		{"/a", "b", "/a/b"},
		{"/a/", "b", "/a/b"},
		{"/a", "b/c", "/a/b/c"},
		{"/a", "", "/a"},
		{"/", "", "/"},
	}
	for _, tt := range tests {
		if got := Join(tt.parent, tt.name); got != tt.want {
			t.Errorf("Join(%q, %q) = %q; want %q", tt.parent, tt.name, got, tt.want)
		}
	}
}

func TestParentBase(t *testing.T) {
	tests := []struct{ path, parent, base string }{
		{"/", "", ""},
		{"/a", "/", "a"},
		{"/a/", "/", "a"},
		{"/a/b", "/a", "b"},
		{"/a/b/c/", "/a/b", "c"},
	}
	for _, tt := range tests {
		if got := Parent(tt.path); got != tt.parent {
			t.Errorf("Parent(%q) = %q; want %q", tt.path, got, tt.parent)
		}
		if got := Base(tt.path); got != tt.base {
			t.Errorf("Base(%q) = %q; want %q", tt.path, got, tt.base)
		}
	}
}

func TestRelAndIsAncestor(t *testing.T) {
	tests := []struct {
		ancestor, path string
		rel            string
		ok             bool
	}{
		{"/", "/", "", true},
		{"/", "/a", "a", true},
		{"/", "/a/b", "a/b", true},
		{"/a", "/a", "", true},
		{"/a/", "/a", "", true},
		{"/a", "/a/", "", true},
		{"/a", "/a/b", "b", true},
		{"/a", "/a/b/c", "b/c", true},
		{"/a/", "/a/b/c/", "b/c", true},
		{"/a", "/ab", "", false},
		{"/a/b", "/a", "", false},
		{"/a", "/", "", false},
		{"/a", "/b/a", "", false},
		{"/a/b", "/a/bc/d", "", false},
		{"", "/a", "", false},
		{"/a", "", "", false},
		{"/", "a", "", false},
	}
	for _, tt := range tests {
		rel, ok := Rel(tt.ancestor, tt.path)
		if rel != tt.rel || ok != tt.ok {
			t.Errorf("Rel(%q, %q) = %q, %v; want %q, %v", tt.ancestor, tt.path, rel, ok, tt.rel, tt.ok)
		}
		if got := IsAncestor(tt.ancestor, tt.path); got != tt.ok {
			t.Errorf("IsAncestor(%q, %q) = %v; want %v", tt.ancestor, tt.path, got, tt.ok)
		}
	}
}
