package security

import (
	"context"
	"fmt"
	"strings"
)

// AuthType is how a server established a call's user.
type AuthType string

// The authentication types. NoSASL and Simple are Alluxio's
// (alluxio.security.authentication.type); TLS is what a server with
// alluxio.network.tls.enabled uses instead of SIMPLE.
const (
	NoSASL AuthType = "NOSASL"
	Simple AuthType = "SIMPLE"
	TLS    AuthType = "TLS"
)

// ParseAuthType reads alluxio.security.authentication.type. CUSTOM, which
// Alluxio has for pluggable providers, is refused with a pointer to mutual
// TLS, which takes its place here.
func ParseAuthType(v string) (AuthType, error) {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "NOSASL":
		return NoSASL, nil
	case "SIMPLE", "":
		return Simple, nil
	case "CUSTOM":
		return "", fmt.Errorf("alluxio.security.authentication.type=CUSTOM is not supported: " +
			"use SIMPLE with alluxio.network.tls.enabled=true (users from client certificates) instead")
	}
	return "", fmt.Errorf("alluxio.security.authentication.type (%q): want NOSASL or SIMPLE", v)
}

// Identity is who a call comes from, as the server established it.
type Identity struct {
	// User is the user the call acts as: whose permissions apply and who
	// owns what it creates. Empty under NOSASL.
	User string
	// AuthType says how the server established the caller (Impersonator
	// when set, else User).
	AuthType AuthType
	// Impersonator, when not empty, is the authenticated user acting for
	// User (a FUSE mount, the S3 proxy). On a master it was allowed by
	// alluxio.master.security.impersonation.<Impersonator>.* before the
	// call reached a handler.
	Impersonator string
	// Addr is the caller's address (host:port), "" when unknown.
	Addr string
}

// Authenticated reports whether the call has a user at all: false under
// NOSASL, where permission checks do not apply (as in Alluxio).
func (i Identity) Authenticated() bool { return i.AuthType != NoSASL && i.User != "" }

// String is the identity as logs name it: "bob", "bob via fuse",
// "anonymous" for NOSASL.
func (i Identity) String() string {
	switch {
	case i.User == "":
		return "anonymous"
	case i.Impersonator != "":
		return i.User + " via " + i.Impersonator
	}
	return i.User
}

type identityKey struct{}

// NewContext returns ctx carrying id. Servers' interceptors call it; tests
// may too, to call a handler as a user.
func NewContext(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// FromContext returns the identity of the call ctx belongs to. ok is false
// for a context no authenticating server built: the server's own work
// (background jobs, journal replay), which acts with the server's rights.
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}
