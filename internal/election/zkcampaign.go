package election

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"
)

var (
	// errDone: the session ended or the selector stopped.
	errDone = errors.New("session over or selector stopped")
	// errNodeLost: our election znode is gone while the session lives
	// (someone deleted it); we join again with a new one.
	errNodeLost = errors.New("election znode deleted")
)

// elector runs the election recipe within one session. All of it runs on
// the selector's run goroutine.
type elector struct {
	z *ZooKeeper
	s *session
	// guid is in the name of every znode this session creates, so that a
	// create whose reply was lost with the connection can be found again
	// instead of leaving a twin that would queue in front of us.
	guid      string
	uncertain bool   // a create may have happened without our knowing its name
	node      string // our election znode's name, "" before we have one
	epoch     uint64
	published bool // the leader znode may exist
}

func (z *ZooKeeper) campaign(s *session) {
	var b [8]byte
	rand.Read(b[:])
	e := &elector{z: z, s: s, guid: hex.EncodeToString(b[:])}
	if e.do("prepare the election", e.prepare) != nil {
		return
	}
	for {
		if e.do("join the election", e.join) != nil {
			return
		}
		switch err := e.do("wait for leadership", e.awaitTurn); {
		case errors.Is(err, errNodeLost):
			continue
		case err != nil:
			return
		}
		z.log.Info("creating zk path: " + e.leaderNode())
		if e.do("publish the leader address", e.publish) != nil {
			if z.isStopped() {
				e.unpublish()
			}
			return
		}
		z.becomePrimary(s, e.epoch)
		err := e.hold()
		if errors.Is(err, errNodeLost) {
			z.stepDown(s, "the election znode "+e.path(e.node)+" was deleted")
			e.unpublish()
			e.node = ""
			continue
		}
		if z.isStopped() {
			e.unpublish()
		}
		return
	}
}

func (e *elector) path(name string) string { return e.z.cfg.ElectionPath + "/" + name }
func (e *elector) leaderNode() string      { return e.z.cfg.LeaderPath + "/" + e.z.cfg.Address }

func (e *elector) over() bool { return e.s.isDead() || e.z.isStopped() }

// do calls f until it succeeds or reports errNodeLost, backing off on
// other errors, and gives up with errDone when the session ends.
func (e *elector) do(what string, f func() error) error {
	wait := 100 * time.Millisecond
	for {
		err := f()
		if err == nil || errors.Is(err, errNodeLost) || errors.Is(err, errDone) {
			return err
		}
		if e.over() {
			return errDone
		}
		if connectionError(err) {
			// The session's supervisor reports an unreachable ZooKeeper.
			e.z.log.Debug("zookeeper election: "+what+" failed; retrying", "err", err)
		} else {
			e.z.log.Warn("zookeeper election: "+what+" failed; retrying", "err", err)
		}
		if !e.z.sleep(wait, e.s) {
			return errDone
		}
		wait = min(2*wait, maxBackoff)
	}
}

