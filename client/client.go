// Package client is the Go API of Alluxio in Go: the FileSystem that the
// `alluxio` CLI uses too. It finds the primary master, retries across a
// failover within a time budget, and tags every change with an operation id
// so a retried change happens once. Beside the calls that map to master and
// worker services it offers what tools build on them: copies into, out of
// and within Alluxio (CopyFromLocal, CopyToLocal, Copy, CreateFrom), waits
// for workers to persist or free data (WaitPersisted, WaitFreed), and an
// io/fs view (FS). The examples show a session.
package client

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"os/user"
	"sync"
	"time"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/security"
)

// Config says how to reach the masters and how long to keep trying.
type Config struct {
	// Masters are the masters' rpc addresses (host:port). With more than
	// one, the client asks each which is primary.
	Masters []string
	// ZooKeeper addresses, to find the primary through ZooKeeper; they win
	// over Masters when both are set.
	ZooKeeper []string
	// ZooKeeperLeaderPath is alluxio.zookeeper.leader.path (default
	// /alluxio/leader).
	ZooKeeperLeaderPath string
	// ZooKeeperInquiries is alluxio.zookeeper.leader.inquiry.retry: how
	// many times one lookup asks ZooKeeper while no primary is registered,
	// waiting up to a second between tries (default 10). The retry budget
	// bounds it too.
	ZooKeeperInquiries int
	// User is the login user (alluxio.security.login.username) the
	// masters believe under SIMPLE authentication; default: the OS user.
	// Under TLS the certificate names the user instead.
	User string
	// ImpersonateAs is the user calls act for when it is not User
	// (alluxio.security.login.impersonation.username); WithUser overrides
	// it per call. The masters must allow User to impersonate it.
	ImpersonateAs string
	// TLS, when not nil, is how the client speaks mutual TLS to masters
	// and workers (alluxio.network.tls.*).
	TLS *tls.Config
	// RetryBaseSleep, RetryMaxSleep and RetryMaxDuration are
	// alluxio.user.rpc.retry.{base.sleep,max.sleep,max.duration}.
	RetryBaseSleep   time.Duration
	RetryMaxSleep    time.Duration
	RetryMaxDuration time.Duration
	// RPCTimeout bounds one attempt of one call.
	RPCTimeout time.Duration
	// DataTimeout is alluxio.user.streaming.data.timeout: how long a
	// reader or writer waits for a worker to take or send the next chunk
	// of a block before it gives up on that worker (default 30s).
	DataTimeout time.Duration
	// SyncInterval and LoadType are the defaults for metadata sync
	// (alluxio.user.file.metadata.sync.interval, .load.type); zero values
	// leave it to the master.
	SyncInterval *time.Duration
	WriteType    string
	BlockSize    int64
	// ReadType is alluxio.user.file.readtype.default: CACHE ("" too),
	// NO_CACHE or CACHE_PROMOTE.
	ReadType string
	// NoShortCircuit turns off reading a local worker's block files
	// directly (alluxio.user.short.circuit.enabled=false).
	NoShortCircuit bool
	// ReadAheadBlocks is how many blocks past the one it reads a
	// sequential reader of an uncached file has workers cache ahead of it
	// (alluxio.user.file.read.ahead.blocks, prefetch.go); 0 means the
	// default (2), negative none.
	ReadAheadBlocks int
}

// FileSystem is a client of one Alluxio cluster. It is safe for concurrent
// use.
type FileSystem struct {
	cfg  Config
	disc *discovery
	data dataPlane
}

