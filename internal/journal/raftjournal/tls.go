package raftjournal

import (
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

// tlsStream is Raft's transport over mutual TLS (alluxio.network.tls.*):
// the listener accepts only peers whose certificate a trusted authority
// signed, and dials show this master's certificate and check the peer's.
// Raft's own framing runs unchanged inside the TLS connections.
type tlsStream struct {
	ln        net.Listener
	advertise net.Addr
	client    *tls.Config
}

func (s *tlsStream) Accept() (net.Conn, error) { return s.ln.Accept() }
func (s *tlsStream) Close() error              { return s.ln.Close() }
func (s *tlsStream) Addr() net.Addr            { return s.advertise }

func (s *tlsStream) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout}
	conn, err := tls.DialWithDialer(d, "tcp", string(addr), s.client)
	if err != nil {
		return nil, fmt.Errorf("embedded journal: TLS to %s: %w", addr, err)
	}
	return conn, nil
}

// newTLSTransport is raft.NewTCPTransportWithLogger over TLS.
func newTLSTransport(bind string, adv net.Addr, server, client *tls.Config, hl hclog.Logger) (*raft.NetworkTransport, error) {
	ln, err := net.Listen("tcp", bind)
	if err != nil {
		return nil, err
	}
	// Peers dial by journal address; the certificate is checked against
	// the host of each address dialled (tls.DialWithDialer takes it from
	// addr when ServerName is empty).
	stream := &tlsStream{ln: tls.NewListener(ln, server), advertise: adv, client: client}
	return raft.NewNetworkTransportWithLogger(stream, 3, 10*time.Second, hl), nil
}
