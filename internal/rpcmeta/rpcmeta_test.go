package rpcmeta

import (
	"context"
	"testing"

	"google.golang.org/grpc/metadata"
)

// TestUserRoundTrip: what the client sets is what the server reads, as
// gRPC carries outgoing metadata over to the incoming side.
func TestUserRoundTrip(t *testing.T) {
	out := WithImpersonation(WithUser(context.Background(), "alice"), "bob")
	md, _ := metadata.FromOutgoingContext(out)
	in := metadata.NewIncomingContext(context.Background(), md)
	if got := User(in); got != "alice" {
		t.Fatalf("User = %q, want alice", got)
	}
	if got := Impersonation(in); got != "bob" {
		t.Fatalf("Impersonation = %q, want bob", got)
	}
	if got := User(context.Background()); got != "" {
		t.Fatalf("User without metadata = %q, want empty", got)
	}
	if got := Impersonation(incomingWithUserOnly(t)); got != "" {
		t.Fatalf("Impersonation without the header = %q, want empty", got)
	}
}

func incomingWithUserOnly(t *testing.T) context.Context {
	t.Helper()
	md, _ := metadata.FromOutgoingContext(WithUser(context.Background(), "alice"))
	return metadata.NewIncomingContext(context.Background(), md)
}
