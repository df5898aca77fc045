package proxy

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/inproc"
)

// testProxy serves the S3 API of an in-process cluster over HTTP. The
// proxy logs in as s3proxy, which the master lets impersonate anyone.
func testProxy(t *testing.T) (*s3.Client, *client.FileSystem) {
	t.Helper()
	cl, fs, _ := testProxyURL(t)
	return cl, fs
}

// testProxyURL is testProxy that also gives the proxy's URL, for requests
// the SDK would not send.
func testProxyURL(t *testing.T) (*s3.Client, *client.FileSystem, string) {
	t.Helper()
	c := inproc.Start(t, inproc.Options{Properties: map[string]string{conf.ImpersonationPrefix + "s3proxy.users": "*"}})
	// The S3 users make buckets in "/", which the superuser (the test's
	// OS user) owns.
	all := os.FileMode(0o777)
	if err := c.Client().SetAttribute(context.Background(), "/", client.SetAttributeOptions{Mode: &all}); err != nil {
		t.Fatal(err)
	}
	fs := c.ClientWith(func(cfg *client.Config) { cfg.User = "s3proxy" })
	ts := httptest.NewServer(New(Config{FS: fs, WriteType: "MUST_CACHE"}))
	t.Cleanup(ts.Close)
	cl := s3.New(s3.Options{BaseEndpoint: aws.String(ts.URL), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("tester", "x", ""), Retryer: aws.NopRetryer{}})
	return cl, fs, ts.URL
}

// testBucket is testProxyURL with a bucket made, and a context.
func testBucket(t *testing.T, bucket string) (*s3.Client, *client.FileSystem, string, context.Context) {
	t.Helper()
	c, fs, url := testProxyURL(t)
	ctx := testCtx(t)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	return c, fs, url, ctx
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// modelList is S3's ListObjectsV2 over keys, computed from its definition:
// the keys after startAfter that start with prefix, those with delim after
// the prefix rolled up into common prefixes, max at a time.
func modelList(keys []string, prefix, delim, startAfter string, max int) (page []string, truncated bool) {
	sorted := slices.Clone(keys)
	sort.Strings(sorted)
	seen := map[string]bool{}
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		entry := k
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				entry = k[:len(prefix)+i+len(delim)] + " (prefix)"
			}
		}
		name := strings.TrimSuffix(entry, " (prefix)")
		if seen[entry] || name <= startAfter || (entry != k && strings.HasPrefix(startAfter, name)) {
			continue
		}
		if len(page) == max {
			return page, true
		}
		seen[entry] = true
		page = append(page, entry)
	}
	return page, false
}