func connectionError(err error) bool {
	for _, c := range []error{zk.ErrConnectionClosed, zk.ErrNoServer, zk.ErrSessionExpired, zk.ErrClosing, zk.ErrSessionMoved} {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}

// prepare creates the paths and removes what this selector's previous
// session left, which ZooKeeper keeps until that session expires.
func (e *elector) prepare() error {
	c, cfg := e.s.conn, e.z.cfg
	if err := ensurePath(c, cfg.ElectionPath); err != nil {
		return err
	}
	if err := ensurePath(c, cfg.LeaderPath); err != nil {
		return err
	}
	e.z.mu.Lock()
	stale := e.z.staleNode
	e.z.mu.Unlock()
	if stale != "" {
		if err := c.Delete(stale, -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
			return err
		}
		e.z.mu.Lock()
		e.z.staleNode = ""
		e.z.mu.Unlock()
	}
	// A leader znode with our address that is not of this session is from
	// an earlier life of this master: it would send clients to a standby.
	ok, st, err := c.Exists(e.leaderNode())
	if err != nil || !ok || st.EphemeralOwner == c.SessionID() {
		return err
	}
	e.z.log.Info("deleting zk path: "+e.leaderNode(), "reason", "left by an earlier session of this master")
	if err := c.Delete(e.leaderNode(), st.Version); err != nil && !errors.Is(err, zk.ErrNoNode) && !errors.Is(err, zk.ErrBadVersion) {
		return err
	}
	return nil
}

// join creates our election znode (or finds the one a lost reply left)
// and takes its czxid as the epoch of the term it may win.
func (e *elector) join() error {
	c, cfg := e.s.conn, e.z.cfg
	if e.node == "" && e.uncertain {
		children, _, err := c.Children(cfg.ElectionPath)
		if err != nil && !errors.Is(err, zk.ErrNoNode) {
			return err
		}
		for _, cand := range sortCandidates(children) {
			if strings.Contains(cand.name, e.guid) {
				e.node = cand.name // the lowest; awaitTurn deletes the others
				break
			}
		}
		e.uncertain = false
	}
	if e.node == "" {
		e.uncertain = true
		p, err := c.Create(e.path("_c_"+e.guid+"-latch-"), []byte(cfg.Address), zk.FlagEphemeral|zk.FlagSequence,
			zk.WorldACL(zk.PermAll))
		if errors.Is(err, zk.ErrNoNode) {
			// Someone deleted the election path; the next try recreates it.
			e.uncertain = false
			return errors.Join(err, ensurePath(c, cfg.ElectionPath))
		}
		if err != nil {
			return err
		}
		e.uncertain = false
		e.node = strings.TrimPrefix(p, cfg.ElectionPath+"/")
	}
	ok, st, err := c.Exists(e.path(e.node))
	if err != nil {
		return err
	}
	if !ok {
		e.node = ""
		return errors.New("the new election znode vanished")
	}
	e.epoch = uint64(st.Czxid)
	e.z.mu.Lock()
	e.z.staleNode = e.path(e.node)
	e.z.mu.Unlock()
	e.z.log.Debug("joined the election", "znode", e.path(e.node), "epoch_if_elected", e.epoch)
	return nil
}

// awaitTurn returns nil once our znode is the lowest, watching only the
// znode just before ours in the meantime.
func (e *elector) awaitTurn() error {
	c, cfg := e.s.conn, e.z.cfg
	for {
		children, _, err := c.Children(cfg.ElectionPath)
		if errors.Is(err, zk.ErrNoNode) {
			e.node = ""
			return errNodeLost // with the path, which only an empty one can be
		}
		if err != nil {
			return err
		}
		cands := sortCandidates(children)
		mine, twins := -1, false
		for i, cand := range cands {
			switch {
			case cand.name == e.node:
				mine = i
			case strings.Contains(cand.name, e.guid):
				twins = true
				if err := c.Delete(e.path(cand.name), -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
					return err
				}
			}
		}
		switch {
		case mine < 0:
			e.node = ""
			return errNodeLost
		case twins:
			continue
		case mine == 0:
			return nil
		}
		pred := e.path(cands[mine-1].name)
		exists, _, ch, err := c.ExistsW(pred)
		if err != nil {
			return err
		}
		if !exists {
			continue
		}
		e.z.log.Debug("waiting for the candidate before us", "znode", e.path(e.node), "predecessor", pred)
		select {
		case <-ch:
		case <-e.s.dead:
			return errDone
		case <-e.z.stop:
			return errDone
		}
	}
}

// publish creates <LeaderPath>/<address>, replacing one an earlier session
// of ours left.
func (e *elector) publish() error {
	c, p := e.s.conn, e.leaderNode()
	for {
		e.published = true
		_, err := c.Create(p, nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
		if errors.Is(err, zk.ErrNoNode) {
			return errors.Join(err, ensurePath(c, e.z.cfg.LeaderPath))
		}
		if !errors.Is(err, zk.ErrNodeExists) {
			return err
		}
		ok, st, err := c.Exists(p)
		if err != nil {
			return err
		}
		if ok && st.EphemeralOwner == c.SessionID() {
			return nil // ours: the reply to an earlier try was lost
		}
		if ok {
			e.z.log.Info("deleting zk path: "+p, "reason", "left by an earlier session of this master")
			if err := c.Delete(p, st.Version); err != nil && !errors.Is(err, zk.ErrNoNode) && !errors.Is(err, zk.ErrBadVersion) {
				return err
			}
		}
	}
}

// unpublish deletes the leader znode while the session can still do it;
// otherwise it goes with the session.
func (e *elector) unpublish() {
	// Without a connection the delete would wait for one, holding up
	// Stop, while ZooKeeper deletes the znode with the session anyway.
	if !e.published || e.s.isDead() || !e.s.connected.Load() {
		return
	}
	e.published = false
	e.z.log.Info("deleting zk path: " + e.leaderNode())
	if err := e.s.conn.Delete(e.leaderNode(), -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
		e.z.log.Debug("could not delete the leader znode; it goes with the session", "err", err)
	}
}

// hold returns when this term ends: errNodeLost when our election znode
// was deleted, errDone when the session ended or the selector stopped.
func (e *elector) hold() error {
	wait := 100 * time.Millisecond
	for {
		exists, _, ch, err := e.s.conn.ExistsW(e.path(e.node))
		switch {
		case err != nil:
			if !e.z.sleep(wait, e.s) {
				return errDone
			}
			wait = min(2*wait, maxBackoff)
			continue
		case !exists:
			return errNodeLost
		}
		select {
		case ev := <-ch:
			if ev.Type == zk.EventNodeDeleted {
				// At once: the next candidate heard of it too.
				return errNodeLost
			}
		case <-e.s.dead:
			return errDone
		case <-e.z.stop:
			return errDone
		}
	}
}
