package security

import (
	"bufio"
	"net"
	"sync"
)

// TLS seals at most 16 KiB per record and crypto/tls hands each record to
// the connection below it as a write of its own, so a gRPC data stream
// that writes a megabyte at once would cost 64 system calls over TLS where
// it costs one in the clear. gatherConn, under the TLS connection, gathers
// the records of one write of the TLS connection (gatheringConn, above
// it) into one system call.
//
// Order is what matters: crypto/tls numbers records as it seals them, so
// they must reach the socket in the order they were sealed. crypto/tls
// seals and writes under one lock, so records reach gatherConn in order;
// gatherConn keeps a record written while it gathers (an alert, a key
// update answered by the reading goroutine) behind the gathered ones, and
// writes nothing past them until they are flushed.
type gatherConn struct {
	net.Conn
	mu        sync.Mutex
	gathering bool
	buf       []byte

	// in buffers reads: crypto/tls asks for one record (16 KiB) at a
	// time, a system call each, where a plain connection's reader takes
	// whatever has arrived, up to a megabyte. Only the reading goroutine
	// uses it.
	in *bufio.Reader
}

// readBufferSize is how much one read of a TLS connection's socket may
// take: 16 records.
const readBufferSize = 256 << 10

func (g *gatherConn) Read(p []byte) (int, error) {
	if g.in == nil {
		g.in = bufio.NewReaderSize(g.Conn, readBufferSize)
	}
	return g.in.Read(p)
}

func (g *gatherConn) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gathering {
		g.buf = append(g.buf, p...)
		return len(p), nil
	}
	return g.Conn.Write(p)
}

func (g *gatherConn) start() {
	g.mu.Lock()
	g.gathering = true
	g.mu.Unlock()
}

// flush writes what was gathered and stops gathering.
func (g *gatherConn) flush() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gathering = false
	if len(g.buf) == 0 {
		return nil
	}
	_, err := g.Conn.Write(g.buf)
	if cap(g.buf) > 4<<20 {
		g.buf = nil // a burst does not pin its buffer
	} else {
		g.buf = g.buf[:0]
	}
	return err
}

// gatheringConn is the TLS connection over a gatherConn: each Write goes
// to the socket in one system call.
type gatheringConn struct {
	net.Conn
	raw *gatherConn
}

func (c *gatheringConn) Write(p []byte) (int, error) {
	c.raw.start()
	n, err := c.Conn.Write(p)
	if ferr := c.raw.flush(); err == nil && ferr != nil {
		return 0, ferr
	}
	return n, err
}
