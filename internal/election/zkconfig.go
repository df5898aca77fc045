package election

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// Property names, for error messages that tell the user what to fix.
const (
	keyZKAddress        = "alluxio.zookeeper.address"
	keyZKElectionPath   = "alluxio.zookeeper.election.path"
	keyZKLeaderPath     = "alluxio.zookeeper.leader.path"
	keyZKSessionTimeout = "alluxio.zookeeper.session.timeout"
	keyZKConnTimeout    = "alluxio.zookeeper.connection.timeout"
	keyMasterAddress    = "alluxio.master.hostname / alluxio.master.rpc.port"
)

// zkDefaultPort is ZooKeeper's client port, assumed for a server given
// without one (as ZooKeeper's own connect strings allow).
const zkDefaultPort = "2181"

// minSessionTimeout keeps the lease arithmetic (fractions of the timeout)
// meaningful; ZooKeeper itself refuses less than two ticks.
const minSessionTimeout = 500 * time.Millisecond

// ZKConfig configures the ZooKeeper selector. Zero fields take the values
// of DefaultZKConfig.
type ZKConfig struct {
	// Servers are the ZooKeeper servers as host:port
	// (alluxio.zookeeper.address); a missing port means 2181.
	Servers []string
	// ElectionPath holds one ephemeral sequential znode per candidate
	// (alluxio.zookeeper.election.path).
	ElectionPath string
	// LeaderPath holds the ephemeral znode <LeaderPath>/<host:port> of the
	// primary, which clients read (alluxio.zookeeper.leader.path).
	LeaderPath string
	// SessionTimeout is alluxio.zookeeper.session.timeout. It bounds how
	// long a dead primary keeps the others waiting, and how long a primary
	// cut off from ZooKeeper may go on believing it is primary.
	SessionTimeout time.Duration
	// ConnectionTimeout is alluxio.zookeeper.connection.timeout: how long
	// one connection attempt to one server may take. It is capped at a
	// third of the session timeout, so that one unresponsive server cannot
	// use up the session before the next one is tried.
	ConnectionTimeout time.Duration
	// Address is this master's rpc address (host:port), published under
	// LeaderPath while it is primary.
	Address string
	// Logger receives the selector's log; the ZooKeeper client's own
	// chatter goes to it at debug level.
	Logger *slog.Logger
}

// DefaultZKConfig returns the defaults: Alluxio's paths, our shorter
// session timeout (5s, where Alluxio's is 60s) and a 15s connection
// timeout. Servers and Address have no default.
func DefaultZKConfig() ZKConfig {
	return ZKConfig{
		ElectionPath:      "/alluxio/election",
		LeaderPath:        "/alluxio/leader",
		SessionTimeout:    5 * time.Second,
		ConnectionTimeout: 15 * time.Second,
	}
}

func (c ZKConfig) withDefaults() ZKConfig {
	d := DefaultZKConfig()
	if c.ElectionPath == "" {
		c.ElectionPath = d.ElectionPath
	}
	if c.LeaderPath == "" {
		c.LeaderPath = d.LeaderPath
	}
	if c.SessionTimeout == 0 {
		c.SessionTimeout = d.SessionTimeout
	}
	if c.ConnectionTimeout == 0 {
		c.ConnectionTimeout = d.ConnectionTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	servers := make([]string, 0, len(c.Servers))
	for _, s := range c.Servers {
		s = strings.TrimSpace(s)
		if s != "" && !strings.Contains(s, ":") {
			s = net.JoinHostPort(s, zkDefaultPort)
		}
		servers = append(servers, s)
	}
	c.Servers = servers
	return c
}

// Validate checks c (after defaults are applied) and names the property
// of the first bad value.
func (c ZKConfig) Validate() error {
	if len(c.Servers) == 0 {
		return invalid("%s is empty; set it to the ZooKeeper servers, e.g. zk1:2181,zk2:2181,zk3:2181", keyZKAddress)
	}
	for _, s := range c.Servers {
		if err := checkHostPort(s); err != nil {
			return invalid("%s: server %q %v", keyZKAddress, s, err)
		}
	}
	if err := checkZKPath(c.ElectionPath); err != nil {
		return invalid("%s (%q) %v", keyZKElectionPath, c.ElectionPath, err)
	}
	if err := checkZKPath(c.LeaderPath); err != nil {
		return invalid("%s (%q) %v", keyZKLeaderPath, c.LeaderPath, err)
	}
	// Every child of the election path must be a candidate and every child
	// of the leader path an address, so neither may hold the other.
	if within(c.ElectionPath, c.LeaderPath) || within(c.LeaderPath, c.ElectionPath) {
		return invalid("%s (%q) and %s (%q) must not be the same or nested", keyZKElectionPath, c.ElectionPath,
			keyZKLeaderPath, c.LeaderPath)
	}
	if c.SessionTimeout < minSessionTimeout {
		return invalid("%s (%v) must be at least %v", keyZKSessionTimeout, c.SessionTimeout, minSessionTimeout)
	}
	if c.ConnectionTimeout <= 0 {
		return invalid("%s (%v) must be positive", keyZKConnTimeout, c.ConnectionTimeout)
	}
	if err := checkHostPort(c.Address); err != nil {
		return invalid("master rpc address %q (%s) %v", c.Address, keyMasterAddress, err)
	}
	if strings.Contains(c.Address, "/") {
		return invalid("master rpc address %q (%s) must not contain '/': it names a znode", c.Address, keyMasterAddress)
	}
	return nil
}

func invalid(format string, args ...any) error { return errs.New(errs.ErrInvalidArg, format, args...) }

func checkHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return errors.New("must be host:port")
	}
	if host == "" {
		return errors.New("has no host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("has a bad port %q", port)
	}
	return nil
}

// checkZKPath accepts what ZooKeeper accepts as a znode path below the
// root, except the reserved /zookeeper tree.
func checkZKPath(p string) error {
	if !strings.HasPrefix(p, "/") || p == "/" || strings.HasSuffix(p, "/") {
		return errors.New("must be an absolute znode path such as /alluxio/election")
	}
	for _, part := range strings.Split(p[1:], "/") {
		if part == "" || part == "." || part == ".." || strings.ContainsRune(part, 0) {
			return errors.New("has an empty, '.' or '..' component")
		}
	}
	if within(p, "/zookeeper") {
		return errors.New("is inside ZooKeeper's reserved /zookeeper tree")
	}
	return nil
}

// within reports whether p is dir or below it.
func within(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }
