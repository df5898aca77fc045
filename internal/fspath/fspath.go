package fspath

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alluxio-go/alluxio/internal/errs"
)

const (
	// Root is the path of the namespace root.
	Root = "/"
	// Separator separates the components of a path.
	Separator = "/"
	// MaxNameLen is the longest component, in bytes. It matches NAME_MAX on
	// Linux so that every namespace name can be persisted to a local or
	// NFS under storage without being refused there.
	MaxNameLen = 255
	// MaxPathLen is the longest whole path, in bytes (PATH_MAX on Linux),
	// for the same reason.
	MaxPathLen = 4096
)

// quoteLimit bounds how much of an offending path an error message repeats:
// a rejected 100 KB path should not become a 100 KB log line.
const quoteLimit = 128

// Validate reports whether p is a valid namespace path. The error wraps
// errs.ErrInvalidPath and names p and what is wrong with it.
func Validate(p string) error {
	_, err := split(p, false)
	return err
}

// Split returns the components of p, after validating it like Validate.
// The root "/" has no components and yields an empty slice.
func Split(p string) ([]string, error) {
	return split(p, true)
}

// Clean validates p and returns it without its trailing slash, so that
// equal paths compare equal as strings.
func Clean(p string) (string, error) {
	if _, err := split(p, false); err != nil {
		return "", err
	}
	return trimSlash(p), nil
}

// ValidateName reports whether name can be one component of a path. The
// error wraps errs.ErrInvalidPath.
func ValidateName(name string) error {
	if name == "" {
		return errs.New(errs.ErrInvalidPath, "empty name")
	}
	if strings.Contains(name, Separator) {
		return errs.New(errs.ErrInvalidPath, "name %s contains %q", quote(name), Separator)
	}
	if reason := nameProblem(name); reason != "" {
		return errs.New(errs.ErrInvalidPath, "%s", reason)
	}
	if !utf8.ValidString(name) {
		return errs.New(errs.ErrInvalidPath, "name %s is not valid UTF-8", quote(name))
	}
	return nil
}

func split(p string, want bool) ([]string, error) {
	switch {
	case p == "":
		return nil, errs.New(errs.ErrInvalidPath, "empty path")
	case len(p) > MaxPathLen:
		return nil, invalid(p, fmt.Sprintf("is %d bytes long, more than the %d allowed", len(p), MaxPathLen))
	case p[0] != '/':
		return nil, invalid(p, `is not absolute (must start with "/")`)
	case !utf8.ValidString(p):
		return nil, invalid(p, "is not valid UTF-8")
	}
	rest := trimSlash(p)[1:]
	if rest == "" && p != Root {
		// "//" would be the root with a trailing slash, but it reads as an
		// empty component, and accepting it invites "///" next.
		return nil, invalid(p, `has an empty component ("//")`)
	}
	var comps []string
	if want {
		comps = make([]string, 0, strings.Count(rest, Separator)+1)
	}
	if rest == "" {
		return comps, nil
	}
	for name := range strings.SplitSeq(rest, Separator) {
		if name == "" {
			return nil, invalid(p, `has an empty component ("//")`)
		}
		if reason := nameProblem(name); reason != "" {
			return nil, invalid(p, reason)
		}
		if want {
			comps = append(comps, name)
		}
	}
	return comps, nil
}

// nameProblem describes what makes a non-empty, slash-free name invalid,
// or returns "" when it is fine. UTF-8 is checked by the callers because
// Split checks the whole path at once.
func nameProblem(name string) string {
	switch {
	case name == "." || name == "..":
		return fmt.Sprintf("name %q is not allowed", name)
	case len(name) > MaxNameLen:
		return fmt.Sprintf("name %s is %d bytes long, more than the %d allowed", quote(name), len(name), MaxNameLen)
	case strings.IndexByte(name, 0) >= 0:
		return fmt.Sprintf("name %s contains a NUL byte", quote(name))
	}
	return ""
}

func invalid(p, reason string) error {
	return errs.New(errs.ErrInvalidPath, "path %s %s", quote(p), reason)
}

func quote(s string) string {
	if len(s) <= quoteLimit {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q...", s[:quoteLimit])
}

// trimSlash drops the one trailing slash a path may carry; the root keeps
// its only slash.
func trimSlash(p string) string {
	if len(p) > 1 && p[len(p)-1] == '/' {
		return p[:len(p)-1]
	}
	return p
}

// The helpers below do not validate: they expect paths that Clean or
// Validate accepted (a trailing slash is still tolerated) and give
// meaningless but harmless answers for anything else.

// Join returns the path of the child name under parent. name may itself
// hold several components ("a/b"); an empty name returns parent unchanged.
func Join(parent, name string) string {
	if name == "" {
		return parent
	}
	return strings.TrimSuffix(parent, Separator) + Separator + name
}

// Parent returns the path of p's parent directory: "/" for "/a", and ""
// for the root, which has none.
func Parent(p string) string {
	p = trimSlash(p)
	i := strings.LastIndexByte(p, '/')
	switch {
	case p == Root || i < 0:
		return ""
	case i == 0:
		return Root
	}
	return p[:i]
}

// Base returns the last component of p, or "" for the root.
func Base(p string) string {
	p = trimSlash(p)
	return p[strings.LastIndexByte(p, '/')+1:]
}

// IsAncestor reports whether p is ancestor itself or lies below it. Components
// are compared whole: "/a" is an ancestor of "/a" and "/a/b" but not of
// "/ab".
func IsAncestor(ancestor, p string) bool {
	_, ok := Rel(ancestor, p)
	return ok
}

// Rel returns the part of p below ancestor ("b/c" for "/a" and "/a/b/c",
// "" when they are equal), and false when p is not ancestor or below it.
func Rel(ancestor, p string) (string, bool) {
	ancestor, p = trimSlash(ancestor), trimSlash(p)
	switch {
	case ancestor == "" || p == "":
		return "", false
	case ancestor == p:
		return "", true
	case ancestor == Root:
		if p[0] != '/' {
			return "", false
		}
		return p[1:], true
	case len(p) > len(ancestor) && p[len(ancestor)] == '/' && strings.HasPrefix(p, ancestor):
		return p[len(ancestor)+1:], true
	}
	return "", false
}
