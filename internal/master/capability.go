package master

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/security/authz"
	"github.com/alluxio-go/alluxio/internal/security/authz/blockcap"
)

// Workers serve a block only with a capability the master signed
// (blockcap): the primary signs one for each file status it hands out to
// a caller allowed to read the file, and one to write with each file it
// creates. The keys are journaled (state/blockkeys.go): the primary makes
// a new one when the newest would expire before a capability signed now,
// so every master and worker can check what any primary signed.

// keyRotation is how often the primary looks at its keys; a key is made
// long before it is needed, so this only bounds the delay.
const keyRotation = 10 * time.Second

// runKeyRotation keeps a signing key ready until ctx ends (this master
// stops being primary).
func (s *Server) runKeyRotation(ctx context.Context) {
	if s.cfg.CapabilityLifetime <= 0 {
		return
	}
	t := time.NewTicker(min(keyRotation, s.cfg.CapabilityLifetime/4))
	defer t.Stop()
	for {
		if err := s.fs.rotateKey(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("block key rotation failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// rotateKey journals a new block key when the newest one expires within
// two capability lifetimes; each key lives for four, so the keys in use
// overlap and a capability never outlives its key.
func (fs *fileSystem) rotateKey(ctx context.Context) error {
	life := fs.cfg.CapabilityLifetime
	now := fs.now()
	keys := fs.st.BlockKeys()
	if n := len(keys); n > 0 && keys[n-1].ExpiresMs > now.Add(2*life).UnixMilli() {
		return nil
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	id := int64(1)
	if n := len(keys); n > 0 {
		id = keys[n-1].ID + 1
	}
	_, err := fs.propose(ctx, "", &journalpb.Entry{Op: &journalpb.Entry_BlockKey{BlockKey: &journalpb.BlockKey{
		Id: id, Secret: secret, ExpiresMs: now.Add(4 * life).UnixMilli()}}})
	return err
}

// signingKey is the newest key, if it outlives a capability signed now.
func (fs *fileSystem) signingKey(nowMs int64) (blockcap.Key, bool) {
	k, ok := fs.st.NewestBlockKey()
	return k, ok && k.ExpiresMs >= nowMs+fs.cfg.CapabilityLifetime.Milliseconds()
}

// grant attaches to fi a capability for the caller c to access n's blocks
// (blockcap.Read or Write), when capabilities are on and the caller may.
// A caller who may not gets the status without one: it can see the file,
// not read it.
func (fs *fileSystem) grant(c caller, fi *alluxiopb.FileInfo, n state.Inode, access uint32) {
	if fs.cfg.CapabilityLifetime <= 0 || n.IsDir {
		return
	}
	if access == blockcap.Read && c.checked && !authz.Allowed(c.User, authz.Node{Name: n.Name, Owner: n.Owner, Group: n.Group, Mode: n.Mode, ACL: n.ACL}, authz.Read) {
		return
	}
	fs.sign(c, fi, n.ID, access)
}

// sign attaches to fi a capability for c to access the blocks of file id,
// without looking at the file: the caller has checked what access allows.
func (fs *fileSystem) sign(c caller, fi *alluxiopb.FileInfo, id int64, access uint32) {
	if fs.cfg.CapabilityLifetime <= 0 {
		return
	}
	now := fs.now().UnixMilli()
	k, ok := fs.signingKey(now)
	if !ok {
		return
	}
	fi.Capability = blockcap.Sign(k, id, c.name, access, now+fs.cfg.CapabilityLifetime.Milliseconds())
}

// keysFor are the keys as workers get them, for ctx's caller: only a
// superuser (workers log in as the cluster's service user) gets them,
// since they let whoever holds them sign any capability.
func (fs *fileSystem) keysFor(ctx context.Context) []*alluxiopb.BlockKey {
	if fs.cfg.CapabilityLifetime <= 0 {
		return nil
	}
	if c := fs.az.caller(ctx); c.checked && !c.Super {
		fs.log.Warn("block keys refused to a worker that is not a superuser", "user", c.Name)
		return nil
	}
	keys := fs.st.BlockKeys()
	out := make([]*alluxiopb.BlockKey, len(keys))
	for i, k := range keys {
		out[i] = &alluxiopb.BlockKey{Id: k.ID, Secret: k.Secret, ExpiresMs: k.ExpiresMs}
	}
	return out
}
