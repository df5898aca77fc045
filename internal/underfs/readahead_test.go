package underfs

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

// slowReaderAt answers ReadAt from data after a random pause, counting the
// calls in flight.
type slowReaderAt struct {
	data     []byte
	inflight atomic.Int32
	peak     atomic.Int32
	failAt   int64 // a ReadAt at this offset fails; -1 none
}

func (s *slowReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	for {
		old := s.peak.Load()
		if n <= old || s.peak.CompareAndSwap(old, n) {
			break
		}
	}
	time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
	if off == s.failAt {
		return 0, errors.New("injected")
	}
	if off >= int64(len(s.data)) {
		return 0, io.EOF
	}
	k := copy(p, s.data[off:])
	if k < len(p) {
		return k, io.EOF
	}
	return k, nil
}

func TestReadAhead(t *testing.T) {
	data := make([]byte, 1<<20+12345)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, full := range []bool{false, true} {
		src := &slowReaderAt{data: data, failAt: -1}
		open := ReadAhead
		if full {
			open = ReadAheadFull
		}
		r := open(src, 1000, int64(len(data))-7, 4096, 6)
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, data[1000:len(data)-7]) {
			t.Fatalf("full=%v: read %d bytes, %v; want %d matching", full, len(got), err, len(data)-1007)
		}
		if p := src.peak.Load(); p > 6 || p < 2 {
			t.Errorf("full=%v: %d ReadAt calls in flight at most; want 2..6", full, p)
		}
	}
	// WriteTo hands over the chunks as fetched: the same bytes, after a
	// Read took part of the first.
	wt := ReadAheadFull(&slowReaderAt{data: data, failAt: -1}, 1000, int64(len(data))-7, 4096, 6)
	head := make([]byte, 100)
	if _, err := io.ReadFull(wt, head); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	n, err := wt.(io.WriterTo).WriteTo(&out)
	wt.Close()
	if err != nil || n != int64(out.Len()) || !bytes.Equal(append(head, out.Bytes()...), data[1000:len(data)-7]) {
		t.Fatalf("WriteTo after a Read: %d bytes, %v; want the rest of the range", n, err)
	}
	for _, viaWriteTo := range []bool{false, true} {
		src := &slowReaderAt{data: data, failAt: 4096 * 3}
		r := ReadAhead(src, 0, int64(len(data)), 4096, 4)
		var got []byte
		var err error
		if viaWriteTo {
			var out bytes.Buffer
			_, err = r.(io.WriterTo).WriteTo(&out)
			got = out.Bytes()
		} else {
			got, err = io.ReadAll(r)
		}
		r.Close()
		if err == nil || len(got) != 4096*3 || !bytes.Equal(got, data[:len(got)]) {
			t.Errorf("with a failing fetch (WriteTo %v): %d bytes, %v; want the 3 chunks before it and the error", viaWriteTo, len(got), err)
		}
	}
	// Closing early stops the fetches.
	r := ReadAheadFull(&slowReaderAt{data: data, failAt: -1}, 0, int64(len(data)), 4096, 4)
	if _, err := r.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := r.Read(make([]byte, 10)); err == nil {
		t.Error("Read after Close succeeded")
	}
}
