package proxy

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

// A multipart upload is a folder uploads/<upload id> in its bucket's
// hidden folder, holding the key and the object's attributes as extended
// attributes, and one file per part (part-00001, ...) with its ETag.
// CompleteMultipartUpload copies the parts, in order, into the object.

const (
	maxParts   = 10000
	partPrefix = "part-"
)

func uploadDir(bucket, id string) string {
	return "/" + bucket + "/" + metaDir + "/" + uploadsDir + "/" + id
}

func partName(n int) string { return fmt.Sprintf("%s%05d", partPrefix, n) }

// partNumberOf parses a part file's name; 0 for other files.
func partNumberOf(name string) int {
	v, ok := strings.CutPrefix(name, partPrefix)
	if !ok || len(v) != 5 {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxParts {
		return 0
	}
	return n
}

// validUploadID says whether id is one this proxy could have made, so that
// it is safe as a path component.
func validUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	NS       string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (s *Server) createUpload(req *request) *s3Error {
	_, dir, e := objectPath(req.bucket, req.key)
	if e != nil {
		return e
	}
	if dir {
		return errNotImplemented("multipart uploads of folder objects (keys ending in '/') are not implemented")
	}
	meta, e := s.writeMeta(req)
	if e != nil {
		return e
	}
	sum, e := uploadChecksumFromRequest(req.r.Header)
	if e != nil {
		return e
	}
	if _, e := s.statBucket(req, req.bucket); e != nil {
		return e
	}
	id := randomName()
	d := uploadDir(req.bucket, id)
	info, err := s.fs.CreateDirectory(req.ctx, d, client.CreateDirectoryOptions{Recursive: true, WriteType: s.cfg.WriteType})
	if err != nil {
		return fromClient(err, nil)
	}
	x := map[string][]byte(meta)
	x[xUploadKey] = []byte(req.key)
	if sum.alg != nil {
		x[xUploadChecksum] = sum.encode()
	}
	if err := s.fs.SetAttribute(req.ctx, d, client.SetAttributeOptions{Xattr: x}); err != nil {
		s.drop(req.ctx, d, info.ID)
		return fromClient(err, nil)
	}
	sum.setHeaders(req.w.Header())
	writeXML(req.w, initiateResult{NS: s3NS, Bucket: req.bucket, Key: req.key, UploadID: id})
	return nil
}

// statUpload finds the upload the request names, for its key.
func (s *Server) statUpload(req *request) (*client.FileInfo, *s3Error) {
	id := req.q.Get("uploadId")
	noUpload := errNoSuchUpload("the specified multipart upload does not exist; it may have been aborted or completed")
	if _, _, e := objectPath(req.bucket, req.key); e != nil {
		return nil, e
	}
	if !validUploadID(id) {
		if _, e := s.statBucket(req, req.bucket); e != nil {
			return nil, e
		}
		return nil, noUpload
	}
	fi, err := s.fs.GetStatus(req.ctx, uploadDir(req.bucket, id), client.StatusOptions{})
	if errors.Is(err, client.ErrNotFound) {
		if _, e := s.statBucket(req, req.bucket); e != nil {
			return nil, e
		}
	}
	if err != nil {
		return nil, fromClient(err, noUpload)
	}
	if !fi.IsDir || string(fi.Xattr[xUploadKey]) != req.key {
		return nil, noUpload
	}
	return fi, nil
}

func partNumber(req *request) (int, *s3Error) {
	v := req.q.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxParts {
		return 0, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive.").with("ArgumentName", "partNumber", "ArgumentValue", v)
	}
	return n, nil
}

func (s *Server) uploadPart(req *request) *s3Error {
	n, e := partNumber(req)
	if e != nil {
		return e
	}
	if e := checkCustomerKeyHeaders(req.r.Header); e != nil {
		return e
	}
	up, e := s.statUpload(req)
	if e != nil {
		return e
	}
	if _, e := requestChecksum(req.r.Header); e != nil {
		return e
	}
	pl, e := newPayload(req.r, req.who, maxPutSize)
	if e != nil {
		return e
	}
	sum, e := uploadChecksumOf(up).partChecksum(req.r.Header, pl)
	if e != nil {
		return e
	}
	src := sum.wrap(pl.source())
	src.attrs = sum.attrs
	fi, e := s.writePart(req.ctx, up.Path, src, pl.etag)
	if e != nil {
		return e
	}
	if e := s.placePart(req.ctx, fi, up.Path, n); e != nil {
		return e
	}
	h := req.w.Header()
	h.Set("ETag", quote(etagOf(fi)))
	if len(pl.checksums) > 0 && sum.declared == nil {
		// An upload without an algorithm stores the default, but the
		// answer confirms the checksum the client sent.
		c := pl.checksums[0]
		h.Set(c.header(), c.value())
	} else {
		h.Set(sum.alg.header(), sum.value())
	}
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// writePart writes a part under a temporary name in the upload's folder,
// so an abort removes it with the rest.
func (s *Server) writePart(ctx context.Context, updir string, body source, etag func() string) (*client.FileInfo, *s3Error) {
	noUpload := errNoSuchUpload("the specified multipart upload does not exist; it may have been aborted or completed")
	f, _, e := s.create(ctx, "", updir+"/.tmp-"+randomName(), false, noUpload)
	if e != nil {
		return nil, e
	}
	fi, e := s.fill(ctx, f, body, objectMeta{}, etag, noUpload)
	if e == errReplaced {
		e = noUpload
	}
	return fi, e
}

// placePart renames a written part to its number, replacing an earlier
// upload of the same number in one step, so that a complete listing the
// parts meanwhile finds the one or the other.
func (s *Server) placePart(ctx context.Context, fi *client.FileInfo, updir string, n int) *s3Error {
	ctx = context.WithoutCancel(ctx)
	dst := updir + "/" + partName(n)
	var over int64
	for c := newContention(); c.wait(); {
		err := s.rename(ctx, fi.Path, dst, over)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, client.ErrPrecondition) && over != 0:
			over = 0 // replaced by a racing upload of the part: look again
		case errors.Is(err, client.ErrAlreadyExists):
			if old, serr := s.fs.GetStatus(ctx, dst, client.StatusOptions{}); serr == nil {
				over = old.ID
			}
		default:
			s.drop(ctx, fi.Path, fi.ID)
			return fromClient(err, errNoSuchUpload("the multipart upload was aborted or completed while the part was written"))
		}
	}
	s.drop(ctx, fi.Path, fi.ID)
	return errSlowDown("part %d is held by other writers for more than %s", n, replaceTimeout)
}

