package underfs

import (
	"strings"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// CleanPath checks a path given to an UnderFileSystem method and returns
// it in the one form implementations work with: "" for the root, otherwise
// components joined by "/" with no slash at either end ("a/b" for "/a/b/").
//
// The rules are those of namespace paths (package fspath), so that anything
// Alluxio can name the under storage can store: no empty, "." or ".."
// components, no NUL bytes, valid UTF-8, at most fspath.MaxNameLen bytes
// per component and fspath.MaxPathLen in all. Refusing ".." here, before
// any implementation sees the path, is what keeps a mount from reaching
// outside its root. Errors wrap errs.ErrInvalidPath and name p.
func CleanPath(p string) (string, error) {
	rel := strings.TrimPrefix(p, "/")
	if len(rel) > 1 {
		rel = strings.TrimSuffix(rel, "/")
	}
	switch {
	case p == "" || p == "/":
		return "", nil
	case len(rel)+1 > fspath.MaxPathLen:
		return "", errs.New(errs.ErrInvalidPath, "under storage path of %d bytes is longer than the %d allowed", len(p), fspath.MaxPathLen)
	}
	for name := range strings.SplitSeq(rel, "/") {
		if name == "" {
			return "", errs.New(errs.ErrInvalidPath, "under storage path %q has an empty component", p)
		}
		if err := fspath.ValidateName(name); err != nil {
			return "", errs.New(errs.ErrInvalidPath, "under storage path %q: %s", p, errs.Message(err))
		}
	}
	return rel, nil
}
