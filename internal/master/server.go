// Package master assembles the master process: the metadata state machine,
// its journal, the gRPC services, the web port with health and metrics, and
// the background work only a primary does (root mount, under storage
// changes left pending, TTL checks).
package master

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/audit"
	"github.com/alluxio-go/alluxio/internal/election"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/failpoint"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/journal/raftjournal"
	"github.com/alluxio-go/alluxio/internal/journal/ufsjournal"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/rpcserver"
	"github.com/alluxio-go/alluxio/internal/security"
	// The local (and NFS) under storage is always available.
	_ "github.com/alluxio-go/alluxio/internal/underfs/local"
	_ "github.com/alluxio-go/alluxio/internal/underfs/s3"
)

// Server is one master process.
type Server struct {
	cfg     *Config
	log     *slog.Logger
	st      *state.State
	jr      journal.System
	fs      *fileSystem
	blocks  *blockMaster
	metrics *metrics
	view    *webView
	now     func() time.Time
	started time.Time

	grpc   *grpc.Server
	rpcLis net.Listener
	web    *http.Server
	webLis net.Listener
	// auditLog is nil unless alluxio.master.audit.logging.enabled.
	auditLog *audit.Writer

	primary  atomic.Bool
	fatal    chan error
	stopCh   chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once
	// primaryCtx is cancelled when this master stops being primary, ending
	// work that only a primary may do.
	primaryMu     sync.Mutex
	primaryCancel context.CancelFunc
	// serving is closed while this master serves as primary; becoming a
	// standby puts an open one in its place. Guarded by primaryMu.
	serving chan struct{}
}

// New builds a master from cfg; nothing listens or runs until Start.
func New(cfg *Config, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := checkRootUFS(cfg); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, now: time.Now, fatal: make(chan error, 1), stopCh: make(chan struct{}),
		serving: make(chan struct{})}
	s.st = state.New(state.Options{RetryCacheSize: cfg.RetryCacheSize, RootOwner: cfg.SuperUser, RootGroup: cfg.SuperUser})
	jr, err := s.newJournal()
	if err != nil {
		return nil, err
	}
	s.jr = jr
	s.blocks = newBlockMaster(s.st, cfg.WorkerTimeout)
	s.blocks.retention = cfg.DeletedRetention
	s.fs = newFileSystem(cfg, s.st, jr, log)
	s.fs.blocks = s.blocks
	s.metrics = newMetrics(s)
	s.view = &webView{s: s}
	return s, nil
}

func (s *Server) newJournal() (journal.System, error) {
	switch s.cfg.JournalType {
	case "UFS":
		var sel election.PrimarySelector = election.NewSingle(s.cfg.RPCAddress())
		if s.cfg.ZooKeeperEnabled {
			zk, err := election.NewZooKeeper(election.ZKConfig{Servers: s.cfg.ZooKeeperAddress,
				ElectionPath: s.cfg.ZKElectionPath, LeaderPath: s.cfg.ZKLeaderPath, SessionTimeout: s.cfg.ZKSessionTimeout,
				ConnectionTimeout: s.cfg.ZKConnectTimeout, Address: s.cfg.RPCAddress(), Logger: s.log.With("component", "election")})
			if err != nil {
				return nil, err
			}
			sel = zk
		}
		return ufsjournal.New(ufsjournal.Options{
			Folder: s.cfg.JournalFolder, StateMachine: s.st, Selector: sel,
			MaxLogSize: s.cfg.MaxLogSize, CheckpointPeriod: s.cfg.CheckpointPeriod, TailInterval: s.cfg.TailInterval,
			// With standbys, they write checkpoints so the primary never
			// pauses for one; a lone master must do it itself.
			CheckpointOnStandby: s.cfg.ZooKeeperEnabled,
			Logger:              s.log.With("component", "journal"), OnFatal: s.onFatal,
			Owner: s.journalOwner(),
		})
	case "EMBEDDED":
		peers := make([]raftjournal.Peer, len(s.cfg.EmbeddedAddresses))
		for i, a := range s.cfg.EmbeddedAddresses {
			peers[i] = raftjournal.Peer{JournalAddress: a, RPCAddress: s.cfg.RPCAddresses[i]}
		}
		return raftjournal.New(raftjournal.Options{
			DataDir: s.cfg.JournalFolder, LocalAddress: s.cfg.EmbeddedAddress(), Peers: peers, BindHost: s.cfg.EmbeddedBindHost,
			ElectionTimeoutMin: s.cfg.ElectionTimeoutMin, ElectionTimeoutMax: s.cfg.ElectionTimeoutMax,
			SnapshotPeriod: s.cfg.CheckpointPeriod, StateMachine: s.st, Join: s.cfg.JoinQuorum,
			ServerTLS: s.cfg.Security.ServerTLS(), ClientTLS: s.cfg.Security.ClientTLS(),
			Logger: s.log.With("component", "journal"), OnFatal: s.onFatal,
		})
	default:
		return nil, errs.New(errs.ErrInvalidArg, "alluxio.master.journal.type=%s: must be UFS or EMBEDDED", s.cfg.JournalType)
	}
}

