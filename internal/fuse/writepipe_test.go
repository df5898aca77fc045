package fuse

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// gatedWriter keeps what it is given, fails once it holds limit bytes, and
// waits for gate before each write when gate is set.
type gatedWriter struct {
	got   bytes.Buffer
	limit int
	gate  chan struct{}
}

var errFull = errors.New("full")

func (g *gatedWriter) Write(p []byte) (int, error) {
	if g.gate != nil {
		<-g.gate
	}
	if g.got.Len()+len(p) > g.limit {
		return 0, errFull
	}
	return g.got.Write(p)
}

func TestWritePipeKeepsOrderAndReportsTheFirstFailure(t *testing.T) {
	g := &gatedWriter{limit: 1 << 30}
	p := newWritePipe()
	var want bytes.Buffer
	for i := 0; i < 50; i++ {
		b := bytes.Repeat([]byte{byte(i)}, 1000+i*5000)
		want.Write(b)
		if err := p.write(g, b); err != nil {
			t.Fatal(err)
		}
		b[0] = 0xff // the caller's buffer is its own again at once
	}
	if err := p.drain(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g.got.Bytes(), want.Bytes()) {
		t.Fatalf("wrote %d bytes, not the %d given in order", g.got.Len(), want.Len())
	}

	full := &gatedWriter{limit: 3 << 20}
	for i := 0; i < 6; i++ {
		if err := p.write(full, make([]byte, 1<<20)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.close(); !errors.Is(err, errFull) {
		t.Fatalf("close after a failed write: %v, want %v", err, errFull)
	}
	if full.got.Len() != 3<<20 {
		t.Fatalf("%d bytes written; after the failure nothing more should be", full.got.Len())
	}
	if err := p.write(full, []byte("late")); !errors.Is(err, errPipeClosed) {
		t.Fatalf("a write after close: %v", err)
	}
	if err := p.close(); !errors.Is(err, errFull) {
		t.Fatalf("a second close: %v", err)
	}
}

func TestWritePipeReturnsBeforeTheBytesAreWritten(t *testing.T) {
	g := &gatedWriter{limit: 1 << 30, gate: make(chan struct{})}
	p := newWritePipe()
	// pipeDepth queued and one taken by the goroutine, held at the gate.
	accepted := make(chan struct{})
	go func() {
		for i := 0; i < pipeDepth+1; i++ {
			p.write(g, []byte{byte(i)})
		}
		close(accepted)
	}()
	select {
	case <-accepted:
	case <-time.After(10 * time.Second):
		t.Fatal("writes wait for the bytes before them to be written")
	}
	if p.failure() != nil || g.got.Len() != 0 {
		t.Fatalf("before the gate opened: %v, %d bytes", p.failure(), g.got.Len())
	}
	close(g.gate)
	if err := p.close(); err != nil || !bytes.Equal(g.got.Bytes(), []byte{0, 1, 2, 3, 4}) {
		t.Fatalf("after the gate opened: %v, %v", err, g.got.Bytes())
	}
}
