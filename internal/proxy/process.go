package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/security"
)

// ProcessConfig is the configuration of a proxy process.
type ProcessConfig struct {
	// Addr is host:port to listen on (alluxio.proxy.web.bind.host and
	// alluxio.proxy.web.port).
	Addr    string
	Cleaner bool
	Server  Config
	// TLS, when set (alluxio.network.tls.enabled), makes the port HTTPS.
	TLS *tls.Config
}

// ConfigFromProperties reads the alluxio.proxy.* keys; the client (FS) and
// logger are the caller's.
func ConfigFromProperties(p *conf.Properties) (*ProcessConfig, error) {
	var errs []error
	get := func(k string) string {
		v, err := p.GetString(k)
		errs = append(errs, err)
		return v
	}
	port, err := p.GetInt(conf.ProxyWebPort)
	errs = append(errs, err)
	minPart, err := p.GetBytes(conf.ProxyS3MinPartSize)
	errs = append(errs, err)
	keepalive, err := p.GetDuration(conf.ProxyS3CompleteKeepalive)
	errs = append(errs, err)
	metaMax, err := p.GetBytes(conf.ProxyS3MetadataMaxSize)
	errs = append(errs, err)
	cleaner, err := p.GetBool(conf.ProxyS3CleanerEnabled)
	errs = append(errs, err)
	timeout, err := p.GetDuration(conf.ProxyS3CleanerTimeout)
	errs = append(errs, err)
	c := &ProcessConfig{
		Addr:    net.JoinHostPort(get(conf.ProxyWebBindHost), strconv.Itoa(port)),
		Cleaner: cleaner,
		Server: Config{WriteType: get(conf.ProxyS3WriteType), MinPartSize: minPart, CompleteKeepalive: keepalive,
			MetadataMaxSize: int(metaMax), UploadTimeout: timeout},
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sec, err := security.ConfigFromProperties(p)
	if err != nil {
		return nil, err
	}
	if sec.TLS != nil {
		// S3 clients prove who they are by their signatures, not by
		// certificates: HTTPS, with a client certificate checked when
		// one is shown.
		c.TLS = sec.TLS.OptionalClientConfig()
	}
	if f := get(conf.ProxyS3CredentialsFile); f != "" {
		creds, err := LoadCredentials(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", conf.ProxyS3CredentialsFile, err)
		}
		c.Server.Credentials = creds
	}
	return c, nil
}

// Process is a running proxy: an HTTP server and, when enabled, the
// cleaner.
type Process struct {
	srv    *http.Server
	ln     net.Listener
	cancel context.CancelFunc
	done   chan struct{}
}

// Start listens on cfg.Addr and serves the S3 API through fs.
func Start(cfg *ProcessConfig, fs *client.FileSystem, log *slog.Logger) (*Process, error) {
	sc := cfg.Server
	sc.FS, sc.Log = fs, log
	s := New(sc)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("proxy: listen on %s: %w", cfg.Addr, err)
	}
	ln = security.Listen(ln, cfg.TLS)
	ctx, cancel := context.WithCancel(context.Background())
	p := &Process{ln: ln, cancel: cancel, done: make(chan struct{}),
		srv: &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}}
	go func() {
		defer close(p.done)
		p.srv.Serve(ln)
	}()
	if cfg.Cleaner {
		go s.RunCleaner(ctx)
	}
	log.Info("proxy serving the S3 API", "address", ln.Addr().String(), "write_type", sc.WriteType,
		"signatures_checked", sc.Credentials != nil, "https", cfg.TLS != nil)
	return p, nil
}

// Addr is the address the proxy listens on.
func (p *Process) Addr() net.Addr { return p.ln.Addr() }

// Stop stops serving, waiting for requests in flight until ctx ends.
func (p *Process) Stop(ctx context.Context) error {
	p.cancel()
	err := p.srv.Shutdown(ctx)
	if err != nil {
		p.srv.Close()
	}
	<-p.done
	return err
}
