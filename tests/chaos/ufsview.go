package chaos

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// ufsView is how the check reads the root under storage: the folder
// itself, or the S3 server's API through the SDK, never through the code
// under test.
type ufsView interface {
	// list returns what dir (relative to the root, "chaos/g3") holds,
	// files and directories, with what a reader checks a copy by.
	list(dir string) (map[string]ufsObject, error)
	// read returns the bytes of the file at rel.
	read(rel string) ([]byte, error)
	// staged lists the names in dir that open (staged) uploads are for;
	// none in a folder.
	staged(dir string) ([]string, error)
}

// ufsObject is one name the under storage holds.
type ufsObject struct {
	IsDir bool
	// ModMs and Fingerprint are what readers check a copy by: the
	// modification time, and the fingerprint when the store has one (an S3
	// ETag; "" in a folder).
	ModMs       int64
	Fingerprint string
}

type folderView struct{ root string }

func (v folderView) list(dir string) (map[string]ufsObject, error) {
	entries, err := os.ReadDir(filepath.Join(v.root, filepath.FromSlash(dir)))
	if err != nil {
		return nil, err
	}
	out := map[string]ufsObject{}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out[e.Name()] = ufsObject{IsDir: e.IsDir(), ModMs: info.ModTime().UnixMilli()}
	}
	return out, nil
}

func (v folderView) read(rel string) ([]byte, error) {
	return os.ReadFile(filepath.Join(v.root, filepath.FromSlash(rel)))
}

func (folderView) staged(string) ([]string, error) { return nil, nil }

// s3View reads a prefix of a bucket of the cluster's S3 server.
type s3View struct {
	c              *awss3.Client
	bucket, prefix string // prefix without a trailing slash
}

func newS3View(srv *testcluster.S3Server, bucket, prefix string) s3View {
	return s3View{c: srv.Client(), bucket: bucket, prefix: prefix}
}

func (v s3View) key(rel string) string { return v.prefix + "/" + rel }

func (v s3View) list(dir string) (map[string]ufsObject, error) {
	prefix := v.key(dir) + "/"
	in := &awss3.ListObjectsV2Input{Bucket: &v.bucket, Prefix: &prefix, Delimiter: aws.String("/")}
	out := map[string]ufsObject{}
	for {
		page, err := v.c.ListObjectsV2(context.Background(), in)
		if err != nil {
			return nil, err
		}
		for _, p := range page.CommonPrefixes {
			out[strings.TrimSuffix(strings.TrimPrefix(aws.ToString(p.Prefix), prefix), "/")] = ufsObject{IsDir: true}
		}
		for _, o := range page.Contents {
			name := strings.TrimPrefix(aws.ToString(o.Key), prefix)
			if name == "" {
				continue // the directory's own marker
			}
			out[name] = ufsObject{ModMs: aws.ToTime(o.LastModified).UnixMilli(), Fingerprint: strings.Trim(aws.ToString(o.ETag), `"`)}
		}
		if !aws.ToBool(page.IsTruncated) {
			return out, nil
		}
		in.ContinuationToken = page.NextContinuationToken
	}
}

func (v s3View) read(rel string) ([]byte, error) {
	out, err := v.c.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: &v.bucket, Key: aws.String(v.key(rel))})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func (v s3View) staged(dir string) ([]string, error) {
	prefix := v.key(dir) + "/"
	in := &awss3.ListMultipartUploadsInput{Bucket: &v.bucket, Prefix: &prefix}
	var names []string
	for {
		page, err := v.c.ListMultipartUploads(context.Background(), in)
		if err != nil {
			return nil, err
		}
		for _, u := range page.Uploads {
			names = append(names, strings.TrimPrefix(aws.ToString(u.Key), prefix))
		}
		if !aws.ToBool(page.IsTruncated) {
			return names, nil
		}
		in.KeyMarker, in.UploadIdMarker = page.NextKeyMarker, page.NextUploadIdMarker
	}
}
