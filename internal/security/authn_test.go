package security_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/rpcmeta"
	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/security/securitytest"
)

// server is a real gRPC server on 127.0.0.1 (the health service) behind an
// Authenticator; it records the identity each call reached the handler
// with.
type server struct {
	addr string
	mu   sync.Mutex
	ids  []security.Identity
}

func serve(t *testing.T, a *security.Authenticator, creds *security.TLSCreds) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{addr: ln.Addr().String()}
	record := func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		id, ok := security.FromContext(ctx)
		if !ok {
			t.Errorf("the handler's context carries no identity")
		}
		s.mu.Lock()
		s.ids = append(s.ids, id)
		s.mu.Unlock()
		return h(ctx, req)
	}
	g := grpc.NewServer(security.ServerOption(creds, nil), grpc.ChainUnaryInterceptor(a.UnaryInterceptor, record))
	healthpb.RegisterHealthServer(g, health.NewServer())
	go g.Serve(ln)
	t.Cleanup(g.Stop)
	return s
}

func (s *server) last() security.Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ids) == 0 {
		return security.Identity{}
	}
	return s.ids[len(s.ids)-1]
}

// call makes one call as user (header, "" for none) acting for as ("" for
// itself), over TLS with cfg when not nil, and returns the error as the
// client sees it (mapped by errs.FromStatus).
func call(t *testing.T, addr string, cfg *tls.Config, user, as string) error {
	t.Helper()
	cc, err := grpc.NewClient(addr, security.DialOption(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if user != "" {
		ctx = rpcmeta.WithUser(ctx, user)
	}
	if as != "" {
		ctx = rpcmeta.WithImpersonation(ctx, as)
	}
	_, err = healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{})
	err, _ = errs.FromStatus(err)
	return err
}

func TestSimpleTrustsTheNamedUser(t *testing.T) {
	s := serve(t, &security.Authenticator{Type: security.Simple}, nil)
	if err := call(t, s.addr, nil, "alice", ""); err != nil {
		t.Fatal(err)
	}
	if id := s.last(); id.User != "alice" || id.AuthType != security.Simple || id.Impersonator != "" || !strings.HasPrefix(id.Addr, "127.0.0.1:") {
		t.Fatalf("identity %+v, want alice by SIMPLE from 127.0.0.1", id)
	}
	err := call(t, s.addr, nil, "", "")
	if !errors.Is(err, errs.ErrUnauthenticated) || !strings.Contains(err.Error(), "names no user") {
		t.Fatalf("a call naming no user: %v, want unauthenticated saying it names no user", err)
	}
}

func TestNoSASLHasNoUsers(t *testing.T) {
	s := serve(t, &security.Authenticator{Type: security.NoSASL}, nil)
	if err := call(t, s.addr, nil, "alice", "bob"); err != nil {
		t.Fatal(err)
	}
	if id := s.last(); id.User != "" || id.Authenticated() || id.String() != "anonymous" {
		t.Fatalf("identity %+v under NOSASL, want nobody", id)
	}
}

// TestTLSUserComesFromTheCertificate: under mutual TLS a user header
// claims nothing; the certificate's common name is the user.
func TestTLSUserComesFromTheCertificate(t *testing.T) {
	ca := securitytest.NewCA(t, "cluster")
	srv := loadTLS(t, ca, ca.Issue("alluxio", securitytest.Options{}))
	cli := loadTLS(t, ca, ca.Issue("alice", securitytest.Options{}))
	s := serve(t, &security.Authenticator{Type: security.TLS}, srv)
	for _, claim := range []string{"", "alice", "root", "bob"} {
		if err := call(t, s.addr, cli.ClientConfig(), claim, ""); err != nil {
			t.Fatalf("claiming %q: %v", claim, err)
		}
		if id := s.last(); id.User != "alice" || id.AuthType != security.TLS {
			t.Fatalf("claiming %q under TLS: identity %+v, want alice from the certificate", claim, id)
		}
	}
}

// TestTLSRefusals: a client without a certificate, with one of another
// authority, or with an expired one is refused at the handshake, with an
// error that says so and is not retried as a server being away.
func TestTLSRefusals(t *testing.T) {
	ca := securitytest.NewCA(t, "cluster")
	other := securitytest.NewCA(t, "other")
	srv := loadTLS(t, ca, ca.Issue("alluxio", securitytest.Options{}))
	s := serve(t, &security.Authenticator{Type: security.TLS}, srv)
	good := loadTLS(t, ca, ca.Issue("alice", securitytest.Options{})).ClientConfig()
	noCert := good.Clone()
	noCert.Certificates = nil
	wrongCA := loadTLS(t, ca, other.Issue("alice", securitytest.Options{})).ClientConfig()
	expired := loadTLS(t, ca, ca.Issue("alice", securitytest.Options{Expired: true})).ClientConfig()
	// The client trusts another authority than the server's.
	distrust := loadTLS(t, other, other.Issue("alice", securitytest.Options{})).ClientConfig()
	for _, tc := range []struct {
		name string
		cfg  *tls.Config
		want string
	}{
		{"no certificate", noCert, "certificate required"},
		{"wrong CA", wrongCA, "not issued by an authority the server trusts"},
		{"expired", expired, "expired certificate"},
		{"server of another CA", distrust, "certificate signed by unknown authority"},
	} {
		err := call(t, s.addr, tc.cfg, "alice", "")
		if !errors.Is(err, errs.ErrUnauthenticated) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an unauthenticated error mentioning %q", tc.name, err, tc.want)
		}
	}
	// A client without TLS cannot tell a refusal from a server that went
	// away (the server logs why); it is refused all the same.
	if err := call(t, s.addr, nil, "alice", ""); !errors.Is(err, errs.ErrUnavailable) {
		t.Errorf("a plain TCP client: %v, want a failed connection", err)
	}
	if len(s.ids) != 0 {
		t.Fatalf("refused clients reached the handler: %+v", s.ids)
	}
	if err := call(t, s.addr, good, "", ""); err != nil {
		t.Fatalf("the good certificate after the refusals: %v", err)
	}
}

func loadTLS(t *testing.T, ca *securitytest.CA, f securitytest.Files) *security.TLSCreds {
	t.Helper()
	c, err := security.LoadTLS(security.TLSFiles{CertFile: f.CertFile, KeyFile: f.KeyFile, CAFile: ca.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
