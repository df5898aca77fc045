package client

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// answersUnavailable is a master that answers every GetStatus with an
// "unavailable" of its own, as one whose under storage is down does.
type answersUnavailable struct {
	pb.UnimplementedFileSystemMasterClientServiceServer
}

func (answersUnavailable) GetStatus(context.Context, *pb.GetStatusRequest) (*pb.GetStatusResponse, error) {
	return nil, errs.ToStatus(errs.New(errs.ErrUnavailable, "the under storage is down"), "")
}

// TestRetryEndsWithTheMastersAnswer: a retryable error the primary kept
// answering ends the retries as itself; only a master that was never
// reached gives "no primary master answered".
func TestRetryEndsWithTheMastersAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	pb.RegisterFileSystemMasterClientServiceServer(srv, answersUnavailable{})
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)

	cfg := Config{RetryMaxDuration: 300 * time.Millisecond, RetryBaseSleep: 20 * time.Millisecond, RPCTimeout: 2 * time.Second}
	for _, tt := range []struct {
		name, addr, want, not string
	}{
		{"answered", ln.Addr().String(), "the under storage is down", "no primary master answered"},
		{"unreached", deadAddr(t), "no primary master answered", ""},
	} {
		cfg.Masters = []string{tt.addr}
		fs, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = fs.GetStatus(context.Background(), "/x", StatusOptions{})
		fs.Close()
		if !errors.Is(err, errs.ErrUnavailable) || !strings.Contains(err.Error(), tt.want) || (tt.not != "" && strings.Contains(err.Error(), tt.not)) {
			t.Errorf("%s: %v; want an unavailable error saying %q", tt.name, err, tt.want)
		}
	}
}

// deadAddr is an address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
