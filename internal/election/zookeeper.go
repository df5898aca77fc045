package election

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/alluxio-go/alluxio/internal/errs"
)

const (
	// stopGrace is how long Stop lets a primary delete its leader znode
	// before it closes the session regardless.
	stopGrace = time.Second
	// minSessionLife spaces new sessions when they die young, so that a
	// ZooKeeper that keeps ending them does not see a storm of clients.
	minSessionLife = time.Second
	maxBackoff     = 2 * time.Second
)

// ZooKeeper elects the primary among masters through a ZooKeeper ensemble,
// with the standard recipe: each candidate creates an ephemeral sequential
// znode under ElectionPath, the lowest sequence number leads, and every
// other candidate watches only the znode just before its own, so that a
// departure wakes one candidate, not all. The primary publishes its address
// as the ephemeral znode <LeaderPath>/<host:port> for clients.
//
// Epoch. A term's epoch is the czxid of the primary's election znode: the
// ZooKeeper transaction id that created it. Sequence numbers order the
// candidates of one parent, and a later primary's znode was always created
// after the earlier primary's (it either queued behind it or was created
// after it was gone), so epochs grow from term to term, across session
// expiry and re-election, exactly like sequence+1 would. Unlike sequence
// numbers, zxids also keep growing when someone deletes and recreates the
// election path, so that cannot hand out an epoch the journal has seen.
// What remains is the loss of ZooKeeper's own data (a wiped ensemble
// starts zxids again): the journal then refuses the smaller epoch and the
// master stops rather than write in an old epoch.
//
// Session. The selector trusts its primacy (Valid) only while a
// connection carries the session and ZooKeeper confirmed the session
// recently (see session.vouches). When the connection drops, Valid turns
// false at once; the role stays primary while the session may still be
// alive. When the server reports the session expired, or it has not been
// confirmed for a whole session timeout (ZooKeeper unreachable, or this
// process was stopped), the selector sends Role{Primary: false} and joins
// again with a new session and a new znode, so a new term gets a new,
// higher epoch.
//
// ZooKeeper is safe for concurrent use. Role changes are sent from one
// goroutine, in order.
type ZooKeeper struct {
	cfg ZKConfig
	log *slog.Logger

	changes chan Role
	stop    chan struct{}
	done    chan struct{}

	life    sync.Mutex // orders Start and Stop
	running bool
	stopped bool

	mu     sync.Mutex
	sess   *session // the current session
	term   *session // the session this master is primary in; nil as standby
	epoch  uint64
	leader string // the newest address under LeaderPath, as last seen
	// staleNode is this selector's election znode in its previous session.
	// The next session deletes it, so that a session given up on this side
	// (while ZooKeeper may still keep it) holds up nobody.
	staleNode string
}

var _ PrimarySelector = (*ZooKeeper)(nil)

// NewZooKeeper checks cfg and returns a selector that has not joined the
// election yet.
func NewZooKeeper(cfg ZKConfig) (*ZooKeeper, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &ZooKeeper{
		cfg:     cfg,
		log:     cfg.Logger,
		changes: make(chan Role, 16),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}, nil
}

// Start joins the election in the background and returns at once, also
// when ZooKeeper cannot be reached: the selector keeps trying and says so
// in its log.
func (z *ZooKeeper) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	z.life.Lock()
	defer z.life.Unlock()
	if z.stopped {
		return errs.New(errs.ErrPrecondition, "zookeeper election: Start after Stop")
	}
	if !z.running {
		z.running = true
		z.log.Info("joining the leader election", "servers", strings.Join(z.cfg.Servers, ","),
			"election_path", z.cfg.ElectionPath, "leader_path", z.cfg.LeaderPath,
			"session_timeout", z.cfg.SessionTimeout, "connection_timeout", z.cfg.ConnectionTimeout,
			"address", z.cfg.Address)
		go z.run()
	}
	return nil
}

// Changes delivers role changes in order; Stop closes it.
func (z *ZooKeeper) Changes() <-chan Role { return z.changes }

// Valid reports whether this master is primary and ZooKeeper has confirmed
// its session recently enough that no other master can have taken over.
func (z *ZooKeeper) Valid() bool {
	z.mu.Lock()
	s := z.term
	z.mu.Unlock()
	return s != nil && s.vouches()
}

// Leader returns this master's address while it is primary, otherwise the
// newest address under LeaderPath (kept up to date by a watch), or "".
func (z *ZooKeeper) Leader() string {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.term != nil {
		return z.cfg.Address
	}
	return z.leader
}

