package security

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc/credentials"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// confirmingCreds is the client side of gRPC over TLS, made to learn
// whether the server accepted the client's certificate. Under TLS 1.3 the
// server judges it only after the client's handshake has finished, so the
// refusal (an alert) would otherwise arrive as a broken pipe in the middle
// of the first call, indistinguishable from a server that died. A gRPC
// server speaks first after the handshake (its SETTINGS frame), so the
// client reads that first record before it calls the connection made: it
// gets either the server's first bytes, which it hands on to gRPC, or the
// alert.
type confirmingCreds struct {
	credentials.TransportCredentials
	// hasCert: the client has a certificate to show. Go's client shows it
	// only to a server that trusts its authority, so such a server's
	// "certificate required" means the authority is the wrong one.
	hasCert bool
}

func (c confirmingCreds) ClientHandshake(ctx context.Context, authority string, raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	gather := &gatherConn{Conn: raw}
	conn, info, err := c.TransportCredentials.ClientHandshake(ctx, authority, gather)
	if err != nil {
		return nil, nil, c.refusal(authority, err)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(20 * time.Second)
	}
	if err := conn.SetReadDeadline(deadline); err != nil {
		conn.Close()
		return nil, nil, err
	}
	buf := make([]byte, 1)
	n, err := conn.Read(buf)
	if err != nil {
		conn.Close()
		return nil, nil, c.refusal(authority, err)
	}
	if err := conn.SetReadDeadline(time.Time{}); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return &primedConn{Conn: &gatheringConn{Conn: conn, raw: gather}, first: buf[:n]}, info, nil
}

func (c confirmingCreds) Clone() credentials.TransportCredentials {
	return confirmingCreds{TransportCredentials: c.TransportCredentials.Clone(), hasCert: c.hasCert}
}

// refusal marks err as the server refusing us, or us refusing the server,
// when it is one: a TLS alert from the server, a certificate the client
// cannot verify, or a server that does not speak TLS. Other errors (a
// reset, a timeout) stay what they are: the server may just be away.
func (c confirmingCreds) refusal(authority string, err error) error {
	var op *net.OpError
	var verify *tls.CertificateVerificationError
	var header tls.RecordHeaderError
	switch {
	case errors.As(err, &op) && op.Op == "remote error" && c.hasCert && op.Err.Error() == "tls: certificate required":
		return fmt.Errorf("%s: %s refused this client's certificate: %v: it was not issued by an authority the server "+
			"trusts (check alluxio.network.tls.cert.file and the server's alluxio.network.tls.ca.file)", errs.TLSRefused, authority, err)
	case errors.As(err, &op) && op.Op == "remote error":
		return fmt.Errorf("%s: %s refused this client's certificate: %v (check alluxio.network.tls.cert.file, "+
			".key.file and the server's alluxio.network.tls.ca.file)", errs.TLSRefused, authority, err)
	case errors.As(err, &verify):
		return fmt.Errorf("%s: the certificate of %s is not trusted: %v (check alluxio.network.tls.ca.file)",
			errs.TLSRefused, authority, err)
	case errors.As(err, &header):
		return fmt.Errorf("%s: %s does not speak TLS: %v (is alluxio.network.tls.enabled=true there?)",
			errs.TLSRefused, authority, err)
	}
	return err
}

// primedConn replays the bytes read to confirm the handshake before the
// rest of the connection.
type primedConn struct {
	net.Conn
	first []byte
}

func (c *primedConn) Read(p []byte) (int, error) {
	if len(c.first) > 0 {
		n := copy(p, c.first)
		c.first = c.first[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
