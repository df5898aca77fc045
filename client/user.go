package client

import "context"

type userKey struct{}

// WithUser returns a context whose calls act as user instead of the
// configured Config.User: a service that serves many users through one
// FileSystem (the S3 proxy, whose users are the requests' access keys)
// names each call's user this way. Under SIMPLE authentication the master
// trusts the name, as it trusts Config.User.
func WithUser(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, userKey{}, user)
}

// userOf is the user ctx names, else def.
func userOf(ctx context.Context, def string) string {
	if u, ok := ctx.Value(userKey{}).(string); ok && u != "" {
		return u
	}
	return def
}
