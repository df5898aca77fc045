package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/underfs/s3"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// s3Cluster is a master and a worker beside a versitygw S3 server with a
// bucket, and a direct view of the bucket (the S3 under storage itself,
// not through Alluxio) for seeding objects and checking what S3 holds.
type s3Cluster struct {
	srv    *testcluster.S3Server
	m      *cluster.Master
	w      *cluster.Worker
	bucket *s3.FS // the whole bucket
}

func newS3Cluster(t *testing.T) *s3Cluster {
	t.Helper()
	return newS3ClusterTB(t, filepath.Join(t.TempDir(), "mem"))
}

// newS3ClusterTB is newS3Cluster with the worker's memory tier (3 GB) in
// tier.
func newS3ClusterTB(t testing.TB, tier string) *s3Cluster {
	t.Helper()
	return newS3ClusterOn(t, testcluster.StartS3(t), tier)
}

// newS3ClusterOn is newS3ClusterTB with the S3 server given.
func newS3ClusterOn(t testing.TB, srv *testcluster.S3Server, tier string) *s3Cluster {
	t.Helper()
	srv.CreateBucket(t, "bucket")
	m := cluster.NewMaster(t)
	w := cluster.StartWorkerIn(t, m, "worker", "3GB", tier)
	b, err := s3.New("s3://bucket", underfs.Options{Properties: srv.Properties()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return &s3Cluster{srv: srv, m: m, w: w, bucket: b}
}

// mount mounts s3://bucket/<prefix> at path through the CLI.
func (c *s3Cluster) mount(t *testing.T, path, prefix string, extra ...string) {
	t.Helper()
	args := append([]string{"fs", "mount"}, c.srv.MountArgs()...)
	args = append(args, extra...)
	c.m.Must(append(args, path, "s3://bucket/"+prefix)...)
}

// put writes an object straight into the bucket.
func (c *s3Cluster) put(t testing.TB, key string, data []byte) {
	t.Helper()
	w, err := c.bucket.Create(context.Background(), key, underfs.CreateOptions{CreateParents: true, Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// uploads counts the multipart uploads open in the bucket.
func (c *s3Cluster) uploads(t testing.TB) int {
	t.Helper()
	cl := c.sdk(t)
	out, err := cl.ListMultipartUploads(context.Background(), &awss3.ListMultipartUploadsInput{Bucket: aws.String("bucket")})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Uploads)
}

func (c *s3Cluster) sdk(t testing.TB) *awss3.Client {
	t.Helper()
	return awss3.New(awss3.Options{Region: c.srv.Region, BaseEndpoint: aws.String(c.srv.Endpoint), UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: c.srv.AccessKey, SecretAccessKey: c.srv.SecretKey}, nil
		})})
}

// TestS3MountReadWriteList goes through what a user does with an S3 mount:
// objects (with and without directory markers) appear as files and
// directories, reads come from S3 first and then from the cache, and every
// write type puts the file in S3, which shows it only once it is complete.
func TestS3MountReadWriteList(t *testing.T) {
	t.Parallel()
	c := newS3Cluster(t)
	data := make([]byte, 9<<20+5)
	rand.Read(data)
	c.put(t, "data/existing/object.parquet", data)
	c.put(t, "data/implicit/deep/file", []byte("no markers above me"))
	if err := c.bucket.Mkdirs(context.Background(), "data/marked", 0); err != nil {
		t.Fatal(err)
	}
	c.mount(t, "/s3", "data")

	out := c.m.Must("fs", "ls", "-R", "/s3")
	for _, want := range []string{"/s3/existing/object.parquet", "/s3/implicit/deep/file", "/s3/marked"} {
		if !strings.Contains(out, want) {
			t.Errorf("ls -R /s3 does not show %s:\n%s", want, out)
		}
	}
	fs := c.m.Client()
	ctx := t.Context()
	if got := readAll(t, fs, "/s3/existing/object.parquet"); !bytes.Equal(got, data) {
		t.Fatalf("first read of the object: %d bytes, mismatching", len(got))
	}
	// The worker commits the block to the master after it streamed the
	// last chunk, which the reader need not wait for: poll.
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		info, err := fs.GetStatus(ctx, "/s3/existing/object.parquet", client.StatusOptions{})
		return err == nil && info.InAlluxioPercent == 100,
			fmt.Sprintf("after the first read the object is %d%% cached (%v); want 100", info.InAlluxioPercent, err)
	})
	if got := readAll(t, fs, "/s3/existing/object.parquet"); !bytes.Equal(got, data) {
		t.Fatal("second read (from the cache) differs")
	}

	local := filepath.Join(t.TempDir(), "big.bin")
	big := make([]byte, 40<<20+3) // several parts of the default 16 MiB
	rand.Read(big)
	if err := os.WriteFile(local, big, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, wt := range []string{"CACHE_THROUGH", "THROUGH", "ASYNC_THROUGH"} {
		dst := "/s3/written/" + strings.ToLower(wt) + ".bin"
		c.m.Must("fs", "copyFromLocal", "--writeType", wt, local, dst)
		key := "data/written/" + strings.ToLower(wt) + ".bin"
		if wt == "ASYNC_THROUGH" {
			testcluster.WaitFor(t, time.Minute, 100*time.Millisecond, func() (bool, string) {
				st, err := c.bucket.GetStatus(ctx, key)
				return err == nil && st.Length == int64(len(big)), fmt.Sprintf("%s not persisted yet: %v", key, err)
			})
		}
		st, err := c.bucket.GetStatus(ctx, key)
		if err != nil || st.Length != int64(len(big)) || st.Fingerprint == "" {
			t.Fatalf("%s in S3 = %+v, %v; want %d bytes with an ETag", wt, st, err, len(big))
		}
		if got := readAll(t, fs, dst); !bytes.Equal(got, big) {
			t.Errorf("%s file reads back wrong", wt)
		}
	}
	if n := c.uploads(t); n != 0 {
		t.Errorf("%d multipart uploads left open after the writes", n)
	}
	// No temporary objects: the copies were staged, not renamed.
	list, err := c.bucket.List(ctx, "data/written")
	if err != nil || len(list) != 3 {
		t.Errorf("data/written holds %v, %v; want the three files", names(list), err)
	}
}

