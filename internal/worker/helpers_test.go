package worker_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/worker"
)

const waitFor = 30 * time.Second

// metric reads one counter or gauge of a worker from its /metrics page.
func metric(t *testing.T, w *worker.Server, name string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + w.WebAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "alluxio_worker_"+name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %q", name, v)
			}
			return f
		}
	}
	t.Fatalf("metric alluxio_worker_%s not on the page", name)
	return 0
}

func write(t *testing.T, fs *client.FileSystem, path, writeType string, data []byte) {
	t.Helper()
	err := fs.CreateFrom(context.Background(), path, bytes.NewReader(data), client.CopyOptions{WriteType: writeType})
	if err != nil {
		t.Fatalf("write %s (%s): %v", path, writeType, err)
	}
}

func read(t *testing.T, fs *client.FileSystem, path, readType string) []byte {
	t.Helper()
	r, err := fs.OpenFile(context.Background(), path, client.OpenOptions{ReadType: readType})
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

func status(t *testing.T, fs *client.FileSystem, path string) *client.FileInfo {
	t.Helper()
	fi, err := fs.GetStatus(context.Background(), path, client.StatusOptions{})
	if err != nil {
		t.Fatalf("status %s: %v", path, err)
	}
	return fi
}

// eventually polls cond until it holds or waitFor passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", waitFor, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pattern is n bytes that differ from block to block, so a block read from
// the wrong place shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i/4096 + i)
	}
	return b
}

func cachedPercent(t *testing.T, fs *client.FileSystem, path string) func() bool {
	return func() bool { return status(t, fs, path).InAlluxioPercent == 100 }
}

func must(t *testing.T, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}
