package election

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"
)

const (
	// unreachableAfter is how long the connection may be down before the
	// selector says so: a hop to another server is no news.
	unreachableAfter = 2 * time.Second
	// unreachableEvery spaces the "cannot reach" warnings.
	unreachableEvery = 5 * time.Second
	// resolveTimeout bounds the DNS lookup of one server name.
	resolveTimeout = 3 * time.Second
)

// session is one ZooKeeper session and the knowledge of whether it is still
// alive. The zk client would start a fresh session by itself after an
// expiry; a session object never does: once dead it stays dead, its client
// is closed, and the selector opens a new one. That keeps "the session my
// election znode belongs to" and "the session I talk through" the same.
//
// Times are nanoseconds on the monotonic clock since base, which keeps
// running while the process is stopped (SIGSTOP), so a resumed process sees
// its knowledge as old as it really is.
type session struct {
	conn      *zk.Conn
	events    <-chan zk.Event
	log       *slog.Logger
	servers   string
	requested time.Duration
	base      time.Time

	dead      chan struct{}
	deadOnce  sync.Once
	reason    atomic.Pointer[string]
	closeOnce sync.Once
	kick      chan struct{}
	wg        sync.WaitGroup

	established atomic.Bool  // the server granted the session once
	connected   atomic.Bool  // a connection carries the session now
	dialedAt    atomic.Int64 // the latest TCP connection was made
	aliveAt     atomic.Int64 // a request sent then was answered within the session
	downSince   atomic.Int64 // the connection was lost (or the session began)
	negotiated  atomic.Int64 // the server's session timeout, ms; 0 until known
}

// openSession starts connecting in the background; it fails only when no
// server name resolves.
func openSession(cfg ZKConfig, log *slog.Logger) (*session, error) {
	servers := resolvable(cfg.Servers)
	if len(servers) == 0 {
		return nil, fmt.Errorf("no ZooKeeper server name resolves")
	}
	s := &session{
		log:       log,
		servers:   strings.Join(cfg.Servers, ","),
		requested: cfg.SessionTimeout,
		base:      time.Now(),
		dead:      make(chan struct{}),
		kick:      make(chan struct{}, 1),
	}
	dialTimeout := min(cfg.ConnectionTimeout, cfg.SessionTimeout/3)
	conn, events, err := zk.Connect(servers, cfg.SessionTimeout,
		zk.WithLogger(&zkLogger{log: log, onTimeout: func(ms int64) { s.negotiated.Store(ms) }}),
		zk.WithEventCallback(s.onEvent),
		zk.WithDialer(func(network, addr string, _ time.Duration) (net.Conn, error) {
			return net.DialTimeout(network, addr, dialTimeout)
		}))
	if err != nil {
		return nil, err
	}
	s.conn, s.events = conn, events
	s.wg.Add(2)
	go s.supervise()
	go s.heartbeat()
	return s, nil
}

// resolvable drops servers whose names do not resolve: the zk client
// refuses to start when any one of them fails, and one bad DNS entry must
// not keep a master out of the election.
func resolvable(servers []string) []string {
	var out []string
	for _, s := range servers {
		host, _, err := net.SplitHostPort(s)
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
		_, err = net.DefaultResolver.LookupHost(ctx, host)
		cancel()
		if err == nil {
			out = append(out, s)
		}
	}
	return out
}

func (s *session) now() int64 { return int64(time.Since(s.base)) }

// timeout is the session timeout the server granted (it may raise or lower
// what we asked for), or the one we asked for until we know.
func (s *session) timeout() time.Duration {
	if ms := s.negotiated.Load(); ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	return s.requested
}

// onEvent runs on the zk client's goroutine, in the order things happen
// there, and must not block. Marking the session dead here, before the
// client goes on to open a new session, is what keeps a request answered
// in that new session from passing for a sign of life of this one.
func (s *session) onEvent(ev zk.Event) {
	if ev.Type != zk.EventSession {
		return
	}
	switch ev.State {
	case zk.StateConnected:
		s.dialedAt.Store(s.now())
	case zk.StateHasSession:
		if s.isDead() {
			return
		}
		// The server accepted the session on a connection made at
		// dialedAt, so it was alive then.
		s.advance(s.dialedAt.Load())
		s.established.Store(true)
		s.connected.Store(true)
		select {
		case s.kick <- struct{}{}:
		default:
		}
	case zk.StateExpired:
		s.markDead("the ZooKeeper session expired")
	case zk.StateDisconnected, zk.StateConnecting, zk.StateAuthFailed:
		if s.connected.Swap(false) {
			s.downSince.Store(s.now())
		}
	}
}

// advance records that the session was alive at t.
func (s *session) advance(t int64) {
	for {
		old := s.aliveAt.Load()
		if t <= old || s.aliveAt.CompareAndSwap(old, t) {
			return
		}
	}
}

