package underfs

import (
	"path"
	"strings"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// Canonical is an under storage URI in its one spelling, so that two
// mounts of the same place compare equal however they were written:
// "/data/x", "file:///data/x/", "file://localhost/data//x" and
// "/data/y/../x" are all file:///data/x.
type Canonical struct {
	// Scheme is lower case; "file" for local paths, and s3a is s3 (the
	// same store under Hadoop's name).
	Scheme string
	// Authority is the host (and port) or bucket, lower case; "" for
	// local paths.
	Authority string
	// Path is absolute and clean: no empty, "." or ".." components and no
	// trailing slash ("/" for the root of the store).
	Path string
}

// sameStore maps schemes that name one store under several names.
var sameStore = map[string]string{"s3a": "s3", "s3n": "s3"}

// CanonicalURI returns uri's canonical form. A local path must be
// absolute; a local URI may name no host but localhost. Other schemes need
// an authority ("s3://bucket/prefix", "hdfs://nn:8020/x"). Errors wrap
// errs.ErrInvalidArg and name uri.
func CanonicalURI(uri string) (Canonical, error) {
	if strings.IndexByte(uri, 0) >= 0 {
		return Canonical{}, errs.New(errs.ErrInvalidArg, "under storage URI %q contains a NUL byte", uri)
	}
	scheme := Scheme(uri)
	rest := uri
	if scheme != "" {
		rest = uri[len(scheme)+1:]
	}
	if s, ok := sameStore[scheme]; ok {
		scheme = s
	}
	var authority string
	if scheme == "" || scheme == LocalScheme {
		scheme = LocalScheme
		if r, ok := strings.CutPrefix(rest, "//"); ok && uri != rest {
			// file://host/path: only this machine's files.
			host, p, _ := strings.Cut(r, "/")
			if host != "" && !strings.EqualFold(host, "localhost") {
				return Canonical{}, errs.New(errs.ErrInvalidArg, "local under storage URI %q names host %q; only this machine's files can be mounted", uri, host)
			}
			rest = "/" + p
		}
		if !strings.HasPrefix(rest, "/") {
			return Canonical{}, errs.New(errs.ErrInvalidArg, "local under storage path %q is not absolute", uri)
		}
	} else {
		r, ok := strings.CutPrefix(rest, "//")
		if !ok {
			return Canonical{}, errs.New(errs.ErrInvalidArg, "under storage URI %q has no authority (want %s://host-or-bucket/path)", uri, scheme)
		}
		authority, rest, _ = strings.Cut(r, "/")
		if authority == "" {
			return Canonical{}, errs.New(errs.ErrInvalidArg, "under storage URI %q names no host or bucket", uri)
		}
		authority = strings.ToLower(authority)
		rest = "/" + rest
	}
	return Canonical{Scheme: scheme, Authority: authority, Path: path.Clean(rest)}, nil
}

// String is the canonical URI: "file:///data/x", "s3://bucket/prefix".
func (c Canonical) String() string {
	return c.Scheme + "://" + c.Authority + c.Path
}

// Contains reports whether o is c or lies below it in the same store:
// same scheme and authority, and c's path is o's or one of its ancestors
// ("/a" contains "/a/b" but not "/ab").
func (c Canonical) Contains(o Canonical) bool {
	if c.Scheme != o.Scheme || c.Authority != o.Authority {
		return false
	}
	return c.Path == "/" || o.Path == c.Path || strings.HasPrefix(o.Path, c.Path+"/")
}

// Overlaps reports whether one of c and o contains the other: mounting
// both would show the same objects twice, under two Alluxio paths.
func (c Canonical) Overlaps(o Canonical) bool { return c.Contains(o) || o.Contains(c) }