// Stop leaves the election: a primary deletes its leader znode, and the
// session is closed at once, which deletes the election znode so that the
// next candidate takes over without waiting for a timeout. Changes is
// closed when Stop returns. Safe to call twice.
func (z *ZooKeeper) Stop() error {
	z.life.Lock()
	defer z.life.Unlock()
	if z.stopped {
		return nil
	}
	z.stopped = true
	z.mu.Lock()
	close(z.stop)
	s, primary := z.sess, z.term != nil
	z.mu.Unlock()
	if z.running {
		if primary {
			timer := time.NewTimer(stopGrace)
			select {
			case <-z.done:
			case <-timer.C:
			}
			timer.Stop()
		}
		if s != nil {
			s.shutdown("stopped")
		}
		<-z.done
	}
	close(z.changes)
	z.log.Info("left the leader election")
	return nil
}

func (z *ZooKeeper) isStopped() bool {
	select {
	case <-z.stop:
		return true
	default:
		return false
	}
}

// run holds one session after another until Stop.
func (z *ZooKeeper) run() {
	defer close(z.done)
	var lastWarn time.Time
	wait := 100 * time.Millisecond
	for !z.isStopped() {
		s, err := openSession(z.cfg, z.log)
		if err != nil {
			if time.Since(lastWarn) >= unreachableEvery {
				z.log.Warn(fmt.Sprintf("cannot reach ZooKeeper at %s; retrying", strings.Join(z.cfg.Servers, ",")), "err", err)
				lastWarn = time.Now()
			}
			if !z.sleep(wait, nil) {
				return
			}
			wait = min(2*wait, maxBackoff)
			continue
		}
		z.mu.Lock()
		if z.isStopped() {
			z.mu.Unlock()
			s.shutdown("stopped")
			return
		}
		z.sess = s
		z.mu.Unlock()
		began := time.Now()
		s.wg.Add(1)
		go z.watchLeader(s)
		z.campaign(s)
		reason := "stopped"
		if !z.isStopped() {
			reason = s.why()
		}
		z.stepDown(s, reason)
		s.shutdown(reason)
		if z.isStopped() {
			return
		}
		z.log.Info("joining the election again with a new ZooKeeper session", "reason", reason)
		if !z.sleep(minSessionLife-time.Since(began), nil) {
			return
		}
	}
}

// sleep waits d and reports false when the selector stops (or s, when
// given, ends) first.
func (z *ZooKeeper) sleep(d time.Duration, s *session) bool {
	if d <= 0 {
		return !z.isStopped()
	}
	var dead chan struct{}
	if s != nil {
		dead = s.dead
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-z.stop:
		return false
	case <-dead:
		return false
	}
}

func (z *ZooKeeper) becomePrimary(s *session, epoch uint64) {
	z.mu.Lock()
	z.term, z.epoch = s, epoch
	z.mu.Unlock()
	z.log.Info("elected primary", "epoch", epoch, "address", z.cfg.Address)
	z.emit(Role{Primary: true, Epoch: epoch})
}

// stepDown ends the term held in s, if any.
func (z *ZooKeeper) stepDown(s *session, reason string) {
	z.mu.Lock()
	if z.term != s {
		z.mu.Unlock()
		return
	}
	z.term = nil
	epoch := z.epoch
	z.mu.Unlock()
	if z.isStopped() {
		z.log.Info("stepping down as primary", "reason", reason, "epoch", epoch)
		return
	}
	z.log.Warn("lost primacy", "reason", reason, "epoch", epoch)
	z.emit(Role{Primary: false, Epoch: epoch})
}

// emit sends r unless the selector is stopping: the journal reads the
// close of Changes as the end of primacy.
func (z *ZooKeeper) emit(r Role) {
	if z.isStopped() {
		return
	}
	select {
	case z.changes <- r:
	case <-z.stop:
	}
}

// watchLeader keeps z.leader up to date for Leader().
func (z *ZooKeeper) watchLeader(s *session) {
	defer s.wg.Done()
	path := z.cfg.LeaderPath
	wait := 100 * time.Millisecond
	for !s.isDead() {
		children, _, ch, err := s.conn.ChildrenW(path)
		switch {
		case errors.Is(err, zk.ErrNoNode):
			z.setLeader("")
			var exists bool
			exists, _, ch, err = s.conn.ExistsW(path)
			if err == nil && exists {
				continue
			}
		case err == nil:
			var addr string
			if addr, err = newestChild(s.conn, path, children); err == nil {
				z.setLeader(addr)
			}
		}
		if err != nil {
			if !s.sleep(wait) {
				return
			}
			wait = min(2*wait, maxBackoff)
			continue
		}
		wait = 100 * time.Millisecond
		select {
		case <-ch:
		case <-s.dead:
			return
		}
	}
}

func (z *ZooKeeper) setLeader(addr string) {
	z.mu.Lock()
	changed := z.leader != addr
	z.leader = addr
	z.mu.Unlock()
	if changed && addr != "" {
		z.log.Info("The current leader is " + addr)
	}
}
