package proxy

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alluxio-go/alluxio/client"
)

// Tags of objects and buckets are one extended attribute of the file or
// the bucket's folder (xTags), so they are journaled with it, survive a
// failover and follow a rename; an empty value means no tags (that is how
// DeleteObjectTagging removes them without touching other attributes).

// S3's limits on tags.
const (
	maxObjectTags = 10
	maxBucketTags = 50
	maxTagKey     = 128 // Unicode characters
	maxTagValue   = 256
)

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type tagSet struct {
	Tags []tag `xml:"Tag"`
}

// tagging is the document of the ?tagging subresource, both ways.
type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	TagSet  *tagSet  `xml:"TagSet"`
}

func errInvalidTag(f string, a ...any) *s3Error { return newErr("InvalidTag", 400, f, a...) }

// tagChar says whether r may appear in a tag: S3 allows letters, numbers
// and spaces representable in UTF-8 and + - = . _ : / @.
func tagChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Z, r) || strings.ContainsRune("+-=._:/@", r)
}

// S3's messages for a tag set it refuses; the log has the tag.
const (
	msgBadTagKey   = "The TagKey you have provided is invalid"
	msgBadTagValue = "The TagValue you have provided is invalid"
	msgTagHeader   = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."
)

// checkTags applies S3's rules to a tag set of at most max tags.
func checkTags(tags []tag, max int) *s3Error {
	if len(tags) > max {
		if max == maxBucketTags {
			return newErr("BadRequest", 400, "Bucket tag count cannot be greater than %d", max)
		}
		return newErr("BadRequest", 400, "Object tags cannot be greater than %d", max)
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		n := utf8.RuneCountInString(t.Key)
		switch {
		case !utf8.ValidString(t.Key) || n == 0 || n > maxTagKey || strings.HasPrefix(t.Key, "aws:") ||
			strings.IndexFunc(t.Key, func(r rune) bool { return !tagChar(r) }) >= 0:
			// Keys are 1 to 128 characters, of letters, numbers, spaces
			// and + - = . _ : / @, and aws: is reserved.
			return errInvalidTag(msgBadTagKey).with("TagKey", t.Key)
		case !utf8.ValidString(t.Value) || utf8.RuneCountInString(t.Value) > maxTagValue ||
			strings.IndexFunc(t.Value, func(r rune) bool { return !tagChar(r) }) >= 0:
			return errInvalidTag(msgBadTagValue).with("TagKey", t.Key, "TagValue", t.Value)
		case seen[t.Key]:
			return errInvalidTag("Cannot provide multiple Tags with the same key").with("TagKey", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// parseTaggingHeader reads x-amz-tagging: tags as URL query parameters
// ("k1=v1&k2=v2"), checked by S3's rules for an object. Empty pairs are
// skipped, and a key without '=' has the empty value, as in S3.
func parseTaggingHeader(h string) ([]tag, *s3Error) {
	var tags []tag
	seen := map[string]bool{}
	for _, kv := range strings.Split(h, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || key == "" || seen[key] {
			return nil, errInvalidArgument(msgTagHeader).with("ArgumentName", "x-amz-tagging", "ArgumentValue", h)
		}
		seen[key] = true
		tags = append(tags, tag{Key: key, Value: val})
	}
	if e := checkTags(tags, maxObjectTags); e != nil {
		return nil, e
	}
	return tags, nil
}

// encodeTags is the stored form of a tag set.
func encodeTags(tags []tag) []byte {
	if len(tags) == 0 {
		return []byte{}
	}
	pairs := make([][2]string, len(tags))
	for i, t := range tags {
		pairs[i] = [2]string{t.Key, t.Value}
	}
	b, _ := json.Marshal(pairs)
	return b
}

// tagsOf is the tag set stored in a file's attributes (none when absent,
// emptied or unreadable).
func tagsOf(x map[string][]byte) []tag {
	var pairs [][2]string
	if v := x[xTags]; len(v) == 0 || json.Unmarshal(v, &pairs) != nil {
		return nil
	}
	tags := make([]tag, len(pairs))
	for i, p := range pairs {
		tags[i] = tag{Key: p[0], Value: p[1]}
	}
	return tags
}

// taggingFromRequest adds the tags of a write's x-amz-tagging header to
// meta.
func taggingFromRequest(r *http.Request, meta objectMeta) *s3Error {
	tags, e := parseTaggingHeader(r.Header.Get("X-Amz-Tagging"))
	if e != nil {
		return e
	}
	if len(tags) > 0 {
		meta[xTags] = encodeTags(tags)
	}
	return nil
}

// setTaggingCount says how many tags an object has, as GET and HEAD do.
func setTaggingCount(h http.Header, x map[string][]byte) {
	if n := len(tagsOf(x)); n > 0 {
		h.Set("X-Amz-Tagging-Count", strconv.Itoa(n))
	}
}

// readTagging reads and checks a ?tagging request body.
func readTagging(req *request, max int) ([]tag, *s3Error) {
	var doc tagging
	if e := readXML(req, &doc, false); e != nil {
		return nil, e
	}
	return checkTagging(&doc, max)
}

// parseTaggingXML reads and checks a Tagging document given in a form.
func parseTaggingXML(b []byte, max int) ([]tag, *s3Error) {
	var doc tagging
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, errMalformedXML("the Tagging document is not well-formed: %v", err)
	}
	return checkTagging(&doc, max)
}

// taggingHeader is tags as x-amz-tagging has them.
func taggingHeader(tags []tag) string {
	v := make([]string, len(tags))
	for i, t := range tags {
		v[i] = url.QueryEscape(t.Key) + "=" + url.QueryEscape(t.Value)
	}
	return strings.Join(v, "&")
}

func checkTagging(doc *tagging, max int) ([]tag, *s3Error) {
	if doc.TagSet == nil {
		return nil, errMalformedXML("the Tagging document has no TagSet")
	}
	if e := checkTags(doc.TagSet.Tags, max); e != nil {
		return nil, e
	}
	return doc.TagSet.Tags, nil
}

// setTags stores tags on the file or folder fi.
func (s *Server) setTags(req *request, fi *client.FileInfo, tags []tag, notFound *s3Error) *s3Error {
	return s.setAttr(req, fi, xTags, encodeTags(tags), notFound)
}

// setAttr sets one attribute of the file or folder fi without changing
// its modification time (tags and a bucket's CORS rules are no change of
// the object in S3: its Last-Modified and ETag stay).
func (s *Server) setAttr(req *request, fi *client.FileInfo, name string, value []byte, notFound *s3Error) *s3Error {
	mod := fi.Modified
	err := s.fs.SetAttribute(req.ctx, fi.Path, client.SetAttributeOptions{Xattr: map[string][]byte{name: value}, ModTime: &mod})
	if err != nil {
		return fromClient(err, notFound)
	}
	return nil
}

func writeTagging(req *request, tags []tag) {
	writeXML(req.w, tagging{NS: s3NS, TagSet: &tagSet{Tags: tags}})
}

// taggingMethod refuses a method ?tagging does not take.
func taggingMethod(req *request) *s3Error {
	switch req.r.Method {
	case http.MethodGet, http.MethodPut, http.MethodDelete:
		return nil
	}
	return errMethodNotAllowed("%s is not allowed on ?tagging", req.r.Method)
}

func (s *Server) objectTagging(req *request) *s3Error {
	if e := taggingMethod(req); e != nil {
		return e
	}
	fi, e := s.statVersion(req)
	if e != nil {
		return e
	}
	noKey := errNoSuchKey("the specified key does not exist")
	switch req.r.Method {
	case http.MethodGet:
		writeTagging(req, tagsOf(fi.Xattr))
		return nil
	case http.MethodPut:
		tags, e := readTagging(req, maxObjectTags)
		if e != nil {
			return e
		}
		if e := s.setTags(req, fi, tags, noKey); e != nil {
			return e
		}
		req.w.WriteHeader(http.StatusOK)
		return nil
	default:
		if e := s.setTags(req, fi, nil, noKey); e != nil {
			return e
		}
		req.w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (s *Server) bucketTagging(req *request) *s3Error {
	if e := taggingMethod(req); e != nil {
		return e
	}
	fi, e := s.statBucket(req, req.bucket)
	if e != nil {
		return e
	}
	noBucket := errNoSuchBucket("the bucket %s does not exist", req.bucket)
	switch req.r.Method {
	case http.MethodGet:
		tags := tagsOf(fi.Xattr)
		if len(tags) == 0 {
			return newErr("NoSuchTagSet", 404, "the TagSet does not exist")
		}
		writeTagging(req, tags)
		return nil
	case http.MethodPut:
		tags, e := readTagging(req, maxBucketTags)
		if e != nil {
			return e
		}
		if e := s.setTags(req, fi, tags, noBucket); e != nil {
			return e
		}
	default:
		if e := s.setTags(req, fi, nil, noBucket); e != nil {
			return e
		}
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}