func (s *Server) uploadPartCopy(req *request) *s3Error {
	n, e := partNumber(req)
	if e != nil {
		return e
	}
	if e := checkCustomerKeyHeaders(req.r.Header); e != nil {
		return e
	}
	// S3's order: a missing bucket, then a malformed source, then a
	// missing upload (statUpload checks the bucket when it finds none).
	if _, _, e := copySource(req.r.Header.Get("X-Amz-Copy-Source")); e != nil {
		if _, be := s.statBucket(req, req.bucket); be != nil {
			return be
		}
		return e
	}
	up, e := s.statUpload(req)
	if e != nil {
		return e
	}
	src, _, _, e := s.copySourceObject(req)
	if e != nil {
		return e
	}
	off, length := int64(0), src.Length
	if src.IsDir {
		length = 0
	}
	if rh := req.r.Header.Get("X-Amz-Copy-Source-Range"); rh != "" {
		first, last, e := copySourceRange(rh, length)
		if e != nil {
			return e
		}
		off, length = first, last-first+1
	}
	rd, err := s.fs.OpenInfo(req.ctx, src, client.OpenOptions{})
	if err != nil {
		return fromClient(err, errNoSuchKey("the source object does not exist"))
	}
	defer rd.Close()
	if _, err := rd.Seek(off, io.SeekStart); err != nil {
		return fromClient(err, nil)
	}
	alg := uploadChecksumOf(up).alg
	if alg == nil {
		alg = defaultChecksum
	}
	sum := &bodyChecksum{alg: alg, h: alg.new()}
	h := md5.New()
	body := sum.wrap(hashedSource(rd, length, h))
	body.attrs = sum.attrs
	fi, e := s.writePart(req.ctx, up.Path, body, func() string { return hex.EncodeToString(h.Sum(nil)) })
	if e != nil {
		return e
	}
	if e := s.placePart(req.ctx, fi, up.Path, n); e != nil {
		return e
	}
	res := copyPartResult{NS: s3NS, ETag: quote(etagOf(fi)), LastModified: isoTime(fi.Modified)}
	if uploadChecksumOf(up).alg != nil {
		// S3 names the part's checksum only for uploads that chose one.
		res.set(sum.sum())
	}
	writeXML(req.w, res)
	return nil
}

func (s *Server) abortUpload(req *request) *s3Error {
	up, e := s.statUpload(req)
	if e != nil {
		return e
	}
	if v := req.r.Header.Get("X-Amz-If-Match-Initiated-Time"); v != "" {
		// Abort only the upload started then, not a later one of the key;
		// a time still to come cannot name one and is ignored, as S3 does.
		t, err := http.ParseTime(v)
		if err != nil || (!t.Equal(up.Created.Truncate(time.Second)) && !t.After(time.Now())) {
			return errPrecondition("the upload was initiated at %s, not %s", up.Created.UTC().Format(http.TimeFormat), v)
		}
	}
	if err := s.fs.Delete(req.ctx, up.Path, client.DeleteOptions{Recursive: true}); err != nil {
		return fromClient(err, errNoSuchUpload("the specified multipart upload does not exist"))
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}

type completePart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	checksumFields
}

