// Package rpcserver holds what the master and worker processes share about
// running their gRPC and web servers.
package rpcserver

import (
	"context"
	"net/http"
	"time"

	"google.golang.org/grpc"
)

// StopTimeout bounds how long a graceful stop waits for in-flight calls.
const StopTimeout = 5 * time.Second

// Stop stops a gRPC server gracefully, letting in-flight calls finish, but
// no longer than ctx or StopTimeout allow; then closes the web server.
// Either may be nil (a half-started process).
func Stop(ctx context.Context, srv *grpc.Server, web *http.Server) {
	if srv != nil {
		done := make(chan struct{})
		go func() { srv.GracefulStop(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			srv.Stop()
		case <-time.After(StopTimeout):
			srv.Stop()
		}
	}
	if web != nil {
		web.Close()
	}
}
