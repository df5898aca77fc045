package client

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
)

// countingStream stands for the OpenLocalBlock stream that pins a block on
// its worker; the cache must end it exactly once per file.
type countingStream struct {
	grpc.BidiStreamingClient[pb.OpenLocalBlockRequest, pb.OpenLocalBlockResponse]
	mu     sync.Mutex
	closes int
}

func (s *countingStream) CloseSend() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closes++
	return nil
}

func (s *countingStream) closed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closes
}

type opened struct {
	lf     *localFile
	stream *countingStream
}

// opener opens real files under dir and remembers each.
func opener(t *testing.T, dir string, all *[]opened) func(id int64) func() (*localFile, error) {
	return func(id int64) func() (*localFile, error) {
		return func() (*localFile, error) {
			p := filepath.Join(dir, "block")
			if err := os.WriteFile(p, []byte("data"), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			s := &countingStream{}
			_, cancel := context.WithCancel(context.Background())
			lf := &localFile{file: f, stream: s, cancel: cancel, addr: "w:1", length: 4}
			*all = append(*all, opened{lf, s})
			return lf, nil
		}
	}
}

func TestLocalFilesCache(t *testing.T) {
	var all []opened
	open := opener(t, t.TempDir(), &all)
	var c localFiles

	// A second user of a block shares its open file.
	a, err := c.acquire("w:1", 1, open(1))
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := c.acquire("w:1", 1, open(1))
	if a2 != a || len(all) != 1 {
		t.Fatalf("second acquire opened again (%d opens)", len(all))
	}
	c.release(a2, false)
	c.release(a, false)
	if all[0].stream.closed() != 0 {
		t.Fatal("an idle cached file was closed")
	}

	// Beyond maxLocalOpen idle files, the least recently used is closed;
	// one in use is kept however old.
	held, _ := c.acquire("w:1", 1, open(1))
	for id := int64(2); id <= maxLocalOpen+2; id++ {
		lf, err := c.acquire("w:1", id, open(id))
		if err != nil {
			t.Fatal(err)
		}
		c.release(lf, false)
	}
	if all[0].stream.closed() != 0 {
		t.Fatal("a file in use was closed to make room")
	}
	if all[1].stream.closed() != 1 {
		t.Fatalf("the least recently used idle file was closed %d times, want 1", all[1].stream.closed())
	}

	// A failed read drops the file: closed once its last user is done,
	// and the next acquire opens it again.
	c.release(held, true)
	if all[0].stream.closed() != 1 {
		t.Fatalf("a dropped file was closed %d times, want 1", all[0].stream.closed())
	}
	again, _ := c.acquire("w:1", 1, open(1))
	if again == held {
		t.Fatal("a dropped file was handed out again")
	}

	// closeAll closes idle files now, busy ones when released, and
	// refuses to cache new ones.
	c.closeAll()
	for i, o := range all {
		want := 1
		if o.lf == again {
			want = 0
		}
		if got := o.stream.closed(); got != want {
			t.Errorf("file %d closed %d times after closeAll, want %d", i, got, want)
		}
	}
	c.release(again, false)
	if got := all[len(all)-1].stream.closed(); got != 1 {
		t.Fatalf("busy file closed %d times once released, want 1", got)
	}
	if _, err := c.acquire("w:1", 9, open(9)); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("acquire after closeAll: %v", err)
	}
	if got := all[len(all)-1].stream.closed(); got != 1 {
		t.Fatalf("a file opened after closeAll was left open (closed %d times)", got)
	}
}
