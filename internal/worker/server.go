// Package worker is the worker process: a tiered block cache (blockstore)
// served over gRPC, registered with the primary master and kept in sync by
// heartbeats, reading through to and persisting into the under storage.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/rpcbuf"
	"github.com/alluxio-go/alluxio/internal/rpcserver"
	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/security/authz/blockcap"
	"github.com/alluxio-go/alluxio/internal/underfs"
	// The local (and NFS) under storage is always available.
	_ "github.com/alluxio-go/alluxio/internal/underfs/local"
	_ "github.com/alluxio-go/alluxio/internal/underfs/s3"
	"github.com/alluxio-go/alluxio/internal/worker/blockstore"
)

// Server is one worker process.
type Server struct {
	cfg     *Config
	log     *slog.Logger
	master  *client.FileSystem
	store   *blockstore.Store
	metrics *metrics
	started time.Time

	grpc   *grpc.Server
	rpcLis net.Listener
	web    *http.Server
	webLis net.Listener

	ufsMu sync.Mutex
	ufs   map[string]underfs.UnderFileSystem

	// caching holds the blocks being read into the cache (cachejob.go).
	cachingMu sync.Mutex
	caching   map[int64]*cacheJob
	// cacheSlots bounds the cache jobs running at once (maxCacheJobs).
	cacheSlots chan struct{}
	verified   sync.Map // block id -> true once its checksum was checked

	id       workerID
	caps     blockcap.Verifier
	persists *persister
	protect  *protection
	beats    *beats

	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopOnce sync.Once
}

// New builds a worker that talks to the masters through master (a client
// configured with the cluster's master addresses).
func New(cfg *Config, master *client.FileSystem, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg, log: log, master: master, ufs: map[string]underfs.UnderFileSystem{}, caching: map[int64]*cacheJob{},
		cacheSlots: make(chan struct{}, maxCacheJobs)}
	s.metrics = newMetrics(s)
	s.persists = newPersister(s)
	s.protect = newProtection()
	s.beats = newBeats()
	return s, nil
}

// Start opens the block store, binds the ports and begins serving and
// heartbeating. On error everything it started is stopped again.
func (s *Server) Start(ctx context.Context) (err error) {
	s.started = time.Now()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			s.Stop(context.Background())
		}
	}()
	if s.store, err = blockstore.Open(blockstore.Options{Tiers: s.cfg.Tiers, Logger: s.log.With("component", "blockstore"),
		Owner: "worker " + s.cfg.Address()}); err != nil {
		return err
	}
	s.protect.store = s.store
	if s.rpcLis, err = net.Listen("tcp", net.JoinHostPort(s.cfg.BindHost, strconv.Itoa(s.cfg.RPCPort))); err != nil {
		return fmt.Errorf("alluxio.worker.rpc.port %d: %w", s.cfg.RPCPort, err)
	}
	if s.webLis, err = net.Listen("tcp", net.JoinHostPort(s.cfg.BindHost, strconv.Itoa(s.cfg.WebPort))); err != nil {
		return fmt.Errorf("alluxio.worker.web.port %d: %w", s.cfg.WebPort, err)
	}
	s.cfg.RPCPort = s.rpcLis.Addr().(*net.TCPAddr).Port
	s.cfg.WebPort = s.webLis.Addr().(*net.TCPAddr).Port
	// Workers take an impersonation claim as it comes: the master checked
	// it before it told the same caller where the blocks are.
	auth := &security.Authenticator{Type: s.cfg.Security.ServerType(), TrustImpersonation: true}
	s.grpc = grpc.NewServer(
		security.ServerOption(s.cfg.Security.TLS, s.log),
		grpc.ChainUnaryInterceptor(auth.UnaryInterceptor),
		grpc.ChainStreamInterceptor(auth.StreamInterceptor),
		grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			resp, err := h(ctx, req)
			return resp, errs.ToStatus(err, "")
		}),
		grpc.ChainStreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			return errs.ToStatus(h(srv, ss), "")
		}),
		grpc.MaxRecvMsgSize(16<<20),
		// Data streams move megabytes: large buffers and windows cut the
		// syscalls and round trips per byte.
		grpc.WriteBufferSize(1<<20), grpc.ReadBufferSize(1<<20),
		grpc.InitialWindowSize(16<<20), grpc.InitialConnWindowSize(32<<20),
		rpcbuf.ServerOption(),
	)
	pb.RegisterBlockWorkerServer(s.grpc, &dataService{s: s})
	s.web = &http.Server{Handler: s.webHandler(auth), ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(4)
	go func() { defer s.wg.Done(); s.grpc.Serve(s.rpcLis) }()
	go func() { defer s.wg.Done(); s.web.Serve(security.Listen(s.webLis, s.cfg.Security.ServerTLS())) }()
	go func() { defer s.wg.Done(); s.syncWithMaster(s.ctx) }()
	go func() { defer s.wg.Done(); s.persists.run(s.ctx) }()
	var total int64
	for _, t := range s.store.Capacity() {
		total += t.Capacity
	}
	s.log.Info("Alluxio worker started", "address", s.cfg.Address(), "web", s.webLis.Addr().String(),
		"blocks", len(s.store.Blocks()), "capacity", total)
	return nil
}

