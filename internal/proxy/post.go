package proxy

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/minio/minio-go/v7/pkg/signer"

	"github.com/alluxio-go/alluxio/client"
)

// POST Object: an upload from an HTML form (multipart/form-data), what a
// browser sends with a presigned POST (boto3's generate_presigned_post,
// the SDKs' presigned POST policies). The form's fields stand for a
// PutObject's headers; the policy, a base64 JSON document signed with the
// access key's secret, bounds what the form may ask. The object is then
// written as PutObject writes one.

// maxFormFields bounds the form's fields before the file, as AWS bounds
// the whole form before it to 20 KB.
const maxFormFields = 20 << 10

func errMalformedPOST(f string, a ...any) *s3Error {
	return newErr("MalformedPOSTRequest", 400, f, a...)
}

// errPolicyDocument is a POST policy that is no policy document.
func errPolicyDocument(f string, a ...any) *s3Error {
	return newErr("InvalidPolicyDocument", 400, f, a...)
}

func errPolicy(f string, a ...any) *s3Error {
	return errAccessDenied("Invalid according to Policy: "+f, a...)
}

// isPostObject says whether r is a POST Object: a POST to a bucket with
// a multipart form and no subresource.
func isPostObject(r *http.Request, key string, q url.Values) bool {
	if r.Method != http.MethodPost || key != "" || len(q) > 0 {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// postForm is a form read up to its file.
type postForm struct {
	fields   map[string]string // by lower-case name
	names    map[string]string // lower-case name -> as sent
	file     io.Reader
	filename string
}

func readPostForm(r *http.Request) (*postForm, *s3Error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errMalformedPOST("the body is not a multipart/form-data form: %v", err)
	}
	f := &postForm{fields: map[string]string{}, names: map[string]string{}}
	size := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, errInvalidArgument("POST requires exactly one file upload per request (a field named file, last)")
		}
		if err != nil {
			return nil, errMalformedPOST("the form cannot be read: %v", err)
		}
		name := part.FormName()
		if strings.EqualFold(name, "file") {
			f.file, f.filename = part, part.FileName()
			return f, nil
		}
		v, err := io.ReadAll(io.LimitReader(part, int64(maxFormFields-size+1)))
		if err != nil {
			return nil, errMalformedPOST("the form cannot be read: %v", err)
		}
		size += len(name) + len(v)
		if size > maxFormFields {
			return nil, errMalformedPOST("the form's fields before the file exceed %d bytes", maxFormFields)
		}
		lower := strings.ToLower(name)
		if _, dup := f.fields[lower]; dup {
			return nil, errInvalidArgument("the form repeats the field %s", name)
		}
		f.fields[lower], f.names[lower] = string(v), name
	}
}

