package proxy

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Cross-origin resource sharing: a bucket's CORS configuration
// (Put/Get/DeleteBucketCors, kept as the attribute s3.cors of its
// directory) says which web pages of other origins may call the API from
// a browser. The proxy answers browsers' preflight requests (OPTIONS)
// with it, and adds the Access-Control-* headers to the answers of
// requests that carry an Origin, as S3 does.

const xCORS = "s3.cors"

// Limits of S3's CORS configurations.
const (
	maxCORSRules  = 100
	maxCORSConfig = 64 << 10
)

type corsConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	NS      string     `xml:"xmlns,attr,omitempty"`
	Rules   []corsRule `xml:"CORSRule"`
}

type corsRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedHeaders []string `xml:"AllowedHeader,omitempty"`
	ExposeHeaders  []string `xml:"ExposeHeader,omitempty"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds,omitempty"`
}

var corsMethods = []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodHead}

// check holds a configuration to S3's rules.
func (c *corsConfiguration) check() *s3Error {
	if len(c.Rules) == 0 {
		return errMalformedXML("the CORS configuration has no CORSRule")
	}
	if len(c.Rules) > maxCORSRules {
		return errInvalidRequest("a CORS configuration holds at most %d rules, not %d", maxCORSRules, len(c.Rules))
	}
	for _, r := range c.Rules {
		if len(r.AllowedOrigins) == 0 || len(r.AllowedMethods) == 0 {
			return errMalformedXML("a CORSRule needs an AllowedOrigin and an AllowedMethod")
		}
		for _, m := range r.AllowedMethods {
			if !slices.Contains(corsMethods, m) {
				return errInvalidRequest("Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return errInvalidRequest("AllowedOrigin %q can not have more than one wildcard.", o)
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return errInvalidRequest("AllowedHeader %q can not have more than one wildcard", h)
			}
			if !validHeaderName(strings.ReplaceAll(h, "*", "x")) {
				return errInvalidCORSHeader(h)
			}
		}
		for _, h := range r.ExposeHeaders {
			if !validHeaderName(h) {
				return errInvalidCORSHeader(h)
			}
		}
	}
	return nil
}

// errInvalidCORSHeader is S3's answer to a header name that is not one in
// a rule, allowed or exposed: S3 says AllowedHeader for both, and quotes
// the name as it came.
func errInvalidCORSHeader(h string) *s3Error {
	return errInvalidRequest(`AllowedHeader "%s" contains invalid character.`, h)
}

// wildcard matches s against a pattern with at most one '*', which
// stands for any run of characters; case-insensitively when fold.
func wildcard(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	before, after, star := strings.Cut(pattern, "*")
	if !star {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}

// match is the first rule that lets origin call method with headers.
func (c *corsConfiguration) match(origin, method string, headers []string) *corsRule {
rules:
	for i := range c.Rules {
		r := &c.Rules[i]
		if !slices.Contains(r.AllowedMethods, method) ||
			!slices.ContainsFunc(r.AllowedOrigins, func(o string) bool { return wildcard(o, origin, false) }) {
			continue
		}
		for _, h := range headers {
			if !slices.ContainsFunc(r.AllowedHeaders, func(a string) bool { return wildcard(a, h, true) }) {
				continue rules
			}
		}
		return r
	}
	return nil
}

// allowOrigin sets the headers that let origin read an answer under r.
func (r *corsRule) allowOrigin(h http.Header, origin string) {
	if slices.Contains(r.AllowedOrigins, "*") {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	if len(r.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	if r.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(*r.MaxAgeSeconds))
	}
	h.Add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

// corsOf is the configuration kept in a bucket's attributes, nil when it
// has none (or it cannot be read, which counts as none).
func corsOf(xattr map[string][]byte) *corsConfiguration {
	b := xattr[xCORS]
	if len(b) == 0 {
		return nil
	}
	var c corsConfiguration
	if xml.Unmarshal(b, &c) != nil {
		return nil
	}
	return &c
}

// bucketCORS serves ?cors on a bucket.
func (s *Server) bucketCORS(req *request) *s3Error {
	switch req.r.Method {
	case http.MethodGet, http.MethodPut, http.MethodDelete:
	default:
		return errMethodNotAllowed("%s is not allowed on ?cors", req.r.Method)
	}
	fi, e := s.statBucket(req, req.bucket)
	if e != nil {
		return e
	}
	switch req.r.Method {
	case http.MethodGet:
		c := corsOf(fi.Xattr)
		if c == nil {
			return newErr("NoSuchCORSConfiguration", 404, "the CORS configuration does not exist")
		}
		c.NS = s3NS
		writeXML(req.w, c)
		return nil
	case http.MethodPut:
		var c corsConfiguration
		if e := readXML(req, &c, false); e != nil {
			return e
		}
		if e := c.check(); e != nil {
			return e
		}
		var b bytes.Buffer
		if err := xml.NewEncoder(&b).Encode(c); err != nil || b.Len() > maxCORSConfig {
			return errInvalidRequest("the CORS configuration is larger than %d bytes", maxCORSConfig)
		}
		if e := s.setAttr(req, fi, xCORS, b.Bytes(), errNoSuchBucket("the bucket %s does not exist", req.bucket)); e != nil {
			return e
		}
		req.w.WriteHeader(http.StatusOK)
		return nil
	default:
		if e := s.setAttr(req, fi, xCORS, nil, errNoSuchBucket("the bucket %s does not exist", req.bucket)); e != nil {
			return e
		}
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}

// preflight answers a browser's OPTIONS request, which carries no
// signature: the bucket's configuration is read as the proxy's own user.
func (s *Server) preflight(req *request) *s3Error {
	h := req.r.Header
	origin, method := h.Get("Origin"), h.Get("Access-Control-Request-Method")
	if origin == "" {
		return newErr("BadRequest", 400, "Insufficient information. Origin request header needed.")
	}
	if !slices.Contains(corsMethods, method) {
		return newErr("BadRequest", 400, "Invalid Access-Control-Request-Method: %s", method)
	}
	// A malformed request is refused before the bucket is looked at.
	var headers []string
	for _, v := range h.Values("Access-Control-Request-Headers") {
		for _, raw := range strings.Split(v, ",") {
			name := strings.ToLower(strings.Trim(raw, " \t"))
			if name == "" {
				continue
			}
			if !validHeaderName(name) {
				// S3 quotes the name as it came, blanks included.
				return newErr("BadRequest", 400, `Access-Control-Request-Headers "%s" contains invalid character.`, raw)
			}
			headers = append(headers, name)
		}
	}
	req.ctx = req.r.Context()
	fi, e := s.statBucket(req, req.bucket)
	if e != nil {
		return e
	}
	c := corsOf(fi.Xattr)
	if c == nil {
		return errCORSForbidden("CORSResponse: CORS is not enabled for this bucket.")
	}
	r := c.match(origin, method, headers)
	if r == nil {
		return errCORSForbidden("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
	}
	out := req.w.Header()
	r.allowOrigin(out, origin)
	if len(headers) > 0 {
		out.Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// errCORSForbidden is S3's refusal of a preflight request.
func errCORSForbidden(msg string) *s3Error { return newErr("AccessForbidden", 403, "%s", msg) }

// validHeaderName reports whether name is an HTTP field name (RFC 9110
// token characters).
func validHeaderName(name string) bool {
	return name != "" && strings.IndexFunc(name, func(c rune) bool {
		return c > '~' || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c)
	}) < 0
}

// corsHeaders adds the Access-Control-* headers to the answer of a
// request from a browser page (one with an Origin) when its bucket's
// configuration allows that origin and method.
func (s *Server) corsHeaders(req *request) {
	origin := req.r.Header.Get("Origin")
	if origin == "" || req.bucket == "" {
		return
	}
	fi, e := s.statBucket(req, req.bucket)
	if e != nil {
		return
	}
	if c := corsOf(fi.Xattr); c != nil {
		if r := c.match(origin, req.r.Method, nil); r != nil {
			r.allowOrigin(req.w.Header(), origin)
		}
	}
}
