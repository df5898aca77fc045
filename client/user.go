package client

import (
	"context"

	"github.com/alluxio-go/alluxio/internal/rpcmeta"
)

type userKey struct{}

// WithUser returns a context whose calls act for user instead of
// Config.ImpersonateAs (or the login user): a service that serves many
// users through one FileSystem (the S3 proxy, whose users are the
// requests' access keys; FUSE, whose users are the callers' uids) names
// each call's user this way. The client still logs in as Config.User (or
// its certificate's user under TLS) and asks to impersonate user, which
// the masters allow only as alluxio.master.security.impersonation.<login
// user>.users/.groups say; naming the login user itself asks nothing.
func WithUser(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, userKey{}, user)
}

// identify tags ctx's outgoing calls with the login user and, when the
// calls act for someone else, that user.
func (f *FileSystem) identify(ctx context.Context) context.Context {
	ctx = rpcmeta.WithUser(ctx, f.cfg.User)
	as := f.cfg.ImpersonateAs
	if u, ok := ctx.Value(userKey{}).(string); ok && u != "" {
		as = u
	}
	if as != "" && as != f.cfg.User {
		ctx = rpcmeta.WithImpersonation(ctx, as)
	}
	return ctx
}
