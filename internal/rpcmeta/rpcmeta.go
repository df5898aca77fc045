// Package rpcmeta holds the parts of the gRPC protocol the .proto files do
// not carry: the metadata that names the caller. The client sets it and the
// servers read it, from this one definition.
package rpcmeta

import (
	"context"

	"google.golang.org/grpc/metadata"
)

// UserHeader is the gRPC metadata key that carries the client's user name
// (SIMPLE authentication, as in Alluxio: the client says who it is).
const UserHeader = "alluxio-user"

// WithUser tags outgoing calls made with ctx with user.
func WithUser(ctx context.Context, user string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, UserHeader, user)
}

// User is the user an incoming call names, or "" when it names none.
func User(ctx context.Context) string {
	// ValueFromIncomingContext does not copy the whole metadata, which
	// every call of every server would pay for.
	if v := metadata.ValueFromIncomingContext(ctx, UserHeader); len(v) > 0 {
		return v[0]
	}
	return ""
}
