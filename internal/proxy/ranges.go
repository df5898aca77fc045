package proxy

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// byteRange is an inclusive range of an object's bytes.
type byteRange struct{ start, end int64 }

// parseRange reads a Range header for an object of size bytes. ok is false
// when the header is absent or not one byte range S3 understands (S3, like
// HTTP, then serves the whole object); a syntactically good range that
// lies past the end is InvalidRange.
func parseRange(h string, size int64) (r byteRange, ok bool, e *s3Error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return r, false, nil
	}
	// No blanks inside: S3 serves the whole object for "bytes= -1".
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return r, false, nil
	}
	num := func(s string) (int64, bool) {
		if s == "" || len(s) > 19 || strings.Trim(s, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	switch {
	case first == "":
		n, good := num(last)
		if !good {
			return r, false, nil
		}
		if n == 0 {
			return r, false, errInvalidRange("the requested range bytes=-0 is not satisfiable")
		}
		if size == 0 {
			// The last n bytes of nothing: S3 answers the empty object.
			return r, false, nil
		}
		return byteRange{max(size-n, 0), size - 1}, true, nil
	default:
		a, good := num(first)
		if !good {
			return r, false, nil
		}
		b := size - 1
		if last != "" {
			if b, good = num(last); !good || b < a {
				return r, false, nil
			}
		}
		if a >= size {
			return r, false, errInvalidRange("the requested range starts at %d, past the object's %d bytes", a, size)
		}
		return byteRange{a, min(b, size-1)}, true, nil
	}
}

// preconditions evaluates If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since (RFC 9110 order, as S3 does) for an object with etag
// and modification time; it returns 0 when the request proceeds, else the
// status to answer (304 or 412).
func preconditions(h http.Header, etag string, mod time.Time) int {
	mod = mod.Truncate(time.Second)
	im, ius := h.Get("If-Match"), h.Get("If-Unmodified-Since")
	if im != "" {
		if !etagMatches(im, etag) {
			return http.StatusPreconditionFailed
		}
	} else if t, err := http.ParseTime(ius); ius != "" && err == nil && mod.After(t) {
		return http.StatusPreconditionFailed
	}
	inm, ims := h.Get("If-None-Match"), h.Get("If-Modified-Since")
	if inm != "" {
		if etagMatches(inm, etag) {
			return http.StatusNotModified
		}
	} else if t, err := http.ParseTime(ims); ims != "" && err == nil && !mod.After(t) {
		return http.StatusNotModified
	}
	return 0
}

// etagMatches says whether a list of ETags (or "*") names etag.
func etagMatches(list, etag string) bool {
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || unquote(v) == etag {
			return true
		}
	}
	return false
}
