package proxy

import (
	"bytes"
	"crypto/md5"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

type failWriter struct{ after int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("disk full")
	}
	f.after -= len(p)
	return len(p), nil
}

func TestPipeCopy(t *testing.T) {
	s := New(Config{})
	data := bytes.Repeat([]byte("0123456789abcdef"), (9<<20)/16+7) // not a whole number of buffers
	var out bytes.Buffer
	h := md5.New()
	ended := false
	err := s.pipeCopy(&out, iotest.HalfReader(bytes.NewReader(data)), func(b []byte) { h.Write(b) }, func() error { ended = true; return nil })
	if err != nil || !bytes.Equal(out.Bytes(), data) || !ended {
		t.Fatalf("copy: %v, %d bytes of %d, ended %v", err, out.Len(), len(data), ended)
	}
	if want := md5.Sum(data); !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("the hash saw other bytes or another order")
	}
	bad := errors.New("digest mismatch")
	if err := s.pipeCopy(io.Discard, bytes.NewReader(data), func([]byte) {}, func() error { return bad }); err != bad {
		t.Fatalf("the end check's error: %v", err)
	}
	broken := errors.New("connection reset")
	if err := s.pipeCopy(io.Discard, io.MultiReader(bytes.NewReader(data[:5<<20]), iotest.ErrReader(broken)), func([]byte) {}, func() error {
		t.Error("end ran after a failed read")
		return nil
	}); err != broken {
		t.Fatalf("a read error: %v", err)
	}
	if err := s.pipeCopy(&failWriter{after: 2 << 20}, bytes.NewReader(data), func([]byte) {}, nil); err == nil || err.Error() != "disk full" {
		t.Fatalf("a write error: %v", err)
	}
}