type completeUpload struct {
	XMLName xml.Name       `xml:"CompleteMultipartUpload"`
	Parts   []completePart `xml:"Part"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	NS       string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

// uploadParts lists an upload's parts by number.
func (s *Server) uploadParts(ctx context.Context, updir string) (map[int]*client.FileInfo, *s3Error) {
	infos, err := s.fs.ListStatus(ctx, updir, false, client.StatusOptions{})
	if err != nil {
		return nil, fromClient(err, errNoSuchUpload("the specified multipart upload does not exist"))
	}
	parts := map[int]*client.FileInfo{}
	for _, fi := range infos {
		if n := partNumberOf(fi.Name); n > 0 && !fi.IsDir && fi.Completed {
			parts[n] = fi
		}
	}
	return parts, nil
}

// checkComplete checks a CompleteMultipartUpload's part list against the
// parts uploaded and returns the parts in order and the object's ETag.
func (s *Server) checkComplete(list []completePart, parts map[int]*client.FileInfo) ([]*client.FileInfo, string, *s3Error) {
	if len(list) == 0 {
		return nil, "", errMalformedXML("the XML you provided lists no parts")
	}
	if len(list) > maxParts {
		return nil, "", errMalformedXML("the XML you provided lists more than %d parts", maxParts)
	}
	sums := md5.New()
	var out []*client.FileInfo
	for i, p := range list {
		switch {
		case p.PartNumber < 0:
			return nil, "", errInvalidArgument("PartNumber must be >= 1").with("ArgumentName", "PartNumber", "ArgumentValue", strconv.Itoa(p.PartNumber))
		case p.PartNumber == 0 || p.ETag == "":
			// A Part needs both (a PartNumber of 0 reads as none).
			return nil, "", errMalformedXML("a Part lacks its PartNumber or ETag")
		}
		if i > 0 && p.PartNumber <= list[i-1].PartNumber {
			return nil, "", errInvalidPartOrder("the list of parts was not in ascending order; parts must be ordered by part number")
		}
		fi := parts[p.PartNumber]
		if fi == nil || unquote(p.ETag) != etagOf(fi) {
			return nil, "", errInvalidPart("one or more of the specified parts could not be found, or its entity tag did not match (part %d)", p.PartNumber)
		}
		if i < len(list)-1 && fi.Length < s.cfg.MinPartSize {
			return nil, "", errTooSmall(fi.Length, s.cfg.MinPartSize).with("PartNumber", strconv.Itoa(p.PartNumber), "ETag", etagOf(fi))
		}
		sum, err := hex.DecodeString(etagOf(fi))
		if err != nil {
			return nil, "", errInternal("part %d has a malformed stored ETag", p.PartNumber)
		}
		sums.Write(sum)
		out = append(out, fi)
	}
	return out, fmt.Sprintf("%s-%d", hex.EncodeToString(sums.Sum(nil)), len(list)), nil
}

func (s *Server) completeUpload(req *request) *s3Error {
	dst, _, e := objectPath(req.bucket, req.key)
	if e != nil {
		return e
	}
	up, e := s.statUpload(req)
	if e != nil {
		if e.Code != "NoSuchUpload" {
			return e
		}
		if res, ok := s.completedBefore(req, dst); ok {
			writeXML(req.w, res)
			return nil
		}
		return e
	}
	var doc completeUpload
	if e := readXML(req, &doc, false); e != nil {
		return e
	}
	parts, e := s.uploadParts(req.ctx, up.Path)
	if e != nil {
		return e
	}
	usum := uploadChecksumOf(up)
	if e := usum.checkFinalHeaders(req.r.Header); e != nil {
		return e
	}
	// S3 takes the write conditions of PutObject on the complete too.
	cond, e := writeConditions(req.r.Header)
	if e != nil {
		return e
	}
	ordered, etag, e := s.checkComplete(doc.Parts, parts)
	if e != nil {
		return e
	}
	if e := checkObjectSize(req.r.Header.Get("X-Amz-Mp-Object-Size"), ordered); e != nil {
		return e
	}
	if e := usum.checkPartChecksums(doc.Parts, ordered); e != nil {
		return e
	}
	final, haveFinal := usum.finalChecksum(ordered)
	if haveFinal {
		if e := usum.checkFinal(req.r.Header, final); e != nil {
			return e
		}
	}
	// Copying the parts takes time in proportion to their size: past a
	// keepalive interval, the answer becomes 200 with the outcome in the
	// body, as in S3, and spaces keep the connection open.
	ka := startKeepalive(req.w, s.cfg.CompleteKeepalive)
	meta := metaOf(up.Xattr)
	meta[xUploadID] = []byte(req.q.Get("uploadId"))
	if haveFinal {
		meta[xChecksum] = final.encode()
	}
	e = s.assemble(req.ctx, req.bucket, meta, ordered, etag, dst, cond)
	started := ka.stop()
	if e != nil {
		if !started {
			return e
		}
		xml.NewEncoder(req.w).Encode(errorDoc{Code: e.Code, Message: e.message(), Fields: e.Fields, Resource: req.r.URL.Path, RequestID: req.id})
		return nil
	}
	s.drop(req.ctx, up.Path, up.ID)
	res := completeResult{NS: s3NS, Location: objectURL(req.r, req.bucket, req.key), Bucket: req.bucket, Key: req.key, ETag: quote(etag)}
	if haveFinal {
		res.set(final)
		res.ChecksumType = final.typ
	}
	if !started {
		writeXML(req.w, res)
		return nil
	}
	xml.NewEncoder(req.w).Encode(res)
	return nil
}

// completedBefore answers a complete of an upload that is gone because it
// was completed: S3 answers a repeated complete (a client's retry after a
// lost answer) as the first, as long as the key holds the object it made.
func (s *Server) completedBefore(req *request, dst string) (completeResult, bool) {
	id := req.q.Get("uploadId")
	if !validUploadID(id) {
		return completeResult{}, false
	}
	fi, err := s.fs.GetStatus(req.ctx, dst, client.StatusOptions{})
	if err != nil || fi.IsDir || !fi.Completed || string(fi.Xattr[xUploadID]) != id {
		return completeResult{}, false
	}
	res := completeResult{NS: s3NS, Location: objectURL(req.r, req.bucket, req.key), Bucket: req.bucket, Key: req.key, ETag: quote(etagOf(fi))}
	if c, ok := checksumOf(fi); ok {
		res.set(c)
		res.ChecksumType = c.typ
	}
	return res, true
}

// assemble copies the parts, in order, into the object at dst.
func (s *Server) assemble(ctx context.Context, bucket string, meta objectMeta, parts []*client.FileInfo, etag, dst string, cond writeCond) *s3Error {
	readers := make([]io.Reader, 0, len(parts))
	sizes := make([]int64, 0, len(parts))
	var total int64
	for _, p := range parts {
		rd, err := s.fs.OpenInfo(ctx, p, client.OpenOptions{})
		if err != nil {
			return fromClient(err, errInvalidPart("part %s went away", p.Name))
		}
		defer rd.Close()
		readers = append(readers, &exactReader{r: rd, left: p.Length})
		total += p.Length
		sizes = append(sizes, p.Length)
	}
	meta[xParts] = encodePartSizes(sizes)
	_, e := s.writeObject(ctx, bucket, dst, source{r: io.MultiReader(readers...), size: total}, meta, func() string { return etag }, cond)
	return e
}

// copySourceRange parses x-amz-copy-source-range, which unlike Range must
// name both ends ("bytes=first-last") and lie within the source's size
// bytes.
func copySourceRange(h string, size int64) (first, last int64, e *s3Error) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	a, b, dash := strings.Cut(spec, "-")
	var err1, err2 error
	if ok && dash {
		first, err1 = strconv.ParseInt(a, 10, 64)
		last, err2 = strconv.ParseInt(b, 10, 64)
	}
	if !ok || !dash || err1 != nil || err2 != nil || first < 0 || last < first || strings.ContainsAny(spec, "+ ") {
		return 0, 0, errInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").with("ArgumentName", "x-amz-copy-source-range", "ArgumentValue", h)
	}
	if last >= size {
		return 0, 0, errInvalidArgument("Range specified is not valid for source object of size: %d", size).with("ArgumentName", "x-amz-copy-source-range", "ArgumentValue", h)
	}
	return first, last, nil
}

// checkObjectSize holds the parts to x-amz-mp-object-size, the size the
// client says the object has, when it says one.
func checkObjectSize(h string, parts []*client.FileInfo) *s3Error {
	if h == "" {
		return nil
	}
	want, err := strconv.ParseInt(h, 10, 64)
	switch {
	case err != nil:
		return errInvalidRequest("Value for x-amz-mp-object-size header is invalid: '%s'", h)
	case want < 0:
		return errInvalidRequest("Value for x-amz-mp-object-size header is less than zero: '%s'", h)
	}
	var got int64
	for _, p := range parts {
		got += p.Length
	}
	if got != want {
		// S3 words it with the sizes this way round.
		return errInvalidRequest("The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", got, want)
	}
	return nil
}
