package security_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/security/authz"
	"github.com/alluxio-go/alluxio/internal/security/securitytest"
)

type groups map[string][]string

func (g groups) Groups(user string) []string { return g[user] }

const prefix = "alluxio.master.security.impersonation."

func TestImpersonationRules(t *testing.T) {
	p, err := security.ParseImpersonation(map[string]string{
		prefix + "fuse.users":         "alice, bob",
		prefix + "s3proxy.groups":     "staff",
		prefix + "spark.users":        "*",
		prefix + "anygroup.groups":    "*",
		prefix + "svc.with.dot.users": "carol",
		"alluxio.other.key":           "ignored",
	})
	if err != nil {
		t.Fatal(err)
	}
	g := groups{"alice": {"alice", "staff"}, "bob": {"bob"}}
	for _, tc := range []struct {
		by, as string
		ok     bool
	}{
		{"fuse", "alice", true},
		{"fuse", "bob", true},
		{"fuse", "carol", false},
		{"s3proxy", "alice", true}, // alice is in staff
		{"s3proxy", "bob", false},
		{"spark", "anyone", true},
		{"anygroup", "bob", true},
		{"svc.with.dot", "carol", true},
		{"alice", "bob", false}, // nothing configured for alice
		{"alice", "alice", true},
	} {
		err := p.Check(tc.by, tc.as, g)
		if (err == nil) != tc.ok {
			t.Errorf("%s as %s: %v, want allowed=%v", tc.by, tc.as, err, tc.ok)
		}
		if err != nil && (!errors.Is(err, errs.ErrPermission) || !strings.Contains(err.Error(), "user "+tc.by+" may not impersonate "+tc.as)) {
			t.Errorf("%s as %s: refusal %q does not say who may not impersonate whom", tc.by, tc.as, err)
		}
	}
	// The zero policy (nothing configured) allows nobody.
	var none *security.Impersonation
	if err := none.Check("fuse", "alice", g); err == nil || !strings.Contains(err.Error(), "no impersonation is configured for fuse") {
		t.Fatalf("nothing configured: %v", err)
	}
}

func TestImpersonationBadKey(t *testing.T) {
	for _, k := range []string{prefix + "fuse.hosts", prefix + "users", prefix + ".users"} {
		_, err := security.ParseImpersonation(map[string]string{k: "*"})
		if !errors.Is(err, errs.ErrInvalidArg) || !strings.Contains(err.Error(), k) {
			t.Errorf("%s: %v, want an invalid-argument error naming the key", k, err)
		}
	}
}

// TestImpersonationOverTheWire: a service acts for a user only as
// configured, under SIMPLE and under TLS (where the service is its
// certificate's user); workers, which trust the master's check, take the
// claim as it comes.
func TestImpersonationOverTheWire(t *testing.T) {
	policy, err := security.ParseImpersonation(map[string]string{prefix + "proxy.users": "alice"})
	if err != nil {
		t.Fatal(err)
	}
	s := serve(t, &security.Authenticator{Type: security.Simple, Impersonation: policy}, nil)
	if err := call(t, s.addr, nil, "proxy", "alice"); err != nil {
		t.Fatal(err)
	}
	if id := s.last(); id.User != "alice" || id.Impersonator != "proxy" || id.String() != "alice via proxy" {
		t.Fatalf("identity %+v, want alice via proxy", id)
	}
	err = call(t, s.addr, nil, "proxy", "bob")
	if !errors.Is(err, errs.ErrPermission) || !strings.Contains(err.Error(), "user proxy may not impersonate bob") {
		t.Fatalf("proxy as bob: %v, want a permission error", err)
	}
	err = call(t, s.addr, nil, "mallory", "alice")
	if !errors.Is(err, errs.ErrPermission) || !strings.Contains(err.Error(), "no impersonation is configured for mallory") {
		t.Fatalf("mallory as alice: %v, want a permission error", err)
	}

	ca := securitytest.NewCA(t, "cluster")
	srv := loadTLS(t, ca, ca.Issue("alluxio", securitytest.Options{}))
	ts := serve(t, &security.Authenticator{Type: security.TLS, Impersonation: policy}, srv)
	proxyCert := loadTLS(t, ca, ca.Issue("proxy", securitytest.Options{})).ClientConfig()
	bobCert := loadTLS(t, ca, ca.Issue("bob", securitytest.Options{})).ClientConfig()
	if err := call(t, ts.addr, proxyCert, "ignored", "alice"); err != nil {
		t.Fatal(err)
	}
	if id := ts.last(); id.User != "alice" || id.Impersonator != "proxy" {
		t.Fatalf("identity %+v, want alice via proxy (from the certificate)", id)
	}
	// bob cannot become proxy by naming it: the certificate says bob.
	if err := call(t, ts.addr, bobCert, "proxy", "alice"); !errors.Is(err, errs.ErrPermission) {
		t.Fatalf("bob claiming to be proxy acting for alice: %v, want refused", err)
	}

	ws := serve(t, &security.Authenticator{Type: security.Simple, TrustImpersonation: true}, nil)
	if err := call(t, ws.addr, nil, "proxy", "bob"); err != nil {
		t.Fatal(err)
	}
	if id := ws.last(); id.User != "bob" || id.Impersonator != "proxy" {
		t.Fatalf("worker identity %+v, want bob via proxy", id)
	}
}

// movingGroups is a group mapping whose answer a test changes, counting
// how often it is asked.
type movingGroups struct {
	calls  int
	groups []string
}

func (m *movingGroups) Groups(string) []string { m.calls++; return m.groups }

// TestImpersonationGroupsThroughTheCachedMapping: a .groups rule asks the
// mapping permission checks use, static overrides first, then the cache
// of alluxio.security.group.mapping.cache.timeout: a user who leaves the
// group keeps what the cache says until it expires, as for permissions.
func TestImpersonationGroupsThroughTheCachedMapping(t *testing.T) {
	p, err := security.ParseImpersonation(map[string]string{prefix + "fuse.groups": "etl"})
	if err != nil {
		t.Fatal(err)
	}
	osg := &movingGroups{groups: []string{"etl"}}
	now := time.Unix(1000, 0)
	cached := &authz.CachedGroups{Next: osg, TTL: time.Minute, Now: func() time.Time { return now }}
	m := authz.StaticGroups{Users: map[string][]string{"svc": {"etl"}, "alice": {"staff"}}, Next: cached}

	if err := p.Check("fuse", "svc", m); err != nil {
		t.Fatalf("svc is in etl by a static override: %v", err)
	}
	if err := p.Check("fuse", "alice", m); !errors.Is(err, errs.ErrPermission) {
		t.Fatalf("alice's static override (staff) hides the OS's etl: %v, want refused", err)
	}
	if err := p.Check("fuse", "bob", m); err != nil {
		t.Fatalf("bob is in etl by the OS: %v", err)
	}
	osg.groups = nil // bob leaves etl
	if err := p.Check("fuse", "bob", m); err != nil || osg.calls != 1 {
		t.Fatalf("within the cache timeout: %v after %d lookups, want the cached etl from one lookup", err, osg.calls)
	}
	now = now.Add(time.Minute)
	if err := p.Check("fuse", "bob", m); !errors.Is(err, errs.ErrPermission) || osg.calls != 2 {
		t.Fatalf("after the cache timeout: %v after %d lookups, want refused after a second lookup", err, osg.calls)
	}
}
