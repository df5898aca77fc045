package proxy

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/alluxio-go/alluxio/client"
)

// An object made by CompleteMultipartUpload keeps its part sizes (xParts),
// so that GetObject and HeadObject with ?partNumber=N answer the bytes of
// part N. They are stored as runs, "size*count,..." (most uploads have
// parts of one size and a shorter last one), so even 10,000 parts take a
// few bytes.

// encodePartSizes is the stored form of part sizes.
func encodePartSizes(sizes []int64) []byte {
	var b strings.Builder
	for i := 0; i < len(sizes); {
		j := i
		for j < len(sizes) && sizes[j] == sizes[i] {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d*%d", sizes[i], j-i)
		i = j
	}
	return []byte(b.String())
}

// decodePartSizes reads part sizes stored by encodePartSizes; ok is false
// for none or for anything else (at most maxParts are read).
func decodePartSizes(b []byte) (sizes []int64, ok bool) {
	if len(b) == 0 {
		return nil, false
	}
	for _, run := range strings.Split(string(b), ",") {
		sz, cnt, found := strings.Cut(run, "*")
		size, err1 := strconv.ParseInt(sz, 10, 64)
		count, err2 := strconv.Atoi(cnt)
		if !found || err1 != nil || err2 != nil || size < 0 || count < 1 || len(sizes)+count > maxParts {
			return nil, false
		}
		for range count {
			sizes = append(sizes, size)
		}
	}
	return sizes, true
}

// partSizesOf is the part sizes of an object of size bytes: those stored
// when they add up to its size, else one part (a single PUT, a copy).
func partSizesOf(fi *client.FileInfo, size int64) (sizes []int64, multipart bool) {
	sizes, ok := decodePartSizes(fi.Xattr[xParts])
	var total int64
	for _, s := range sizes {
		total += s
	}
	if !ok || total != size {
		return []int64{size}, false
	}
	return sizes, true
}

// objectRange is the part of an object of size bytes a GET or HEAD
// answers, from its Range header or its partNumber, with the status and
// the headers that say so.
func objectRange(req *request, fi *client.FileInfo, size int64) (start, length int64, status int, e *s3Error) {
	h := req.w.Header()
	rh := req.r.Header.Get("Range")
	if req.q.Has("partNumber") {
		n, e := partNumber(req)
		if e != nil {
			return 0, 0, 0, e
		}
		if rh != "" {
			return 0, 0, 0, errInvalidRequest("Cannot specify both Range header and partNumber query parameter")
		}
		sizes, multipart := partSizesOf(fi, size)
		if n > len(sizes) {
			return 0, 0, 0, newErr("InvalidPartNumber", 416, "the requested part number %d is not satisfiable: the object has %d part(s)", n, len(sizes))
		}
		for _, s := range sizes[:n-1] {
			start += s
		}
		length = sizes[n-1]
		if multipart {
			h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(len(sizes)))
		}
		if length == 0 {
			return start, 0, http.StatusOK, nil
		}
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+length-1, size))
		return start, length, http.StatusPartialContent, nil
	}
	if rh == "" {
		return 0, size, http.StatusOK, nil
	}
	rng, ok, e := parseRange(rh, size)
	if e != nil {
		h.Set("Content-Range", fmt.Sprintf("bytes */%d", size))
		return 0, 0, 0, e
	}
	if !ok {
		return 0, size, http.StatusOK, nil
	}
	h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.start, rng.end, size))
	return rng.start, rng.end - rng.start + 1, http.StatusPartialContent, nil
}