// journalOwner names this master in the journal folder's lock; with a
// port not chosen yet, the journal's default (host and pid) is unique.
func (s *Server) journalOwner() string {
	if s.cfg.RPCPort == 0 {
		return ""
	}
	return "master " + s.cfg.RPCAddress()
}

func (s *Server) onFatal(err error) {
	select {
	case s.fatal <- err:
	default:
	}
}

// IsPrimary reports whether this master serves as primary now.
func (s *Server) IsPrimary() bool { return s.primary.Load() }

// WaitPrimary returns nil once this master serves as primary (at once if it
// does now), ctx's error if ctx ends first, and ErrUnavailable once the
// master is stopped. Any number of goroutines may wait; there is nothing to
// drain. Primacy may be lost again right after it returns: a caller that
// must act only as primary still goes through the journal.
func (s *Server) WaitPrimary(ctx context.Context) error {
	s.primaryMu.Lock()
	serving := s.serving
	s.primaryMu.Unlock()
	select {
	case <-serving:
		return nil
	case <-s.stopCh:
		return errs.New(errs.ErrUnavailable, "master %s stopped before it became primary", s.cfg.RPCAddress())
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Fatal delivers an error that should end the process (the journal cannot
// be written, for one).
func (s *Server) Fatal() <-chan error { return s.fatal }

// RPCAddr and WebAddr are the bound addresses (after Start).
func (s *Server) RPCAddr() net.Addr { return s.rpcLis.Addr() }

// WebAddr is the bound web address (after Start).
func (s *Server) WebAddr() net.Addr { return s.webLis.Addr() }

// Start binds the ports, replays the journal and starts serving. On error
// everything it started is stopped again.
func (s *Server) Start(ctx context.Context) (err error) {
	s.started = s.now()
	defer func() {
		if err != nil {
			s.Stop(context.Background())
		}
	}()
	if s.rpcLis, err = net.Listen("tcp", net.JoinHostPort(s.cfg.BindHost, strconv.Itoa(s.cfg.RPCPort))); err != nil {
		return fmt.Errorf("alluxio.master.rpc.port %d: %w", s.cfg.RPCPort, err)
	}
	if s.webLis, err = net.Listen("tcp", net.JoinHostPort(s.cfg.BindHost, strconv.Itoa(s.cfg.WebPort))); err != nil {
		return fmt.Errorf("alluxio.master.web.port %d: %w", s.cfg.WebPort, err)
	}
	// Port 0 asks for any free port; record the one we got so the address
	// this master advertises is reachable.
	s.cfg.RPCPort = s.rpcLis.Addr().(*net.TCPAddr).Port
	s.cfg.WebPort = s.webLis.Addr().(*net.TCPAddr).Port
	sec := s.cfg.Security
	// One group mapping (and cache) for the whole process: permission
	// checks, impersonation's .groups rules and the audit log's ugi agree.
	auth := &security.Authenticator{Type: sec.ServerType(), Impersonation: sec.Impersonation, Groups: s.fs.az.groups}
	opts := append([]grpc.ServerOption{security.ServerOption(sec.TLS, s.log)}, auth.ServerOptions()...)
	unary, stream := []grpc.UnaryServerInterceptor{s.unaryInterceptor}, []grpc.StreamServerInterceptor{s.streamInterceptor}
	if s.cfg.AuditLog {
		f, err := openAuditLog(s.cfg)
		if err != nil {
			return err
		}
		s.auditLog = audit.NewWriter(f, s.cfg.AuditQueue, s.fs.az.groups, s.log.With("component", "audit"))
		s.metrics.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "alluxio", Subsystem: "master",
			Name: "audit_log_entries_dropped_total", Help: "Audit log entries dropped because the writer's queue was full."},
			func() float64 { return float64(s.auditLog.Dropped()) }))
		// After unaryInterceptor: the audit sees the handlers' own errors
		// (a denial is ErrPermission), not their status codes.
		unary, stream = append(unary, s.auditUnary), append(stream, s.auditStream)
	}
	s.grpc = grpc.NewServer(append(opts,
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
		grpc.MaxRecvMsgSize(64<<20),
	)...)
	pb.RegisterFileSystemMasterClientServiceServer(s.grpc, &fsService{fs: s.fs})
	pb.RegisterMetaMasterClientServiceServer(s.grpc, &metaService{s: s})
	pb.RegisterBlockMasterWorkerServiceServer(s.grpc, &blockWorkerService{s: s})
	pb.RegisterBlockMasterClientServiceServer(s.grpc, &blockClientService{s: s})
	s.web = &http.Server{Handler: s.webHandler(auth), ReadHeaderTimeout: 10 * time.Second}
	if err = s.jr.Start(ctx); err != nil {
		return err
	}
	s.wg.Add(3)
	go func() { defer s.wg.Done(); s.grpc.Serve(s.rpcLis) }()
	go func() { defer s.wg.Done(); s.web.Serve(security.Listen(s.webLis, sec.ServerTLS())) }()
	go func() { defer s.wg.Done(); s.watchPrimacy() }()
	s.log.Info("Alluxio master started", "rpc", s.RPCAddr().String(), "web", s.WebAddr().String(),
		"authentication", sec.ServerType(), "audit_log", s.cfg.AuditLog, "journal", s.cfg.JournalType, "journal_folder", s.cfg.JournalFolder, "inodes", s.st.InodeCount())
	if fp := failpoint.Active(); fp != "" {
		s.log.Warn("failpoints are on: this master has bugs planted for testing", "failpoints", fp)
	}
	return nil
}