// vouches reports whether the session is certainly still alive: connected,
// and confirmed by the server recently enough. The server expires a session
// that it has not heard from for the session timeout; a request answered
// within the session proves it heard from us after we sent it. A quarter
// of the timeout is kept back: the ZooKeeper leader may learn of our latest
// request only through its follower's next ping, and the caller still has
// to serve the read it asked about.
func (s *session) vouches() bool {
	if s.isDead() || !s.connected.Load() {
		return false
	}
	t := s.timeout()
	return time.Duration(s.now()-s.aliveAt.Load()) < t-t/4
}

// heartbeat keeps aliveAt fresh with a sync, a request that goes through
// the ZooKeeper leader: a server cut off from the quorum cannot answer it.
// The client's own pings are answered by any server and are not seen here.
func (s *session) heartbeat() {
	defer s.wg.Done()
	for {
		timer := time.NewTimer(s.timeout() / 8)
		select {
		case <-s.dead:
			timer.Stop()
			return
		case <-s.kick:
			timer.Stop()
		case <-timer.C:
		}
		if !s.connected.Load() {
			continue
		}
		sent := s.now()
		if _, err := s.conn.Sync("/"); err == nil {
			s.advance(sent)
		}
	}
}

// supervise ends the session when the server has not confirmed it for a
// whole session timeout. The server would tell us of the expiry only once
// we reach it again, which may be never (quorum lost) or long after it
// matters (this process was stopped); by then another master may lead.
func (s *session) supervise() {
	defer s.wg.Done()
	tick := time.NewTicker(min(max(s.requested/20, 10*time.Millisecond), 250*time.Millisecond))
	defer tick.Stop()
	var lastWarn int64 = -int64(unreachableEvery)
	warned := false
	for {
		select {
		case <-s.dead:
			return
		case _, ok := <-s.events:
			if !ok {
				s.markDead("the ZooKeeper client was closed")
				return
			}
			continue
		case <-tick.C:
		}
		now := s.now()
		if s.established.Load() && time.Duration(now-s.aliveAt.Load()) > s.timeout() {
			s.markDead(fmt.Sprintf("ZooKeeper has not confirmed the session for the session timeout (%v); "+
				"it has expired or will before this master can reach ZooKeeper again", s.timeout()))
			return
		}
		switch down := time.Duration(now - s.downSince.Load()); {
		case s.connected.Load():
			if warned {
				s.log.Info("reached ZooKeeper again", "servers", s.servers)
				warned = false
			}
		case down >= unreachableAfter && time.Duration(now-lastWarn) >= unreachableEvery:
			s.log.Warn(fmt.Sprintf("cannot reach ZooKeeper at %s; retrying", s.servers), "for", down.Round(time.Millisecond))
			lastWarn, warned = now, true
		}
	}
}

func (s *session) isDead() bool {
	select {
	case <-s.dead:
		return true
	default:
		return false
	}
}

// sleep waits d and reports false when the session ends first.
func (s *session) sleep(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-s.dead:
		return false
	}
}

// markDead ends the session for reason. It closes the client in the
// background: closing wakes every request still waiting on it, but may
// itself wait a second for a server that is gone.
func (s *session) markDead(reason string) {
	s.deadOnce.Do(func() {
		s.reason.Store(&reason)
		close(s.dead)
		go s.closeConn()
	})
}

func (s *session) why() string {
	if r := s.reason.Load(); r != nil {
		return *r
	}
	return ""
}

// closeConn closes the client: with a connection up the server ends the
// session at once and deletes its ephemeral znodes, so the next candidate
// takes over without waiting for the session timeout.
func (s *session) closeConn() { s.closeOnce.Do(s.conn.Close) }

// shutdown ends the session and waits until its client and goroutines are
// done.
func (s *session) shutdown(reason string) {
	s.markDead(reason)
	s.closeConn()
	s.wg.Wait()
}

// zkLogger sends the zk client's log to slog at debug level, and picks the
// negotiated session timeout out of it: the client knows it but offers no
// other way to read it (go-zookeeper v1.0.4 logs "authenticated: id=%d,
// timeout=%d" right after the handshake, before it sends any request; a
// test checks that this still works).
type zkLogger struct {
	log       *slog.Logger
	onTimeout func(ms int64)
}

func (l *zkLogger) Printf(format string, args ...any) {
	if strings.HasPrefix(format, "authenticated:") && len(args) == 2 {
		switch ms := args[1].(type) {
		case int32:
			l.onTimeout(int64(ms))
		case int64:
			l.onTimeout(ms)
		case int:
			l.onTimeout(int64(ms))
		}
	}
	l.log.Debug("zookeeper client: " + fmt.Sprintf(format, args...))
}
