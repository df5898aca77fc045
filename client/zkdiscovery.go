package client

import (
	"context"
	"errors"
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
	if len(servers) == 0 {
		return "", errs.New(errs.ErrInvalidArg, "no ZooKeeper servers given (alluxio.zookeeper.address)")
	}
	if leaderPath == "" {
		leaderPath = DefaultZooKeeperLeaderPath
	}
	if timeout <= 0 {
		timeout = defaultZooKeeperTimeout
	}
	where := strings.Join(servers, ",")
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	conn, _, err := zk.Connect(servers, zkInquirySession, zk.WithLogger(quietZK{}), zk.WithLogInfo(false))
	if err != nil {
		return "", errs.New(errs.ErrUnavailable, "cannot reach ZooKeeper at %s: %v", where, err)
	}
	defer conn.Close()

	type result struct {
		addr string
		err  error
	}
	done := make(chan result, 1)
	go func() {
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
			done <- result{addr, err}
			return
		}
	}()

	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		conn.Close() // wakes the lookup's pending request
		<-done
		if errors.Is(parent.Err(), context.Canceled) {
			return "", parent.Err()
		}
		return "", errs.New(errs.ErrUnavailable, "cannot reach ZooKeeper at %s within %v", where, timeout)
	}
	switch {
	case errors.Is(r.err, zk.ErrInvalidPath):
		return "", errs.New(errs.ErrInvalidArg, "ZooKeeper leader path %q (alluxio.zookeeper.leader.path) is not a valid znode path", leaderPath)
	case r.err != nil:
		return "", errs.New(errs.ErrUnavailable, "asking ZooKeeper at %s for the primary master: %v", where, r.err)
	case r.addr == "":
		return "", errs.New(errs.ErrUnavailable, "no primary master is registered under %s in ZooKeeper at %s", leaderPath, where)
	}
	return r.addr, nil
}

// quietZK drops the zk client's log: it reports every failed connection
// attempt, and a lookup reports what matters in its error.
type quietZK struct{}

func (quietZK) Printf(string, ...any) {}