// TestListingMatchesS3 lists a tree of keys with prefixes, delimiters and
// page sizes and compares every page with S3's definition.
func TestListingMatchesS3(t *testing.T) {
	c, _ := testProxy(t)
	ctx := testCtx(t)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lst")}); err != nil {
		t.Fatal(err)
	}
	keys := []string{"a", "a-b", "a.c", "ab/c", "ab/d/e", "ab/d-f", "ab-x/y", "b/", "b/c", "c d/é", "c d/z", "z", "zz/top/", "zz/top/x"}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lst"), Key: aws.String(k), Body: strings.NewReader("")}); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
	// A token this server did not give is refused, as S3 does.
	_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), ContinuationToken: aws.String("garbage")})
	apiCode(t, "a made-up continuation token", err, 400, "InvalidArgument")
	// max-keys=0 lists nothing and is not truncated (S3's answer).
	zero, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), MaxKeys: aws.Int32(0)})
	if err != nil || len(zero.Contents) != 0 || aws.ToBool(zero.IsTruncated) {
		t.Fatalf("max-keys=0: %v, %d keys, truncated %v", err, len(zero.Contents), aws.ToBool(zero.IsTruncated))
	}
	for _, prefix := range []string{"", "a", "ab", "ab/", "ab/d", "b/", "zz/", "zz/top/", "nothing/", "c d/"} {
		for _, delim := range []string{"", "/", "-", "d"} {
			for _, max := range []int{1, 2, 1000} {
				var got []string
				token := ""
				for range 50 {
					in := &s3.ListObjectsV2Input{Bucket: aws.String("lst"), Prefix: aws.String(prefix), MaxKeys: aws.Int32(int32(max))}
					if delim != "" {
						in.Delimiter = aws.String(delim)
					}
					if token != "" {
						in.ContinuationToken = aws.String(token)
					}
					out, err := c.ListObjectsV2(ctx, in)
					if err != nil {
						t.Fatal(err)
					}
					var page []string
					for _, o := range out.Contents {
						page = append(page, aws.ToString(o.Key))
					}
					for _, p := range out.CommonPrefixes {
						page = append(page, aws.ToString(p.Prefix)+" (prefix)")
					}
					sort.Slice(page, func(i, j int) bool {
						return strings.TrimSuffix(page[i], " (prefix)") < strings.TrimSuffix(page[j], " (prefix)")
					})
					got = append(got, page...)
					if len(page) > max || int(aws.ToInt32(out.KeyCount)) != len(page) {
						t.Fatalf("prefix %q delim %q max %d: a page of %d, KeyCount %d", prefix, delim, max, len(page), aws.ToInt32(out.KeyCount))
					}
					if !aws.ToBool(out.IsTruncated) {
						break
					}
					token = aws.ToString(out.NextContinuationToken)
				}
				want, _ := modelList(keys, prefix, delim, "", 1<<30)
				if !slices.Equal(got, want) {
					t.Errorf("prefix %q delim %q max %d:\n got %q\nwant %q", prefix, delim, max, got, want)
				}
			}
		}
	}
}

// TestConcurrentPutsOfOneKey: writers racing on one key all succeed, as
// in S3 (the first writes in place, the others wait for it and replace
// its object in turn), and the key ends up holding one of them whole.
func TestConcurrentPutsOfOneKey(t *testing.T) {
	c, fs := testProxy(t)
	ctx := testCtx(t)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("race")}); err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{}
	for i := range 12 {
		b := bytes.Repeat([]byte{byte('a' + i)}, 100000+i)
		s := md5.Sum(b)
		bodies[hex.EncodeToString(s[:])] = b
	}
	var wg sync.WaitGroup
	for _, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String("k"), Body: bytes.NewReader(b)}, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
			if err != nil {
				t.Errorf("a racing PUT: %v", err)
			}
		}()
	}
	wg.Wait()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("race"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	etag := strings.Trim(aws.ToString(out.ETag), `"`)
	if want, ok := bodies[etag]; !ok || !bytes.Equal(got, want) {
		t.Fatalf("the key holds %d bytes with ETag %s, not one whole PUT", len(got), etag)
	}
	left, _ := fs.ListStatus(ctx, "/race/"+metaDir+"/"+tmpDir, false, client.StatusOptions{})
	if len(left) != 0 {
		t.Fatalf("temporary files left: %d", len(left))
	}
}

// TestOverwriteIsNeverAbsent: while a key is overwritten again and again,
// readers find the old object or the new one, never no object, as in S3.
// (Replacing by delete, then rename, left a moment with nothing.)
func TestOverwriteIsNeverAbsent(t *testing.T) {
	c, _, _, ctx := testBucket(t, "over")
	put := func(i int) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("over"), Key: aws.String("k"),
			Body: bytes.NewReader(bytes.Repeat([]byte{byte(i)}, 1000))})
		return err
	}
	if err := put(0); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var reads int
	var absent atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("over"), Key: aws.String("k")})
			reads++
			if err != nil {
				absent.Store(true)
				t.Errorf("GET during an overwrite: %v", err)
				continue
			}
			b, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil || len(b) != 1000 || bytes.Count(b, b[:1]) != 1000 {
				t.Errorf("GET during an overwrite: %d bytes, %v", len(b), err)
			}
		}
	}()
	for i := 1; i <= 60 && !absent.Load(); i++ {
		if err := put(i); err != nil {
			t.Error(err)
		}
	}
	close(done)
	wg.Wait()
	t.Logf("%d reads during 60 overwrites", reads)
}
