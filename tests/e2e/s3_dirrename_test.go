package e2e

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// TestS3DirectoryRenameKeepsFilesReadable is how Spark and Hadoop commit a
// job's output: files written through Alluxio into a temporary directory,
// which is then renamed. On S3 the rename copies every object, and a copy
// of an object uploaded in parts gets a new ETag; once the cached blocks
// are gone, the files must still read from their moved copies.
func TestS3DirectoryRenameKeepsFilesReadable(t *testing.T) {
	t.Parallel()
	c := newS3Cluster(t)
	c.mount(t, "/s3", "job", "--option", "alluxio.underfs.s3.streaming.upload.partition.size=5MB")
	fs := c.m.Client()
	files := map[string][]byte{
		"part-0": randomBytes(12<<20, 31), // three parts
		"part-1": randomBytes(1000, 32),   // one PUT
	}
	for name, data := range files {
		writeFile(t, fs, "/s3/_temporary/"+name, data, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 4 << 20, Recursive: true})
	}
	if err := fs.Rename(t.Context(), "/s3/_temporary", "/s3/out"); err != nil {
		t.Fatal(err)
	}
	// waitAll polls each file's status until cond holds for it.
	waitAll := func(cond func(fi *client.FileInfo) (bool, string)) {
		t.Helper()
		for name := range files {
			p := "/s3/out/" + name
			testcluster.WaitFor(t, time.Minute, 50*time.Millisecond, func() (bool, string) {
				fi, err := fs.GetStatus(t.Context(), p, client.StatusOptions{})
				if err != nil {
					return false, err.Error()
				}
				ok, why := cond(fi)
				return ok, p + ": " + why
			})
		}
	}
	waitAll(func(fi *client.FileInfo) (bool, string) {
		return fi.UfsPending == "" && fi.Persisted, fmt.Sprintf("pending %q, persisted %v", fi.UfsPending, fi.Persisted)
	})
	if err := fs.Free(t.Context(), "/s3/out", client.FreeOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}
	waitAll(func(fi *client.FileInfo) (bool, string) {
		return fi.InAlluxioPercent == 0, fmt.Sprintf("%d%% in Alluxio after free", fi.InAlluxioPercent)
	})
	for name, data := range files {
		if got := readFile(t, fs, "/s3/out/"+name, "NO_CACHE"); !bytes.Equal(got, data) {
			t.Errorf("/s3/out/%s reads %d bytes from its moved copy, not the %d written", name, len(got), len(data))
		}
	}
}