// RPCAddr is the bound rpc address (after Start).
func (s *Server) RPCAddr() net.Addr { return s.rpcLis.Addr() }

// WebAddr is the bound web address, with /healthz and /metrics (after
// Start).
func (s *Server) WebAddr() net.Addr { return s.webLis.Addr() }

// Stop stops serving; cached blocks stay on disk for the next start. Safe
// to call twice.
func (s *Server) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
		}
		rpcserver.Stop(ctx, s.grpc, s.web)
		s.wg.Wait()
		for _, l := range []net.Listener{s.rpcLis, s.webLis} {
			if l != nil {
				l.Close()
			}
		}
		if s.store != nil {
			s.store.Close()
		}
		s.ufsMu.Lock()
		for _, u := range s.ufs {
			u.Close()
		}
		s.ufsMu.Unlock()
	})
	return nil
}

// underStorage returns an open client of the under storage of a mount.
// Clients pass the mount's options with secrets masked; the real ones come
// from the master, by the mount's id, the first time.
func (s *Server) underStorage(loc *pb.UfsLocation) (underfs.UnderFileSystem, error) {
	if loc == nil || loc.MountUri == "" {
		return nil, errs.New(errs.ErrInvalidArg, "no under storage location given")
	}
	key := fmt.Sprintf("%d %s", loc.MountId, loc.MountUri)
	s.ufsMu.Lock()
	u, ok := s.ufs[key]
	s.ufsMu.Unlock()
	if ok {
		return u, nil
	}
	props := loc.MountProperties
	if masked(props) {
		var err error
		if props, err = s.mountOptions(loc); err != nil {
			return nil, err
		}
	}
	u, err := underfs.OpenWithOptions(loc.MountUri, underfs.Options{Properties: props, Logger: s.log, TempDirs: s.cfg.TmpDirs})
	if err != nil {
		return nil, err
	}
	s.ufsMu.Lock()
	defer s.ufsMu.Unlock()
	if old, ok := s.ufs[key]; ok {
		u.Close()
		return old, nil
	}
	s.ufs[key] = u
	return u, nil
}

func masked(props map[string]string) bool {
	for _, v := range props {
		if v == underfs.Masked {
			return true
		}
	}
	return false
}

// mountOptions asks the primary for a mount's options, secrets included.
func (s *Server) mountOptions(loc *pb.UfsLocation) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(s.ctx, rpcTimeout)
	defer cancel()
	var resp *pb.GetMountOptionsResponse
	err := s.master.WithPrimary(ctx, func(ctx context.Context, cc grpc.ClientConnInterface) (err error) {
		resp, err = pb.NewBlockMasterWorkerServiceClient(cc).GetMountOptions(ctx, &pb.GetMountOptionsRequest{MountId: loc.MountId})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("options of mount %d (%s): %w", loc.MountId, loc.MountUri, err)
	}
	if resp.UfsUri != loc.MountUri {
		return nil, errs.New(errs.ErrNotFound, "mount %d is %s now, not %s", loc.MountId, resp.UfsUri, loc.MountUri)
	}
	return resp.Properties, nil
}