// authenticatePost finds who sent the form from its signature fields
// (version 4 or 2) and, with credentials configured, checks that the
// policy is signed with the access key's secret. A form with neither acts
// as an unsigned request.
func (a *authenticator) authenticatePost(f *postForm) (*identity, *s3Error) {
	fv := f.fields
	policy := fv["policy"]
	_, hasSig := fv["x-amz-signature"]
	_, hasAlg := fv["x-amz-algorithm"]
	_, hasCred := fv["x-amz-credential"]
	_, hasDate := fv["x-amz-date"]
	switch {
	case hasSig || hasAlg || hasCred || hasDate:
		if e := requireFields(fv, "policy", "x-amz-signature", "x-amz-credential", "x-amz-date", "x-amz-algorithm"); e != nil {
			return nil, e
		}
		if alg := fv["x-amz-algorithm"]; alg != sigV4Algorithm {
			return nil, errBadArgument("X-Amz-Algorithm", alg, "Only %s is supported", sigV4Algorithm)
		}
		s := &sigV4{}
		cred := fv["x-amz-credential"]
		badCred := func(f string, a ...any) *s3Error { return errBadArgument("x-amz-credential", cred, f, a...) }
		if e := s.parseCredential(cred, badCred); e != nil {
			return nil, e
		}
		when, err := time.Parse(amzDateFormat, fv["x-amz-date"])
		if err != nil {
			return nil, errBadArgument("X-Amz-Date", fv["x-amz-date"], "X-Amz-Date must be formated via ISO8601 Long format")
		}
		if a.creds == nil {
			return &identity{user: s.accessKey}, nil
		}
		secret, ok := a.creds[s.accessKey]
		if !ok {
			return nil, errUnknownAccessKey(s.accessKey)
		}
		if when.Format("20060102") != s.scopeDate || !signs(signer.PostPresignSignatureV4(policy, when, secret, s.region), fv["x-amz-signature"]) {
			return nil, errPolicyMismatch(s.accessKey, policy, fv["x-amz-signature"])
		}
		return &identity{user: s.accessKey, verified: true}, nil
	case fv["signature"] != "" || fv["awsaccesskeyid"] != "":
		if e := requireFields(fv, "AWSAccessKeyId", "policy", "signature"); e != nil {
			return nil, e
		}
		ak := fv["awsaccesskeyid"]
		if a.creds == nil {
			return &identity{user: ak}, nil
		}
		secret, ok := a.creds[ak]
		if !ok {
			return nil, errUnknownAccessKey(ak)
		}
		if !signs(signer.PostPresignSignatureV2(policy, secret), fv["signature"]) {
			return nil, errPolicyMismatch(ak, policy, fv["signature"])
		}
		return &identity{user: ak, verified: true}, nil
	default:
		if a.creds != nil {
			return nil, errAccessDenied("anonymous requests are refused: sign the form's policy with an access key")
		}
		return &identity{}, nil
	}
}

// requireFields refuses a form without a value for each of names (in
// that order), in S3's words.
func requireFields(fields map[string]string, names ...string) *s3Error {
	for _, n := range names {
		if fields[strings.ToLower(n)] == "" {
			return errBadArgument(n, "", "Bucket POST must contain a field named '%s'.  If it is specified, please check the order of the fields.", n)
		}
	}
	return nil
}

// errPolicyMismatch is a form whose signature is not its policy's: what
// a form signs is its policy, which S3 shows as the string to sign.
func errPolicyMismatch(accessKey, policy, sig string) *s3Error {
	return errSignatureMismatch("the policy's signature does not match").with("AWSAccessKeyId", accessKey,
		"StringToSign", policy, "SignatureProvided", sig, "StringToSignBytes", hexBytes(policy))
}

// postObject serves a POST Object.
func (s *Server) postObject(req *request) *s3Error {
	f, e := readPostForm(req.r)
	if e != nil {
		return e
	}
	who, e := s.auth.authenticatePost(f)
	if e != nil {
		return e
	}
	req.who, req.ctx = who, req.r.Context()
	if who.user != "" {
		req.ctx = client.WithUser(req.ctx, who.user)
	}
	key := f.fields["key"]
	if key == "" {
		return errInvalidArgument("a POST to a bucket needs a field named key")
	}
	key = strings.ReplaceAll(key, "${filename}", f.filename)
	minLen, maxLen := int64(0), int64(maxPutSize)
	if pol := f.fields["policy"]; pol != "" {
		p, e := parsePostPolicy(pol)
		if e != nil {
			return e
		}
		if e := p.check(f, req.bucket, s.auth.now()); e != nil {
			return e
		}
		if p.lengthSet {
			minLen, maxLen = p.minLen, min(p.maxLen, maxPutSize)
		}
	}
	// The form's fields become the headers of a PutObject of the file.
	h := http.Header{}
	for lower, v := range f.fields {
		switch {
		case lower == "acl":
			h.Set("X-Amz-Acl", v)
		case lower == "tagging":
			// A Tagging document, where a PUT has the header.
			tags, e := parseTaggingXML([]byte(v), maxObjectTags)
			if e != nil {
				return e
			}
			h.Set("X-Amz-Tagging", taggingHeader(tags))
		case lower == "content-type" || slices.ContainsFunc(storedHeaders, func(h string) bool { return strings.EqualFold(h, lower) }) ||
			strings.HasPrefix(lower, "x-amz-meta-") || lower == "x-amz-storage-class" ||
			strings.HasPrefix(lower, "x-amz-server-side-encryption") || lower == "x-amz-tagging" ||
			strings.HasPrefix(lower, "x-amz-checksum-"):
			h.Set(f.names[lower], v)
		}
	}
	put := req.r.Clone(req.ctx)
	put.Method, put.Header, put.ContentLength = http.MethodPut, h, -1
	put.Body = io.NopCloser(&lengthRange{r: f.file, min: minLen, max: maxLen})
	req.r, req.key = put, key
	etag, sum, _, e := s.storeObject(req)
	if e != nil {
		return e
	}
	setChecksumHeaders(req.w.Header(), sum.sum())
	return postAnswer(req, f, key, etag)
}

// postAnswer is what a form's success_action_redirect or
// success_action_status ask for: a redirect, 200, 201 with a document,
// or 204 (the default).
func postAnswer(req *request, f *postForm, key, etag string) *s3Error {
	w := req.w
	w.Header().Set("ETag", quote(etag))
	location := objectURL(req.r, req.bucket, key)
	w.Header().Set("Location", location)
	if to := f.fields["success_action_redirect"]; to != "" {
		if u, err := url.Parse(to); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			q := u.Query()
			q.Set("bucket", req.bucket)
			q.Set("key", key)
			q.Set("etag", quote(etag))
			u.RawQuery = q.Encode()
			w.Header().Set("Location", u.String())
			w.WriteHeader(http.StatusSeeOther)
			return nil
		}
	}
	switch f.fields["success_action_status"] {
	case "200":
		w.WriteHeader(http.StatusOK)
	case "201":
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusCreated)
		writeXMLBody(w, postResponse{NS: s3NS, Location: location, Bucket: req.bucket, Key: key, ETag: quote(etag)})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	NS       string   `xml:"xmlns,attr"`
	Location string
	Bucket   string
	Key      string
	ETag     string
}

// lengthRange passes r on, refusing a file longer than max or shorter
// than min (the policy's content-length-range) before the upload
// completes, so that nothing is kept.
type lengthRange struct {
	r        io.Reader
	n        int64
	min, max int64
}

func (l *lengthRange) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		// S3 tells the file's size: the rest of it is counted, up to a
		// bound past which it is not worth reading.
		rest, err := io.Copy(io.Discard, io.LimitReader(l.r, maxSizeProbe))
		if err != nil || rest == maxSizeProbe {
			return 0, errTooLarge(-1, l.max)
		}
		return 0, errTooLarge(l.n+rest, l.max)
	}
	if errors.Is(err, io.EOF) && l.n < l.min {
		return n, errTooSmall(l.n, l.min)
	}
	return n, err
}

// maxSizeProbe bounds how much of a file over its policy's length range
// is read to tell its size.
const maxSizeProbe = 16 << 20

// The policy of a form: its expiry and its conditions.
type postPolicy struct {
	expires    time.Time
	conditions []postCondition
	lengthSet  bool
	minLen     int64
	maxLen     int64
}

type postCondition struct {
	op    string // "eq" or "starts-with"
	field string // lower case, without the $
	value string
}

func parsePostPolicy(b64 string) (*postPolicy, *s3Error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errPolicyDocument("Invalid Policy: Invalid 'Base64' encoding.")
	}
	// S3 holds the document to its two fields, both required.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, errPolicyDocument("Invalid Policy: Invalid JSON.")
	}
	var doc struct {
		Expiration string
		Conditions []any
	}
	for k, v := range fields {
		switch k {
		case "expiration":
			if json.Unmarshal(v, &doc.Expiration) != nil {
				return nil, errPolicyDocument("Invalid Policy: Invalid JSON.")
			}
		case "conditions":
			if json.Unmarshal(v, &doc.Conditions) != nil || doc.Conditions == nil {
				return nil, errPolicyDocument("Invalid Policy: Invalid 'conditions' value.")
			}
		default:
			return nil, errPolicyDocument("Invalid Policy: Unexpected field %s.", k)
		}
	}
	if _, ok := fields["expiration"]; !ok {
		return nil, errPolicyDocument("Invalid Policy: Policy missing expiration.")
	}
	if _, ok := fields["conditions"]; !ok {
		return nil, errPolicyDocument("Invalid Policy: Policy missing conditions.")
	}
	p := &postPolicy{}
	if p.expires, err = time.Parse(time.RFC3339Nano, doc.Expiration); err != nil {
		return nil, errPolicyDocument("Invalid Policy: Invalid 'expiration' value: '%s'", doc.Expiration)
	}
	for _, c := range doc.Conditions {
		switch c := c.(type) {
		case map[string]any:
			for k, v := range c {
				sv, ok := v.(string)
				if !ok {
					return nil, errPolicyDocument("the policy condition on %s is not a string", k)
				}
				p.conditions = append(p.conditions, postCondition{op: "eq", field: strings.ToLower(k), value: sv})
			}
		case []any:
			if len(c) != 3 {
				return nil, errPolicyDocument("a policy condition array holds 3 items, not %d", len(c))
			}
			op, _ := c[0].(string)
			if strings.EqualFold(op, "content-length-range") {
				lo, ok1 := c[1].(float64)
				hi, ok2 := c[2].(float64)
				if !ok1 || !ok2 || lo < 0 || hi < lo {
					return nil, errPolicyDocument("content-length-range needs two sizes, the smaller first")
				}
				p.lengthSet, p.minLen, p.maxLen = true, int64(lo), int64(hi)
				continue
			}
			field, _ := c[1].(string)
			value, ok := c[2].(string)
			op = strings.ToLower(op)
			if (op != "eq" && op != "starts-with") || !strings.HasPrefix(field, "$") || !ok {
				return nil, errPolicyDocument("the policy condition %v is not [eq|starts-with, $field, value]", c)
			}
			p.conditions = append(p.conditions, postCondition{op: op, field: strings.ToLower(field[1:]), value: value})
		default:
			return nil, errPolicyDocument("a policy condition is neither an object nor an array")
		}
	}
	return p, nil
}

// notCovered are the fields a policy need not name.
func notCovered(lower string) bool {
	return lower == "policy" || lower == "x-amz-signature" || lower == "signature" || lower == "awsaccesskeyid" ||
		lower == "file" || strings.HasPrefix(lower, "x-ignore-")
}

// check holds the form to the policy: not expired, every condition met
// (bucket and key included), and no field the conditions leave out.
func (p *postPolicy) check(f *postForm, bucket string, now time.Time) *s3Error {
	if now.After(p.expires) {
		return errPolicy("Policy expired.")
	}
	covered := map[string]bool{}
	for _, c := range p.conditions {
		covered[c.field] = true
		got, present := f.fields[c.field]
		if c.field == "bucket" {
			got, present = bucket, true
		}
		switch {
		case c.op == "eq" && (!present || got != c.value):
			return errPolicy("Policy Condition failed: [\"eq\", \"$%s\", %q]", c.field, c.value)
		case c.op == "starts-with" && (!present || !strings.HasPrefix(got, c.value)):
			return errPolicy("Policy Condition failed: [\"starts-with\", \"$%s\", %q]", c.field, c.value)
		}
	}
	for lower := range f.fields {
		if !notCovered(lower) && !covered[lower] {
			return errPolicy("Extra input fields: %s", f.names[lower])
		}
	}
	return nil
}