func names(list []underfs.Status) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Name
	}
	return out
}

func readAll(t testing.TB, fs *client.FileSystem, path string) []byte {
	t.Helper()
	r, err := fs.OpenFile(context.Background(), path, client.OpenOptions{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return b
}

// TestS3WriteAppearsOnlyWhenComplete holds a CACHE_THROUGH write open: its
// copy is an open multipart upload, invisible in S3, until CompleteFile;
// a write abandoned part way leaves no upload behind.
func TestS3WriteAppearsOnlyWhenComplete(t *testing.T) {
	t.Parallel()
	c := newS3Cluster(t)
	c.mount(t, "/s3", "p")
	fs := c.m.Client()
	ctx := t.Context()
	chunk := make([]byte, 20<<20)
	rand.Read(chunk)
	w, err := fs.Create(ctx, "/s3/f", client.CreateFileOptions{WriteType: "CACHE_THROUGH"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(chunk); err != nil {
		t.Fatal(err)
	}
	if _, err := c.bucket.GetStatus(ctx, "p/f"); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("S3 shows the file before it is complete: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := c.bucket.GetStatus(ctx, "p/f"); err != nil || st.Length != int64(len(chunk)) {
		t.Fatalf("after Close S3 has %+v, %v", st, err)
	}

	w, err = fs.Create(ctx, "/s3/abandoned", client.CreateFileOptions{WriteType: "THROUGH"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(chunk); err != nil {
		t.Fatal(err)
	}
	w.Cancel()
	testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		n := c.uploads(t)
		return n == 0, fmt.Sprintf("%d uploads still open after the write was cancelled", n)
	})
	if _, err := c.bucket.GetStatus(ctx, "p/abandoned"); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("an abandoned write shows in S3: %v", err)
	}
}

// TestS3ReplacedObjectIsNotReadAsTheOld: an object rewritten behind
// Alluxio's back with the same length (and, likely, the same second) is
// told apart by its ETag: the worker refuses it rather than serve its
// bytes as the file Alluxio knows, and a sync picks up the new one.
func TestS3ReplacedObjectIsNotReadAsTheOld(t *testing.T) {
	t.Parallel()
	c := newS3Cluster(t)
	c.put(t, "r/obj", bytes.Repeat([]byte("a"), 1000))
	c.mount(t, "/s3", "r")
	fs := c.m.Client()
	if _, err := fs.GetStatus(t.Context(), "/s3/obj", client.StatusOptions{}); err != nil {
		t.Fatal(err)
	}
	c.put(t, "r/obj", bytes.Repeat([]byte("b"), 1000))
	r, err := fs.OpenFile(t.Context(), "/s3/obj", client.OpenOptions{ReadType: "NO_CACHE"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err == nil || bytes.Contains(got, []byte("b")) {
		t.Fatalf("read of a replaced object = %q, %v; want an error, never the new bytes as the old file", got[:min(len(got), 10)], err)
	}
	zero := time.Duration(0)
	if _, err := fs.GetStatus(t.Context(), "/s3/obj", client.StatusOptions{SyncInterval: &zero}); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, fs, "/s3/obj"); !bytes.Equal(got, bytes.Repeat([]byte("b"), 1000)) {
		t.Errorf("after a sync the object reads %.10q", got)
	}
}

// TestS3LoadAndSyncTenThousand loads a prefix of 10,000 objects (ten
// pages of ListObjectsV2 per directory level) through the master, then
// syncs it after changes made behind Alluxio's back.
func TestS3LoadAndSyncTenThousand(t *testing.T) {
	t.Parallel()
	c := newS3Cluster(t)
	const n = 10000
	seed(t, c, "many", n)
	c.mount(t, "/many", "many")
	out := c.m.Must("fs", "ls", "-R", "/many")
	files := 0
	for line := range strings.SplitSeq(out, "\n") {
		if strings.Contains(line, "/many/d") && strings.Contains(line, "/f") {
			files++
		}
	}
	if files != n {
		t.Fatalf("ls -R shows %d files; want %d", files, n)
	}
	out = c.m.Must("fs", "count", "/many")
	if !strings.Contains(out, fmt.Sprint(n)) {
		t.Errorf("count /many = %s; want %d files", out, n)
	}

	// Behind Alluxio's back: d0 loses 1,000 objects, a new directory d4
	// (no marker) gets 1,000, and one object is rewritten longer. A sync
	// of the whole prefix (ls -R -f) finds all of it, and keeps it: the
	// plain ls -R after it, from the master's namespace, agrees.
	cl := c.sdk(t)
	var gone []types.ObjectIdentifier
	for i := 0; len(gone) < 1000; i += 4 {
		gone = append(gone, types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("many/d0/f%05d", i))})
	}
	res, err := cl.DeleteObjects(t.Context(), &awss3.DeleteObjectsInput{Bucket: aws.String("bucket"), Delete: &types.Delete{Objects: gone}})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("deleting 1,000 objects: %v %v", err, res)
	}
	seedKeys(t, c, 1000, func(i int) string { return fmt.Sprintf("many/d4/g%05d", i) })
	c.put(t, "many/d1/f00001", []byte("longer now"))
	want := map[string]int64{}
	for i := range n {
		if i%4 != 0 || i >= 4000 {
			want[fmt.Sprintf("/many/d%d/f%05d", i%4, i)] = 1
		}
	}
	for i := range 1000 {
		want[fmt.Sprintf("/many/d4/g%05d", i)] = 1
	}
	want["/many/d1/f00001"] = int64(len("longer now"))
	fs := c.m.Client()
	for _, force := range []bool{true, false} {
		opts := client.StatusOptions{}
		if force {
			zero := time.Duration(0)
			opts = client.StatusOptions{SyncInterval: &zero, LoadType: "ALWAYS"}
		}
		infos, err := fs.ListStatus(t.Context(), "/many", true, opts)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, fi := range infos {
			if !fi.IsDir {
				got[fi.Path] = fi.Length
			}
		}
		if !maps.Equal(got, want) {
			extra, missing := 0, 0
			for p := range got {
				if _, ok := want[p]; !ok {
					extra++
				}
			}
			for p := range want {
				if _, ok := got[p]; !ok {
					missing++
				}
			}
			t.Fatalf("ls -R (sync %v) after the changes: %d files, %d not expected, %d missing; /many/d1/f00001 is %d bytes",
				force, len(got), extra, missing, got["/many/d1/f00001"])
		}
	}
	if got := readAll(t, fs, "/many/d1/f00001"); string(got) != "longer now" {
		t.Errorf("the rewritten object reads %q after the sync", got)
	}
}

// seed puts n one-byte objects under prefix, in 4 directories (without
// markers) of n/4 each, so each takes several pages to list; with
// parallel PUTs.
func seed(t testing.TB, c *s3Cluster, prefix string, n int) {
	t.Helper()
	seedKeys(t, c, n, func(i int) string { return fmt.Sprintf("%s/d%d/f%05d", prefix, i%4, i) })
}

// seedKeys puts n one-byte objects, the i-th at key(i), with parallel
// PUTs.
func seedKeys(t testing.TB, c *s3Cluster, n int, key func(int) string) {
	t.Helper()
	cl := c.sdk(t)
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range 32 {
		wg.Go(func() {
			for i := range work {
				key := key(i)
				_, err := cl.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key),
					Body: bytes.NewReader([]byte{'x'})})
				if err != nil {
					mu.Lock()
					first = errors.Join(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
}
