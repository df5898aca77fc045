// Package blockcap signs and checks block capabilities: the master's word
// that a user may read or write the blocks of one file until a time, like
// HDFS's block access tokens. A capability is an HMAC-SHA256, under a key
// the masters journal and hand to workers, over the file id, the user, the
// access and the expiry; clients carry capabilities but never see a key,
// so they cannot make or widen one.
package blockcap

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// Access bits of a capability, as the permission bits.
const (
	Read  uint32 = 4
	Write uint32 = 2
)

// Capability is the signed message, as the protocol carries it.
type Capability = pb.BlockCapability

// Key is one signing key: its id, secret and the time (ms) after which no
// capability it signed is valid.
type Key struct {
	ID        int64
	Secret    []byte
	ExpiresMs int64
}

// mac is the HMAC of c's signed fields under secret. Every field is
// framed (fixed widths, the user's length first), so no two capabilities
// share an input.
func mac(secret []byte, c *pb.BlockCapability) []byte {
	h := hmac.New(sha256.New, secret)
	var b [36]byte
	binary.BigEndian.PutUint64(b[0:], uint64(c.FileId))
	binary.BigEndian.PutUint32(b[8:], c.Access)
	binary.BigEndian.PutUint64(b[12:], uint64(c.ExpiresMs))
	binary.BigEndian.PutUint64(b[20:], uint64(c.KeyId))
	binary.BigEndian.PutUint64(b[28:], uint64(len(c.User)))
	h.Write(b[:])
	h.Write([]byte(c.User))
	return h.Sum(nil)
}

// Sign returns the capability for user to access (Read, Write or both)
// the blocks of fileID until expiresMs, under k.
func Sign(k Key, fileID int64, user string, access uint32, expiresMs int64) *pb.BlockCapability {
	c := &pb.BlockCapability{FileId: fileID, User: user, Access: access, ExpiresMs: expiresMs, KeyId: k.ID}
	c.Mac = mac(k.Secret, c)
	return c
}

// Verifier checks capabilities against the keys it was last given. It is
// safe for concurrent use.
type Verifier struct {
	mu   sync.RWMutex
	keys map[int64]Key
}

// SetKeys replaces the keys. Keys are added and dropped only by the
// masters, so a worker takes whatever the primary sends.
func (v *Verifier) SetKeys(keys []Key) {
	m := make(map[int64]Key, len(keys))
	for _, k := range keys {
		m[k.ID] = k
	}
	v.mu.Lock()
	v.keys = m
	v.mu.Unlock()
}

// Enabled reports whether the verifier has keys: until the master sends
// some (a cluster without capabilities), nothing is checked.
func (v *Verifier) Enabled() bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.keys) > 0
}

// Check allows access to block blockID for user at nowMs under c, or says
// why not (an ErrPermission naming the block).
func (v *Verifier) Check(c *pb.BlockCapability, blockID int64, user string, access uint32, nowMs int64) error {
	deny := func(why string, args ...any) error {
		return errs.New(errs.ErrPermission, "block %d: %s", blockID, fmt.Sprintf(why, args...))
	}
	if c == nil {
		return deny("no capability (ask the master for the file's status first)")
	}
	v.mu.RLock()
	k, ok := v.keys[c.KeyId]
	v.mu.RUnlock()
	switch {
	case !ok:
		return deny("capability signed with unknown key %d", c.KeyId)
	case !hmac.Equal(mac(k.Secret, c), c.Mac):
		return deny("capability signature does not match")
	case c.ExpiresMs <= nowMs:
		return deny("capability expired %d ms ago", nowMs-c.ExpiresMs)
	case c.ExpiresMs > k.ExpiresMs:
		return deny("capability outlives its key")
	case blockid.FileID(blockID) != c.FileId:
		return deny("capability is for file %d, the block belongs to file %d", c.FileId, blockid.FileID(blockID))
	case c.User != user:
		return deny("capability is for user %q, not %q", c.User, user)
	case c.Access&access != access:
		return deny("capability does not allow %s", map[uint32]string{Read: "reading", Write: "writing"}[access])
	}
	return nil
}
