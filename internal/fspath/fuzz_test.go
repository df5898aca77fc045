package fspath

import (
	"errors"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// FuzzSplit checks that no input panics, that every rejection wraps
// ErrInvalidPath, and that for accepted paths the helpers agree with each
// other: joining the components rebuilds the clean path, and every
// component passes ValidateName on its own.
func FuzzSplit(f *testing.F) {
	for _, seed := range []string{
		"/", "/a", "/a/", "/a/b/c", "//", "/a//b", "/./a", "/a/..", "a/b", "",
		"/a\x00b", "/\xff", "/名前/файл", "/..." + strings.Repeat("x", 300),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		comps, err := Split(p)
		clean, cerr := Clean(p)
		if (err == nil) != (cerr == nil) || (err == nil) != (Validate(p) == nil) {
			t.Fatalf("Split, Clean and Validate disagree on %q: %v, %v", p, err, cerr)
		}
		if err != nil {
			if !errors.Is(err, errs.ErrInvalidPath) {
				t.Fatalf("Split(%q) error %v does not wrap ErrInvalidPath", p, err)
			}
			return
		}
		joined := Root
		for _, c := range comps {
			if err := ValidateName(c); err != nil {
				t.Fatalf("Split(%q) gave component %q that ValidateName rejects: %v", p, c, err)
			}
			joined = Join(joined, c)
		}
		if joined != clean {
			t.Fatalf("Join of Split(%q) = %q; Clean gave %q", p, joined, clean)
		}
		again, err := Split(clean)
		if err != nil || len(again) != len(comps) {
			t.Fatalf("Split(Clean(%q)) = %q, %v; want %q", p, again, err, comps)
		}
		if rel, ok := Rel(Root, clean); !ok || rel != strings.Join(comps, Separator) {
			t.Fatalf("Rel(/, %q) = %q, %v", clean, rel, ok)
		}
		if len(comps) == 0 {
			if Parent(clean) != "" || Base(clean) != "" {
				t.Fatalf("root %q has parent %q base %q", p, Parent(clean), Base(clean))
			}
			return
		}
		parent, base := Parent(clean), Base(clean)
		if base != comps[len(comps)-1] || Join(parent, base) != clean {
			t.Fatalf("Parent/Base(%q) = %q, %q", clean, parent, base)
		}
		if !IsAncestor(parent, clean) || IsAncestor(clean, parent) {
			t.Fatalf("IsAncestor wrong for %q under %q", clean, parent)
		}
	})
}