func (s *Server) watchPrimacy() {
	for p := range s.jr.Primacy() {
		if p.Primary {
			s.becomePrimary(p.Epoch)
		} else {
			s.becomeStandby()
		}
	}
}

func (s *Server) becomePrimary(epoch uint64) {
	ctx, cancel := context.WithCancel(context.Background())
	s.primaryMu.Lock()
	s.primaryCancel = cancel
	s.primaryMu.Unlock()
	if err := s.fs.mountRoot(ctx); err != nil {
		s.log.Error("cannot mount the root under storage", "ufs", s.cfg.RootUFS, "err", err)
		s.onFatal(err)
		return
	}
	if err := s.fs.ensureClusterID(ctx); err != nil {
		// The next primary tries again; the cluster works without a name.
		s.log.Warn("cannot journal the cluster id", "err", err)
	}
	s.fs.forget.reset()
	s.primaryMu.Lock()
	if !s.primary.Swap(true) {
		close(s.serving)
	}
	s.primaryMu.Unlock()
	s.log.Info(fmt.Sprintf("%s is now the leader.", s.cfg.RPCAddress()), "epoch", epoch)
	s.log.Info("master is serving as primary", "epoch", epoch, "last_sequence", s.st.LastSequence())
	s.wg.Add(4)
	if s.cfg.CleanupInterval > 0 {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.fs.sweepLoop(ctx, s.cfg.CleanupInterval) }()
	}
	go func() { defer s.wg.Done(); s.runKeyRotation(ctx) }()
	go func() { defer s.wg.Done(); s.fs.intents.loop(ctx) }()
	go func() { defer s.wg.Done(); s.runTTLChecker(ctx) }()
	go func() { defer s.wg.Done(); s.blocks.run(ctx, s.cfg.LostWorkerCheck, s.fs.ufsLocation) }()
}

