package security

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// TLSFiles name the PEM files of mutual TLS
// (alluxio.network.tls.cert.file, .key.file, .ca.file).
type TLSFiles struct {
	CertFile, KeyFile, CAFile string
}

// TLSCreds is a process's mutual TLS material: the certificate it shows as
// server and as client, and the authorities whose certificates it trusts.
// It is read-only after LoadTLS, so servers and clients share it.
type TLSCreds struct {
	cert tls.Certificate
	cas  *x509.CertPool
}

// LoadTLS reads the key pair and the authorities. Every error names the
// property and the file it is about.
func LoadTLS(f TLSFiles) (*TLSCreds, error) {
	for _, kv := range [][2]string{{"alluxio.network.tls.cert.file", f.CertFile}, {"alluxio.network.tls.key.file", f.KeyFile},
		{"alluxio.network.tls.ca.file", f.CAFile}} {
		if kv[1] == "" {
			return nil, fmt.Errorf("%s is empty, and alluxio.network.tls.enabled=true needs it", kv[0])
		}
	}
	cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("alluxio.network.tls.cert.file (%s) with alluxio.network.tls.key.file (%s): %w", f.CertFile, f.KeyFile, err)
	}
	pem, err := os.ReadFile(f.CAFile)
	if err != nil {
		return nil, fmt.Errorf("alluxio.network.tls.ca.file: %w", err)
	}
	cas := x509.NewCertPool()
	if !cas.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("alluxio.network.tls.ca.file (%s) holds no PEM certificate", f.CAFile)
	}
	return &TLSCreds{cert: cert, cas: cas}, nil
}

// ServerConfig is the configuration of a port that only callers with a
// certificate of a trusted authority may use (every rpc and web port, the
// embedded journal).
func (t *TLSCreds) ServerConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{t.cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    t.cas,
		MinVersion:   tls.VersionTLS12,
		// Data streams move megabytes: full-size records from the start
		// cost the fewest seals per byte.
		DynamicRecordSizingDisabled: true,
	}
}

// OptionalClientConfig is ServerConfig for a port whose callers prove who
// they are some other way (the S3 proxy: request signatures), so a client
// certificate is checked when shown but not required.
func (t *TLSCreds) OptionalClientConfig() *tls.Config {
	c := t.ServerConfig()
	c.ClientAuth = tls.VerifyClientCertIfGiven
	return c
}

// ClientConfig is the configuration of a connection to a server of the
// cluster: the server must show a certificate of a trusted authority valid
// for the name dialled, and the client shows its own.
func (t *TLSCreds) ClientConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{t.cert},
		RootCAs:      t.cas,
		MinVersion:   tls.VersionTLS12,
		// As ServerConfig: the client writes whole blocks too.
		DynamicRecordSizingDisabled: true,
	}
}

// ServerOption is the gRPC transport of a server: mutual TLS with t, plain
// TCP when t is nil. Handshakes it refuses are logged with the reason, as
// the refused client is told only what its TLS alert says.
func ServerOption(t *TLSCreds, log *slog.Logger) grpc.ServerOption {
	if t == nil {
		return grpc.Creds(insecure.NewCredentials())
	}
	return grpc.Creds(loggingCreds{TransportCredentials: credentials.NewTLS(t.ServerConfig()), log: log})
}

// DialOption is the gRPC transport of a client: mutual TLS with cfg (a
// ClientConfig), plain TCP when cfg is nil. A server that refuses the
// client's certificate, or shows one the client does not trust, fails the
// call with errs.ErrUnauthenticated naming the reason, not with a server
// that seems away (which clients would retry for minutes).
func DialOption(cfg *tls.Config) grpc.DialOption {
	if cfg == nil {
		return grpc.WithTransportCredentials(insecure.NewCredentials())
	}
	return grpc.WithTransportCredentials(confirmingCreds{TransportCredentials: credentials.NewTLS(cfg),
		hasCert: len(cfg.Certificates) > 0 || cfg.GetClientCertificate != nil})
}

// Listen wraps ln so that it speaks TLS with cfg; ln itself when cfg is
// nil. For the web ports, whose HTTP servers take any listener.
func Listen(ln net.Listener, cfg *tls.Config) net.Listener {
	if cfg == nil {
		return ln
	}
	return tls.NewListener(ln, cfg)
}

// loggingCreds logs refused server handshakes. A connection that closes
// before saying anything (a port probe) is not worth a line.
type loggingCreds struct {
	credentials.TransportCredentials
	log *slog.Logger
}

func (c loggingCreds) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	raw := &gatherConn{Conn: conn}
	out, info, err := c.TransportCredentials.ServerHandshake(raw)
	if err != nil {
		if c.log != nil && !isEOF(err) {
			c.log.Warn("refused a TLS connection", "remote", conn.RemoteAddr().String(), "err", err)
		}
		return nil, nil, err
	}
	return &gatheringConn{Conn: out, raw: raw}, info, nil
}

func (c loggingCreds) Clone() credentials.TransportCredentials {
	return loggingCreds{TransportCredentials: c.TransportCredentials.Clone(), log: c.log}
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }
