package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// listMaster streams a directory's names in batches, as the master does.
// Its first stream breaks (as at a failover) after breakAfter batches;
// before the second stream, the directory changes as change says.
type listMaster struct {
	pb.UnimplementedFileSystemMasterClientServiceServer
	mu         sync.Mutex
	names      []string
	batch      int
	breakAfter int
	change     func([]string) []string
	streams    int
}

func (m *listMaster) ListStatus(r *pb.ListStatusRequest, s grpc.ServerStreamingServer[pb.ListStatusResponse]) error {
	m.mu.Lock()
	m.streams++
	first := m.streams == 1
	if !first && m.change != nil {
		m.names, m.change = m.change(m.names), nil
	}
	names := append([]string(nil), m.names...)
	m.mu.Unlock()
	if r.Path == "/missing" {
		return errs.ToStatus(errs.New(errs.ErrNotFound, "path /missing"), "")
	}
	sent := 0
	for i := 0; i < len(names) || i == 0; i += m.batch {
		if first && sent == m.breakAfter {
			return errs.ToStatus(errs.New(errs.ErrUnavailable, "the master went away"), "")
		}
		var b []*pb.FileInfo
		for _, n := range names[i:min(i+m.batch, len(names))] {
			b = append(b, &pb.FileInfo{Name: n, Path: "/d/" + n})
		}
		if err := s.Send(&pb.ListStatusResponse{FileInfos: b}); err != nil {
			return err
		}
		sent++
	}
	return nil
}

func startListMaster(t *testing.T, m *listMaster) *FileSystem {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	pb.RegisterFileSystemMasterClientServiceServer(srv, m)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	f, err := New(Config{Masters: []string{lis.Addr().String()}, RetryBaseSleep: time.Millisecond, RetryMaxDuration: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("f%05d", i*2)
	}
	return out
}

func listAll(t *testing.T, l *DirLister) ([]string, int) {
	t.Helper()
	var got []string
	batches := 0
	for {
		b, err := l.Next()
		if err == io.EOF {
			return got, batches
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 {
			t.Fatal("an empty batch")
		}
		batches++
		for _, fi := range b {
			got = append(got, fi.Name)
		}
	}
}

// TestDirListerResumes: a stream that breaks in the middle of a listing is
// opened again and the listing goes on after the last name handed out:
// every name once, in order, including one created meanwhile after that
// point; one created before it is not seen, as in a directory read.
func TestDirListerResumes(t *testing.T) {
	m := &listMaster{names: names(2500), batch: 1000, breakAfter: 2, change: func(n []string) []string {
		// f00001 sorts before the break, f04001 after it.
		return append([]string{"f00001"}, append(n[:2000], append([]string{"f04001"}, n[2000:]...)...)...)
	}}
	f := startListMaster(t, m)
	got, batches := listAll(t, f.ListDir(context.Background(), "/d", StatusOptions{}))
	want := append(append([]string(nil), names(2500)[:2000]...), "f04001")
	want = append(want, names(2500)[2000:]...)
	if len(got) != len(want) {
		t.Fatalf("%d names, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("name %d is %s, want %s", i, got[i], want[i])
		}
	}
	if m.streams != 2 || batches < 3 {
		t.Fatalf("%d streams, %d batches: the listing did not resume", m.streams, batches)
	}
}

func TestDirListerEnds(t *testing.T) {
	f := startListMaster(t, &listMaster{batch: 1000, breakAfter: -1})
	if got, _ := listAll(t, f.ListDir(context.Background(), "/d", StatusOptions{})); len(got) != 0 {
		t.Fatalf("an empty directory lists %v", got)
	}
	_, err := f.ListDir(context.Background(), "/missing", StatusOptions{}).Next()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("listing a missing directory: %v", err)
	}
	l := f.ListDir(context.Background(), "/d", StatusOptions{})
	l.Close()
	if _, err := l.Next(); err != io.EOF {
		t.Fatalf("Next after Close: %v", err)
	}
}
