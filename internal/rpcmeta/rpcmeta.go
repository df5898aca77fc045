// Package rpcmeta holds the parts of the gRPC protocol the .proto files do
// not carry: the metadata that names the caller. The client sets it and the
// servers read it, from this one definition.
package rpcmeta

import (
	"context"

	"google.golang.org/grpc/metadata"
)

// UserHeader is the gRPC metadata key that carries the client's login user
// (SIMPLE authentication, as in Alluxio: the client says who it is). Under
// mutual TLS servers ignore it: the certificate names the user.
const UserHeader = "alluxio-user"

// ImpersonationHeader carries the user a service acts for (FUSE, the S3
// proxy), when it is not the login user itself; the master allows it only
// as alluxio.master.security.impersonation.* says.
const ImpersonationHeader = "alluxio-impersonate"

// WithUser tags outgoing calls made with ctx with user.
func WithUser(ctx context.Context, user string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, UserHeader, user)
}

// WithImpersonation tags outgoing calls made with ctx with the user they
// act for.
func WithImpersonation(ctx context.Context, user string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, ImpersonationHeader, user)
}

// User is the user an incoming call names, or "" when it names none.
func User(ctx context.Context) string { return first(ctx, UserHeader) }

// Impersonation is the user an incoming call acts for, or "" when none.
func Impersonation(ctx context.Context) string { return first(ctx, ImpersonationHeader) }

// first is a header's first value; a caller that sends it twice gets the
// first one believed, consistently on every server.
func first(ctx context.Context, key string) string {
	// ValueFromIncomingContext does not copy the whole metadata, which
	// every call of every server would pay for.
	if v := metadata.ValueFromIncomingContext(ctx, key); len(v) > 0 {
		return v[0]
	}
	return ""
}
