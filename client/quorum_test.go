package client

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// quorumMaster answers quorum changes as a primary whose first answer is
// lost: it applies the change, then times out; every later attempt finds
// the change made.
type quorumMaster struct {
	pb.UnimplementedMetaMasterClientServiceServer
	mu    sync.Mutex
	calls int
}

func (q *quorumMaster) answer() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls++
	if q.calls == 1 {
		return errs.ToStatus(errs.New(errs.ErrUnavailable, "remove: timed out waiting for the quorum"), "")
	}
	return nil
}

func (q *quorumMaster) RemoveQuorumServer(context.Context, *pb.RemoveQuorumServerRequest) (*pb.RemoveQuorumServerResponse, error) {
	if err := q.answer(); err != nil {
		return nil, err
	}
	return nil, errs.ToStatus(errs.New(errs.ErrNotFound, "m2:19200 is not a member of the journal quorum"), "")
}

func (q *quorumMaster) AddQuorumServer(context.Context, *pb.AddQuorumServerRequest) (*pb.AddQuorumServerResponse, error) {
	if err := q.answer(); err != nil {
		return nil, err
	}
	return nil, errs.ToStatus(errs.New(errs.ErrAlreadyExists, "m2:19200 is already a member of the journal quorum"), "")
}

func startQuorumMaster(t *testing.T) (*quorumMaster, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	q := &quorumMaster{}
	pb.RegisterMetaMasterClientServiceServer(srv, q)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return q, lis.Addr().String()
}

// A quorum change retried after an attempt whose answer was lost (found as
// a flake of TestEmbeddedQuorumAdministration: the remove applied, its
// answer timed out, and the retry said "not a member") succeeds; a first
// attempt refused the same way is still an error.
func TestQuorumChangeRetriedAfterLostAnswer(t *testing.T) {
	for _, tc := range []struct {
		name string
		call func(*FileSystem) error
	}{
		{"remove", func(f *FileSystem) error { return f.RemoveQuorumMember(context.Background(), "m2:19200") }},
		{"add", func(f *FileSystem) error { return f.AddQuorumMember(context.Background(), "m2:19200", "m2:19998") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, addr := startQuorumMaster(t)
			f, err := New(Config{Masters: []string{addr}, RetryBaseSleep: time.Millisecond, RetryMaxDuration: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := tc.call(f); err != nil {
				t.Fatalf("retried %s after a lost answer: %v", tc.name, err)
			}
			if q.calls != 2 {
				t.Fatalf("%d attempts, want 2", q.calls)
			}
			// Refused at the first attempt: the member really is absent
			// (or present), which the caller must hear.
			q.calls = 1
			err = tc.call(f)
			if err == nil || !(errors.Is(err, errs.ErrNotFound) || errors.Is(err, errs.ErrAlreadyExists)) {
				t.Fatalf("first-attempt refusal answered %v", err)
			}
		})
	}
}
