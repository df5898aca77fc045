package security

import (
	"context"
	"crypto/x509"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"
)

// Authenticator establishes the Identity of each call a gRPC server gets
// and puts it in the call's context; a call it cannot establish is refused
// with ErrUnauthenticated (or ErrPermission for an impersonation that is
// not allowed) before any handler runs. Its fields are set before the
// server starts and not changed after; its interceptors run on many
// goroutines at once.
type Authenticator struct {
	// Type is NoSASL, Simple, or TLS (the server's transport is mutual
	// TLS and certificates name the users).
	Type AuthType
	// Impersonation says who may act for whom. Nil allows nobody, unless
	// TrustImpersonation.
	Impersonation *Impersonation
	// TrustImpersonation takes impersonation claims as they come. Workers
	// set it: what a worker serves is decided by the master, which checked
	// the claim before it answered the same user.
	TrustImpersonation bool
	// Groups resolves users' groups for .groups rules; nil matches no
	// group.
	Groups GroupMapping
}

// Identify establishes the identity of the call ctx belongs to.
func (a *Authenticator) Identify(ctx context.Context) (Identity, error) {
	id := Identity{AuthType: a.Type}
	p, _ := peer.FromContext(ctx)
	if p != nil && p.Addr != nil {
		id.Addr = p.Addr.String()
	}
	var login string
	switch a.Type {
	case NoSASL:
		// Alluxio's NOSASL server ignores whatever the client says.
		return id, nil
	case TLS:
		cert := peerCertificate(p)
		if cert == nil {
			return id, errs.New(errs.ErrUnauthenticated, "the connection carries no verified client certificate")
		}
		if login = CertificateUser(cert); login == "" {
			return id, errs.New(errs.ErrUnauthenticated, "the client certificate (serial %s, issued by %q) has no common name to take the user from",
				cert.SerialNumber, cert.Issuer.CommonName)
		}
	default:
		if login = rpcmeta.User(ctx); login == "" {
			return id, errs.New(errs.ErrUnauthenticated, "the call names no user, and this server uses SIMPLE authentication: "+
				"set alluxio.security.authentication.type=SIMPLE on the client too")
		}
	}
	id.User = login
	if as := rpcmeta.Impersonation(ctx); as != "" && as != login {
		if !a.TrustImpersonation {
			if err := a.Impersonation.Check(login, as, a.Groups); err != nil {
				return id, err
			}
		}
		id.User, id.Impersonator = as, login
	}
	return id, nil
}

// peerCertificate is the verified leaf certificate of a TLS peer, or nil.
func peerCertificate(p *peer.Peer) *x509.Certificate {
	if p == nil {
		return nil
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.VerifiedChains) == 0 || len(info.State.VerifiedChains[0]) == 0 {
		return nil
	}
	return info.State.VerifiedChains[0][0]
}

// CertificateUser is the user a client certificate names: its subject's
// common name (as Kubernetes takes it).
func CertificateUser(cert *x509.Certificate) string { return cert.Subject.CommonName }

// UnaryInterceptor establishes each unary call's identity.
func (a *Authenticator) UnaryInterceptor(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	id, err := a.Identify(ctx)
	if err != nil {
		return nil, errs.ToStatus(err, "")
	}
	return h(NewContext(ctx, id), req)
}

// StreamInterceptor establishes each stream's identity.
func (a *Authenticator) StreamInterceptor(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	id, err := a.Identify(ss.Context())
	if err != nil {
		return errs.ToStatus(err, "")
	}
	return h(srv, &identifiedStream{ServerStream: ss, ctx: NewContext(ss.Context(), id)})
}

// identifiedStream is a server stream whose context carries the identity.
type identifiedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *identifiedStream) Context() context.Context { return s.ctx }

// ServerOptions are the interceptors of a with the rest of a server's
// chain after them, so every handler and later interceptor sees the
// identity.
func (a *Authenticator) ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.ChainUnaryInterceptor(a.UnaryInterceptor), grpc.ChainStreamInterceptor(a.StreamInterceptor)}
}
