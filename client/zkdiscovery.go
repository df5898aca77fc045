package client

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/alluxio-go/alluxio/internal/election"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// DefaultZooKeeperLeaderPath is alluxio.zookeeper.leader.path's default.
const DefaultZooKeeperLeaderPath = "/alluxio/leader"

// defaultZooKeeperTimeout is alluxio.zookeeper.connection.timeout's
// default.
const defaultZooKeeperTimeout = 15 * time.Second

// zkInquirySession is the session timeout of the short-lived session a
// lookup opens; it only has to outlast the lookup.
const zkInquirySession = 10 * time.Second

// ZooKeeperLeader asks ZooKeeper which master is primary and returns its
// rpc address (host:port). The primary publishes itself as the ephemeral
// znode <leaderPath>/<host:port>; a former primary's znode may linger until
// its session expires, so, as in Alluxio, the newest znode wins.
//
// servers are ZooKeeper's host:port addresses (alluxio.zookeeper.address);
// leaderPath defaults to /alluxio/leader; timeout
// (alluxio.zookeeper.connection.timeout, default 15s) bounds the whole
// lookup. The error wraps ErrUnavailable when ZooKeeper cannot be reached
// in time or no primary is registered (as during a failover: retry).
func ZooKeeperLeader(ctx context.Context, servers []string, leaderPath string, timeout time.Duration) (string, error) {
	return ZooKeeperLeaderInquiries(ctx, servers, leaderPath, timeout, 1)
}

// inquiryPause is the longest wait between two inquiries; a znode
// appearing under the leader path ends it sooner.
const inquiryPause = time.Second

// ZooKeeperLeaderInquiries is ZooKeeperLeader asking up to inquiries times
// (alluxio.zookeeper.leader.inquiry.retry) while no primary is registered,
// as during a failover: between two inquiries it waits on one session
// until a znode appears under the leader path, at most a second. timeout
// bounds connecting and the first inquiry; each further one adds at most
// that second. ctx may end it sooner.
func ZooKeeperLeaderInquiries(ctx context.Context, servers []string, leaderPath string, timeout time.Duration, inquiries int) (string, error) {
	if len(servers) == 0 {
		return "", errs.New(errs.ErrInvalidArg, "no ZooKeeper servers given (alluxio.zookeeper.address)")
	}
	if leaderPath == "" {
		leaderPath = DefaultZooKeeperLeaderPath
	}
	if timeout <= 0 {
		timeout = defaultZooKeeperTimeout
	}
	inquiries = max(inquiries, 1)
	where := strings.Join(servers, ",")
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout+time.Duration(inquiries-1)*inquiryPause)
	defer cancel()

	conn, _, err := zk.Connect(servers, zkInquirySession, zk.WithLogger(quietZK{}), zk.WithLogInfo(false))
	if err != nil {
		return "", errs.New(errs.ErrUnavailable, "cannot reach ZooKeeper at %s: %v", where, err)
	}
	defer conn.Close()

	type result struct {
		addr  string
		err   error
		asked int
	}
	done := make(chan result, 1)
	go func() {
		asked := 0
		for {
			addr, err := election.NewestLeader(conn, leaderPath)
			// The client gives up on a round of unreachable servers
			// before our timeout does; start another round.
			if errors.Is(err, zk.ErrNoServer) && ctx.Err() == nil {
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
				continue
			}
			if err == nil {
				asked++
			}
			if err != nil || addr != "" || asked >= inquiries || ctx.Err() != nil {
				done <- result{addr, err, asked}
				return
			}
			select {
			case <-leaderPathChanged(conn, leaderPath):
			case <-time.After(inquiryPause):
			case <-ctx.Done():
			}
		}
	}()

	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		conn.Close() // wakes the lookup's pending request
		r = <-done
		switch {
		case errors.Is(parent.Err(), context.Canceled):
			return "", parent.Err()
		case r.addr != "":
			return r.addr, nil
		case r.asked == 0:
			return "", errs.New(errs.ErrUnavailable, "cannot reach ZooKeeper at %s within %v", where, timeout)
		}
		r.err = nil
	}
	switch {
	case errors.Is(r.err, zk.ErrInvalidPath):
		return "", errs.New(errs.ErrInvalidArg, "ZooKeeper leader path %q (alluxio.zookeeper.leader.path) is not a valid znode path", leaderPath)
	case r.err != nil:
		return "", errs.New(errs.ErrUnavailable, "asking ZooKeeper at %s for the primary master: %v", where, r.err)
	case r.addr == "":
		return "", errs.New(errs.ErrUnavailable, "no primary master is registered under %s in ZooKeeper at %s (asked %s)",
			leaderPath, where, times(r.asked))
	}
	return r.addr, nil
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return strconv.Itoa(n) + " times"
}

// leaderPathChanged is closed, or sent to, when a znode appears under (or
// as) the leader path; nil, which never fires, when no watch could be set.
func leaderPathChanged(conn *zk.Conn, leaderPath string) <-chan zk.Event {
	_, _, ch, err := conn.ChildrenW(leaderPath)
	if errors.Is(err, zk.ErrNoNode) {
		_, _, ch, err = conn.ExistsW(leaderPath)
	}
	if err != nil {
		return nil
	}
	return ch
}

// quietZK drops the zk client's log: it reports every failed connection
// attempt, and a lookup reports what matters in its error.
type quietZK struct{}

func (quietZK) Printf(string, ...any) {}
