package e2e

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/underfs/s3"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestS3RootUnderStorage runs a cluster whose root is an S3 prefix, with
// the keys in the configuration as Alluxio takes them: files written
// through it land in the bucket, objects put there show in Alluxio, and
// getConf and the logs never show the secret.
func TestS3RootUnderStorage(t *testing.T) {
	t.Parallel()
	srv := testcluster.StartS3(t)
	srv.CreateBucket(t, "bucket")
	defs := []string{"-Dalluxio.master.mount.table.root.ufs=s3://bucket/root"}
	for k, v := range srv.Properties() {
		defs = append(defs, "-D"+k+"="+v)
	}
	m := cluster.NewMaster(t, defs...)
	w := cluster.StartWorker(t, m, "worker", "1GB")
	direct, err := s3.New("s3://bucket/root", underfs.Options{Properties: srv.Properties()})
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	ctx := context.Background()

	fs := m.Client()
	data := bytes.Repeat([]byte("root on s3 "), 100000)
	fw, err := fs.Create(ctx, "/dir/f", client.CreateFileOptions{WriteType: "CACHE_THROUGH", Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := direct.GetStatus(ctx, "dir/f"); err != nil || st.Length != int64(len(data)) {
		t.Fatalf("the bucket holds %+v, %v", st, err)
	}
	wr, err := direct.Create(ctx, "outside/obj", underfs.CreateOptions{CreateParents: true})
	if err != nil {
		t.Fatal(err)
	}
	wr.Write([]byte("put behind Alluxio's back"))
	if err := wr.Close(); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, fs, "/outside/obj"); string(got) != "put behind Alluxio's back" {
		t.Errorf("/outside/obj reads %q", got)
	}
	conf := m.Must("getConf")
	if strings.Contains(conf, srv.SecretKey) || !strings.Contains(conf, "s3a.secretKey="+underfs.Masked) {
		t.Errorf("getConf does not mask the secret:\n%s", conf)
	}
	for _, p := range []*testcluster.Process{m.Proc, w.Proc} {
		b, err := os.ReadFile(p.LogPath())
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(srv.SecretKey)) {
			t.Errorf("%s's log shows the secret", p.Name())
		}
	}
}
