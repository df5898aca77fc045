package rpcmeta

import (
	"context"
	"testing"

	"google.golang.org/grpc/metadata"
)

// TestUserRoundTrip: what the client sets is what the server reads, as
// gRPC carries outgoing metadata over to the incoming side.
func TestUserRoundTrip(t *testing.T) {
	out := WithUser(context.Background(), "alice")
	md, _ := metadata.FromOutgoingContext(out)
	in := metadata.NewIncomingContext(context.Background(), md)
	if got := User(in); got != "alice" {
		t.Fatalf("User = %q, want alice", got)
	}
	if got := User(context.Background()); got != "" {
		t.Fatalf("User without metadata = %q, want empty", got)
	}
}