func (s *Server) becomeStandby() {
	s.primaryMu.Lock()
	if s.primaryCancel != nil {
		s.primaryCancel()
		s.primaryCancel = nil
	}
	was := s.primary.Swap(false)
	if was {
		s.serving = make(chan struct{})
	}
	s.primaryMu.Unlock()
	if was {
		s.blocks.reset()
		s.fs.intents.reset()
		s.log.Warn("master lost primacy; now a standby")
	}
}

func (s *Server) leaderHint() string {
	if s.primary.Load() {
		return s.cfg.RPCAddress()
	}
	return s.jr.Info().Leader
}

func (s *Server) masterAddresses() []string {
	if len(s.cfg.RPCAddresses) > 0 {
		return s.cfg.RPCAddresses
	}
	return []string{s.cfg.RPCAddress()}
}

// Stop stops serving and closes the journal. Safe to call twice.
func (s *Server) Stop(ctx context.Context) error {
	var err error
	s.stopOnce.Do(func() {
		close(s.stopCh)
		rpcserver.Stop(ctx, s.grpc, s.web)
		if s.jr != nil {
			err = s.jr.Stop()
		}
		s.becomeStandby()
		s.wg.Wait()
		s.view.close()
		s.fs.ufs.closeAll()
		if s.auditLog != nil {
			if cerr := s.auditLog.Close(); err == nil {
				err = cerr
			}
		}
		for _, l := range []net.Listener{s.rpcLis, s.webLis} {
			if l != nil {
				l.Close()
			}
		}
	})
	return err
}

// metaMethods may be served by any master: they are how clients find the
// primary and how operators see the cluster.
var metaMethods = map[string]bool{
	pb.MetaMasterClientService_GetNodeStatus_FullMethodName: true,
	pb.MetaMasterClientService_GetMasterInfo_FullMethodName: true,
}

// readMethods answer from the applied state, so the primary must confirm
// its primacy (a lease or a quorum round) before each: a deposed primary
// would serve stale metadata. Every other call changes something, and the
// journal itself refuses a proposal from a master that is not primary, so
// for them knowing we were primary a moment ago is enough to go ahead.
var readMethods = map[string]bool{
	pb.FileSystemMasterClientService_GetStatus_FullMethodName:     true,
	pb.FileSystemMasterClientService_ListStatus_FullMethodName:    true,
	pb.FileSystemMasterClientService_GetMountTable_FullMethodName: true,
}

// checkServe decides whether this master may serve method now.
func (s *Server) checkServe(ctx context.Context, method string) error {
	switch {
	case metaMethods[method]:
		return nil
	case readMethods[method]:
		return s.jr.CheckPrimary(ctx)
	case !s.primary.Load():
		return errs.New(errs.ErrNotPrimary, "this master is a standby")
	}
	return nil
}

func (s *Server) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	start := s.now()
	if err := s.checkServe(ctx, info.FullMethod); err != nil {
		s.metrics.observe(info.FullMethod, start, err)
		return nil, errs.ToStatus(err, s.leaderHint())
	}
	if s.cfg.NoRetryCache {
		withoutOpID(req)
	}
	resp, err := h(ctx, req)
	s.metrics.observe(info.FullMethod, start, err)
	if err != nil {
		if !errors.Is(err, errs.ErrNotFound) && errs.Code(err) == "INTERNAL" {
			s.log.Error("rpc failed", "method", info.FullMethod, "err", err)
		}
		return nil, errs.ToStatus(err, s.leaderHint())
	}
	return resp, nil
}

func (s *Server) streamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	start := s.now()
	if err := s.checkServe(ss.Context(), info.FullMethod); err != nil {
		s.metrics.observe(info.FullMethod, start, err)
		return errs.ToStatus(err, s.leaderHint())
	}
	err := h(srv, ss)
	s.metrics.observe(info.FullMethod, start, err)
	return errs.ToStatus(err, s.leaderHint())
}
