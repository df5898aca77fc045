package blockcap

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
)

func TestCheck(t *testing.T) {
	k := Key{ID: 7, Secret: []byte("0123456789abcdef0123456789abcdef"), ExpiresMs: 10_000}
	var v Verifier
	if v.Enabled() {
		t.Fatal("a verifier without keys checks")
	}
	v.SetKeys([]Key{k})
	block := blockid.New(42, 3)
	good := Sign(k, 42, "alice", Read, 5_000)
	if err := v.Check(good, block, "alice", Read, 1_000); err != nil {
		t.Fatal(err)
	}
	tamper := func(f func(c *Capability)) *Capability {
		c := proto.Clone(good).(*Capability)
		f(c)
		return c
	}
	for _, tt := range []struct {
		name  string
		c     *Capability
		block int64
		user  string
		want  uint32
		now   int64
	}{
		{"none", nil, block, "alice", Read, 1_000},
		{"another user", good, block, "bob", Read, 1_000},
		{"renamed", tamper(func(c *Capability) { c.User = "bob" }), block, "bob", Read, 1_000},
		{"widened", tamper(func(c *Capability) { c.Access = Read | Write }), block, "alice", Write, 1_000},
		{"lengthened", tamper(func(c *Capability) { c.ExpiresMs = 9_000 }), block, "alice", Read, 6_000},
		{"another file", good, blockid.New(43, 0), "alice", Read, 1_000},
		{"expired", good, block, "alice", Read, 5_000},
		{"write with read", good, block, "alice", Write, 1_000},
		{"unknown key", tamper(func(c *Capability) { c.KeyId = 8 }), block, "alice", Read, 1_000},
		{"bad mac", tamper(func(c *Capability) { c.Mac[0] ^= 1 }), block, "alice", Read, 1_000},
		{"outlives its key", Sign(k, 42, "alice", Read, 20_000), block, "alice", Read, 1_000},
	} {
		if err := v.Check(tt.c, tt.block, tt.user, tt.want, tt.now); !errors.Is(err, errs.ErrPermission) {
			t.Errorf("%s: %v, want a refusal", tt.name, err)
		}
	}
	v.SetKeys(nil)
	if v.Enabled() {
		t.Error("no keys, still checking")
	}
}

// FuzzCheck: whatever a client sends as a capability is refused unless it
// is exactly one the key signed, and never panics.
func FuzzCheck(f *testing.F) {
	f.Add(int64(42), "alice", uint32(4), int64(5000), int64(7), []byte("mac"), int64(42<<24))
	k := Key{ID: 7, Secret: []byte("0123456789abcdef0123456789abcdef"), ExpiresMs: 10_000}
	var v Verifier
	v.SetKeys([]Key{k})
	f.Fuzz(func(t *testing.T, file int64, user string, access uint32, expires, keyID int64, mac []byte, block int64) {
		c := &Capability{FileId: file, User: user, Access: access, ExpiresMs: expires, KeyId: keyID, Mac: mac}
		if v.Check(c, block, user, Read, 1_000) == nil {
			t.Fatalf("a capability the key did not sign was taken: %v", c)
		}
	})
}