// New returns a FileSystem; it connects lazily, on the first call.
func New(cfg Config) (*FileSystem, error) {
	if len(cfg.Masters) == 0 && len(cfg.ZooKeeper) == 0 {
		return nil, errs.New(errs.ErrInvalidArg, "no master address configured (alluxio.master.hostname or alluxio.master.rpc.addresses)")
	}
	if cfg.ZooKeeperLeaderPath == "" {
		cfg.ZooKeeperLeaderPath = "/alluxio/leader"
	}
	if cfg.ZooKeeperInquiries <= 0 {
		cfg.ZooKeeperInquiries = 10
	}
	if cfg.TLS != nil && len(cfg.TLS.Certificates) > 0 && cfg.TLS.Certificates[0].Leaf != nil {
		// Servers take the user from the certificate; say the same name,
		// so that acting for it is not taken for impersonation.
		cfg.User = security.CertificateUser(cfg.TLS.Certificates[0].Leaf)
	}
	if cfg.User == "" {
		cfg.User = "anonymous"
		if u, err := user.Current(); err == nil {
			cfg.User = u.Username
		}
	}
	if cfg.RetryBaseSleep <= 0 {
		cfg.RetryBaseSleep = 50 * time.Millisecond
	}
	if cfg.RetryMaxSleep <= 0 {
		cfg.RetryMaxSleep = 3 * time.Second
	}
	if cfg.RetryMaxDuration <= 0 {
		cfg.RetryMaxDuration = 2 * time.Minute
	}
	if cfg.RPCTimeout <= 0 {
		cfg.RPCTimeout = 30 * time.Second
	}
	if cfg.DataTimeout <= 0 {
		cfg.DataTimeout = 30 * time.Second
	}
	d := newDiscovery(cfg.Masters)
	d.tls = cfg.TLS
	d.zk, d.zkPath, d.zkInquiries = cfg.ZooKeeper, cfg.ZooKeeperLeaderPath, cfg.ZooKeeperInquiries
	return &FileSystem{cfg: cfg, disc: d}, nil
}

// Close releases the connections.
func (f *FileSystem) Close() error {
	f.data.close()
	return f.disc.close()
}

// Leader asks the cluster which master is primary and returns that
// master's rpc address as it names itself. The master the client reaches
// first must say it is primary; a standby's answer names where the primary
// is, and the client asks there, so a configured address that lost
// leadership is never taken for the leader.
func (f *FileSystem) Leader(ctx context.Context) (string, error) {
	var addr string
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.meta.GetNodeStatus(ctx, &pb.GetNodeStatusRequest{})
		if err != nil {
			return err
		}
		if r.Status.GetRole() != "PRIMARY" {
			// As a status error, so retry follows the hint like any
			// refusal from a standby.
			return errs.ToStatus(errs.New(errs.ErrNotPrimary, "master %s is %s", c.addr, r.Status.GetRole()), r.LeaderHint)
		}
		addr = r.Status.GetAddress()
		if addr == "" {
			addr = c.addr
		}
		return nil
	})
	return addr, err
}

// newOpID returns a fresh operation id: random, so ids from different
// clients never collide.
func newOpID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// retry runs call against the primary until it succeeds, fails with an
// error that retrying cannot fix, or the retry budget is spent. Calls that
// change something carry the same op id on every attempt.
func (f *FileSystem) retry(ctx context.Context, call func(context.Context, *conn) error) error {
	deadline := time.Now().Add(f.cfg.RetryMaxDuration)
	sleep := f.cfg.RetryBaseSleep
	ctx = f.identify(ctx)
	var last error
	answered := false // last came from the primary, not from failing to reach one
	for attempt := 0; ; attempt++ {
		// Finding the primary may wait (ZooKeeper inquiries); not past
		// the budget.
		pctx, pcancel := context.WithDeadline(ctx, deadline)
		c, err := f.disc.primary(pctx, f.cfg.RPCTimeout)
		pcancel()
		answered = false
		if err == nil {
			actx, cancel := context.WithTimeout(ctx, f.cfg.RPCTimeout)
			raw := call(actx, c)
			cancel()
			var hint string
			err, hint = errs.FromStatus(raw)
			if err == nil {
				return nil
			}
			if !retryable(err) {
				return err
			}
			answered = errs.Answered(raw) && !errors.Is(err, errs.ErrNotPrimary)
			f.disc.forget(c.addr, hint)
		}
		last = err
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().Add(sleep).After(deadline) {
			if answered {
				// The primary answered, and kept answering this.
				return fmt.Errorf("%w (retried for %s)", last, f.cfg.RetryMaxDuration)
			}
			return errs.New(errs.ErrUnavailable, "no primary master answered within %s: %v", f.cfg.RetryMaxDuration, errs.Message(last))
		}
		select {
		case <-time.After(sleep):
		case <-ctx.Done():
			return ctx.Err()
		}
		sleep = min(sleep*2, f.cfg.RetryMaxSleep)
	}
}

