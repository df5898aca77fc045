package security

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"io"
	"net"
	"testing"

	"github.com/alluxio-go/alluxio/internal/security/securitytest"
)

// TestGatheredTLSRecordsArriveWhole: megabyte writes through TLS over
// gatherConn, in both directions at once (so records sealed while the
// other side reads and writes interleave), arrive byte for byte.
func TestGatheredTLSRecordsArriveWhole(t *testing.T) {
	ca := securitytest.NewCA(t, "test")
	f := ca.Issue("peer", securitytest.Options{})
	creds, err := LoadTLS(TLSFiles{CertFile: f.CertFile, KeyFile: f.KeyFile, CAFile: ca.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	wrap := func(raw net.Conn, server bool) net.Conn {
		g := &gatherConn{Conn: raw}
		var c *tls.Conn
		if server {
			c = tls.Server(g, creds.ServerConfig())
		} else {
			cfg := creds.ClientConfig()
			cfg.ServerName = "127.0.0.1"
			c = tls.Client(g, cfg)
		}
		if err := c.Handshake(); err != nil {
			t.Error(err)
		}
		return &gatheringConn{Conn: c, raw: g}
	}
	payload := make([]byte, 16<<20)
	rand.Read(payload)
	want := sha256.Sum256(payload)
	// exchange writes payload in 1 MiB writes while it reads the peer's,
	// and reports the digest of what it read.
	exchange := func(c net.Conn, got chan<- [32]byte) {
		go func() {
			for off := 0; off < len(payload); off += 1 << 20 {
				if _, err := c.Write(payload[off : off+1<<20]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		h := sha256.New()
		if _, err := io.CopyN(h, c, int64(len(payload))); err != nil {
			t.Error(err)
		}
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		got <- sum
	}
	got := make(chan [32]byte, 2)
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			t.Error(err)
			got <- [32]byte{}
			return
		}
		exchange(wrap(raw, true), got)
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := wrap(raw, false)
	defer c.Close()
	exchange(c, got)
	for i := 0; i < 2; i++ {
		if sum := <-got; !bytes.Equal(sum[:], want[:]) {
			t.Fatal("a side read other bytes than were written")
		}
	}
}
