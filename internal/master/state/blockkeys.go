package state

import (
	"slices"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/security/authz/blockcap"
)

// Block keys sign block capabilities. They live in the replicated state,
// so every master has the keys its predecessors signed with, and a
// failover leaves the capabilities already handed out valid until they
// expire. The primary makes them (a random secret in a BlockKey entry);
// Apply only records them and drops those that have expired at the
// entry's time.

// minSecret is the shortest secret Apply takes (HMAC-SHA256 wants 32
// bytes; anything under 16 is a mistake).
const minSecret = 16

func (s *State) applyBlockKey(op *journalpb.BlockKey, t int64) Result {
	if len(op.Secret) < minSecret {
		return Result{Err: errs.New(errs.ErrInvalidArg, "block key %d: a secret of %d bytes (at least %d)", op.Id, len(op.Secret), minSecret)}
	}
	if n := len(s.keys); n > 0 && op.Id <= s.keys[n-1].ID {
		return Result{Err: errs.New(errs.ErrInvalidArg, "block key %d: not after key %d", op.Id, s.keys[n-1].ID)}
	}
	if op.ExpiresMs <= t {
		return Result{Err: errs.New(errs.ErrInvalidArg, "block key %d: expired at %d, before the entry's time %d", op.Id, op.ExpiresMs, t)}
	}
	s.keys = slices.DeleteFunc(s.keys, func(k blockcap.Key) bool { return k.ExpiresMs <= t })
	s.keys = append(s.keys, blockcap.Key{ID: op.Id, Secret: slices.Clone(op.Secret), ExpiresMs: op.ExpiresMs})
	return Result{}
}

// SigningBlockKey returns the oldest block key that expires at or after
// minExpiresMs, false when there is none. Signing with the oldest usable
// key, not the newest, leaves a new key unused until the one before it
// runs out, so that workers have learnt it (with a heartbeat) before a
// capability signed with it reaches them. Callers must not change the
// secret.
func (s *State) SigningBlockKey(minExpiresMs int64) (blockcap.Key, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, k := range s.keys {
		if k.ExpiresMs >= minExpiresMs {
			return k, true
		}
	}
	return blockcap.Key{}, false
}

// BlockKeys returns the block keys, oldest first. Callers must not change
// the secrets.
func (s *State) BlockKeys() []blockcap.Key {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.keys)
}

func (s *State) restoreBlockKey(k *journalpb.BlockKey) error {
	if n := len(s.keys); len(k.Secret) < minSecret || (n > 0 && k.Id <= s.keys[n-1].ID) {
		return errs.New(errs.ErrCorrupt, "block key %d out of order or too short", k.Id)
	}
	s.keys = append(s.keys, blockcap.Key{ID: k.Id, Secret: slices.Clone(k.Secret), ExpiresMs: k.ExpiresMs})
	return nil
}