func retryable(err error) bool {
	return errors.Is(err, errs.ErrUnavailable) || errors.Is(err, errs.ErrNotPrimary)
}

// conn is a connection to one master.
type conn struct {
	addr string
	cc   *grpc.ClientConn
	fs   pb.FileSystemMasterClientServiceClient
	meta pb.MetaMasterClientServiceClient
}

// discovery finds and remembers the primary among the configured masters.
type discovery struct {
	addrs []string
	// zk, when set, is asked for the primary instead of the masters.
	zk          []string
	zkPath      string
	zkInquiries int
	tls         *tls.Config
	mu          sync.Mutex
	conns       map[string]*conn
	cur         string
}

func newDiscovery(addrs []string) *discovery {
	return &discovery{addrs: addrs, conns: map[string]*conn{}}
}

func (d *discovery) dial(addr string) (*conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.conns[addr]; ok {
		return c, nil
	}
	cc, err := grpc.NewClient(addr, security.DialOption(d.tls),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		return nil, errs.New(errs.ErrInvalidArg, "master address %s: %v", addr, err)
	}
	c := &conn{addr: addr, cc: cc, fs: pb.NewFileSystemMasterClientServiceClient(cc), meta: pb.NewMetaMasterClientServiceClient(cc)}
	d.conns[addr] = c
	return c, nil
}

// primary returns the connection to the primary: the one remembered, the
// only one configured, or the one that says it is primary when asked.
func (d *discovery) primary(ctx context.Context, timeout time.Duration) (*conn, error) {
	d.mu.Lock()
	cur := d.cur
	d.mu.Unlock()
	if cur != "" {
		return d.dial(cur)
	}
	if len(d.zk) > 0 {
		addr, err := ZooKeeperLeaderInquiries(ctx, d.zk, d.zkPath, min(timeout, 5*time.Second), d.zkInquiries)
		if err != nil {
			return nil, err
		}
		d.mu.Lock()
		d.cur = addr
		d.mu.Unlock()
		return d.dial(addr)
	}
	if len(d.addrs) == 1 {
		return d.dial(d.addrs[0])
	}
	type answer struct {
		addr, hint string
		primary    bool
	}
	answers := make(chan answer, len(d.addrs))
	qctx, cancel := context.WithTimeout(ctx, min(timeout, 2*time.Second))
	defer cancel()
	for _, a := range d.addrs {
		go func(a string) {
			c, err := d.dial(a)
			if err != nil {
				answers <- answer{addr: a}
				return
			}
			r, err := c.meta.GetNodeStatus(qctx, &pb.GetNodeStatusRequest{})
			if err != nil {
				answers <- answer{addr: a}
				return
			}
			answers <- answer{addr: a, hint: r.LeaderHint, primary: r.Status.GetRole() == "PRIMARY"}
		}(a)
	}
	for range d.addrs {
		ans := <-answers
		if ans.primary {
			d.mu.Lock()
			d.cur = ans.addr
			d.mu.Unlock()
			return d.dial(ans.addr)
		}
	}
	return nil, errs.New(errs.ErrUnavailable, "no primary among masters %v", d.addrs)
}

// forget drops the remembered primary after it failed us, and takes the hint
// of where the primary went when the failed master gave one.
func (d *discovery) forget(addr, hint string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur == addr || d.cur == "" {
		d.cur = ""
		if hint != "" && hint != addr {
			d.cur = hint
		}
	}
}

func (d *discovery) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for a, c := range d.conns {
		c.cc.Close()
		delete(d.conns, a)
	}
	return nil
}

// WithPrimary runs fn with a connection to the primary master, retrying
// across failovers like every other call. It is for Alluxio's own
// processes (workers use it for the block master service); applications
// use the typed methods.
func (f *FileSystem) WithPrimary(ctx context.Context, fn func(ctx context.Context, cc grpc.ClientConnInterface) error) error {
	return f.retry(ctx, func(ctx context.Context, c *conn) error { return fn(ctx, c.cc) })
}
