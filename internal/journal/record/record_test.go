package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// frame returns the framed records of payloads and the offset each starts at.
func frame(payloads ...string) ([]byte, []int) {
	var out []byte
	var starts []int
	for _, p := range payloads {
		starts = append(starts, len(out))
		out = Append(out, []byte(p))
	}
	return out, starts
}

// readAll reads records until an error and returns the payloads and that
// error (io.EOF at a clean end).
func readAll(data []byte, offset int64) ([]string, *Reader, error) {
	rr := NewReader(bytes.NewReader(data), offset)
	var got []string
	for {
		p, err := rr.Next()
		if err != nil {
			return got, rr, err
		}
		got = append(got, string(p))
	}
}

func TestAppendLayout(t *testing.T) {
	b := Append([]byte("prefix"), []byte("abc"))
	if string(b[:6]) != "prefix" || len(b) != 6+headerSize+3 {
		t.Fatalf("Append = %q", b)
	}
	if n := binary.LittleEndian.Uint32(b[6:]); n != 3 {
		t.Fatalf("length field %d", n)
	}
	if string(b[6+headerSize:]) != "abc" {
		t.Fatalf("payload %q", b[6+headerSize:])
	}
}

func TestReader(t *testing.T) {
	payloads := []string{"first", "", "second record", strings.Repeat("x", 300<<10), "last"}
	data, starts := frame(payloads...)
	end := len(data)
	lastStart := starts[len(starts)-1]

	flip := func(at int) []byte {
		d := bytes.Clone(data)
		d[at] ^= 0x40
		return d
	}
	withLen := func(at int, n uint32) []byte {
		d := bytes.Clone(data)
		binary.LittleEndian.PutUint32(d[at:], n)
		return d
	}
	tests := []struct {
		name string
		data []byte
		// want is how many payloads come back before the error.
		want    int
		wantErr error
		// corruptAt is the offset a *CorruptError must name (-1: none).
		corruptAt int
	}{
		{name: "clean end", data: data, want: len(payloads), wantErr: io.EOF, corruptAt: -1},
		{name: "no data", data: nil, want: 0, wantErr: io.EOF, corruptAt: -1},
		{name: "torn header", data: data[:lastStart+3], want: 4, wantErr: ErrTorn, corruptAt: -1},
		{name: "torn payload", data: data[:end-2], want: 4, wantErr: ErrTorn, corruptAt: -1},
		{name: "header only", data: data[:lastStart+headerSize], want: 4, wantErr: ErrTorn, corruptAt: -1},
		{name: "torn big payload", data: data[:starts[3]+headerSize+100<<10], want: 3, wantErr: ErrTorn, corruptAt: -1},
		{name: "bad checksum in the middle", data: flip(starts[2] + headerSize + 1), want: 2, corruptAt: starts[2]},
		{name: "bad checksum field in the middle", data: flip(starts[2] + 5), want: 2, corruptAt: starts[2]},
		{name: "bad checksum as the last record", data: flip(end - 1), want: 4, wantErr: ErrTorn, corruptAt: -1},
		{name: "zero-filled tail", data: append(bytes.Clone(data), make([]byte, 4096)...), want: len(payloads), wantErr: ErrTorn, corruptAt: -1},
		{name: "short zero tail", data: append(bytes.Clone(data), 0, 0, 0), want: len(payloads), wantErr: ErrTorn, corruptAt: -1},
		{name: "zeros then data", data: append(append(bytes.Clone(data[:starts[2]]), make([]byte, 16)...), data[starts[2]:]...), want: 2, corruptAt: starts[2]},
		{name: "oversized length", data: withLen(starts[1], MaxRecordSize+1), want: 1, corruptAt: starts[1]},
		{name: "huge length", data: withLen(starts[1], 0xffffffff), want: 1, corruptAt: starts[1]},
		{name: "length too long for the data", data: withLen(starts[2], 1<<20), want: 2, wantErr: ErrTorn, corruptAt: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, rr, err := readAll(tc.data, 0)
			if len(got) != tc.want {
				t.Fatalf("read %d records before %v, want %d", len(got), err, tc.want)
			}
			for i := range got {
				if got[i] != payloads[i] {
					t.Fatalf("record %d = %.20q, want %.20q", i, got[i], payloads[i])
				}
			}
			if tc.want < len(starts) && rr.Offset() != int64(starts[tc.want]) {
				t.Fatalf("Offset %d after the last good record, want %d", rr.Offset(), starts[tc.want])
			}
			var ce *CorruptError
			if tc.corruptAt >= 0 {
				if !errors.As(err, &ce) || ce.Offset != int64(tc.corruptAt) {
					t.Fatalf("error %v, want a corrupt record at offset %d", err, tc.corruptAt)
				}
				if !strings.Contains(err.Error(), fmt.Sprint(tc.corruptAt)) {
					t.Fatalf("message %q does not name the offset", err)
				}
				return
			}
			if err != tc.wantErr && !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestReaderOffsets(t *testing.T) {
	data, starts := frame("a", "bb", "ccc")
	rr := NewReader(bytes.NewReader(data), 1000)
	for i := range starts {
		if _, err := rr.Next(); err != nil {
			t.Fatal(err)
		}
		want := int64(1000 + len(data))
		if i+1 < len(starts) {
			want = int64(1000 + starts[i+1])
		}
		if rr.Offset() != want {
			t.Fatalf("after record %d Offset = %d, want %d", i, rr.Offset(), want)
		}
	}
	// A corrupt record is named by its absolute offset.
	d := bytes.Clone(data)
	d[starts[1]+headerSize] ^= 1
	_, _, err := readAll(d, 1000)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Offset != int64(1000+starts[1]) {
		t.Fatalf("error %v", err)
	}
}

// TestEmptyPayloadInTheMiddle: an empty record is a record, not the start of
// a zero-filled tail.
func TestEmptyPayloadInTheMiddle(t *testing.T) {
	data, _ := frame("a", "", "", "b", "")
	got, _, err := readAll(data, 0)
	if err != io.EOF || strings.Join(got, ",") != "a,,,b," {
		t.Fatalf("read %q, %v", got, err)
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReaderPassesOnReadErrors(t *testing.T) {
	boom := errors.New("boom")
	data, starts := frame("one", "two")
	for _, cut := range []int{starts[1], starts[1] + 3, starts[1] + headerSize + 1} {
		rr := NewReader(&failingReader{data: data[:cut], err: boom}, 0)
		if _, err := rr.Next(); err != nil {
			t.Fatal(err)
		}
		if _, err := rr.Next(); !errors.Is(err, boom) {
			t.Fatalf("cut %d: error %v, want %v", cut, err, boom)
		}
	}
}

func FuzzReader(f *testing.F) {
	good, _ := frame("seed", "", "another record")
	f.Add(good, []byte("payload"), []byte{})
	f.Add(good[:len(good)-3], []byte{}, []byte{0})
	f.Add(append(bytes.Clone(good), make([]byte, 20)...), []byte("x"), []byte("y"))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, []byte(nil), []byte("z"))
	f.Fuzz(func(t *testing.T, garbage, p1, p2 []byte) {
		// Arbitrary bytes: never a panic, always an end, and an offset that
		// only moves forward within the data.
		rr := NewReader(bytes.NewReader(garbage), 0)
		last := int64(0)
		for i := 0; ; i++ {
			_, err := rr.Next()
			if rr.Offset() < last || rr.Offset() > int64(len(garbage)) {
				t.Fatalf("offset %d (was %d) of %d bytes", rr.Offset(), last, len(garbage))
			}
			last = rr.Offset()
			if err != nil {
				var ce *CorruptError
				if err != io.EOF && !errors.Is(err, ErrTorn) && !errors.As(err, &ce) {
					t.Fatalf("unexpected error %v", err)
				}
				break
			}
			if i > len(garbage) {
				t.Fatal("more records than bytes")
			}
		}

		// Appended records read back exactly, whatever they hold.
		data := Append(Append(Append(nil, p1), p2), p1)
		got, rr2, err := readAll(data, 0)
		if err != io.EOF {
			t.Fatalf("round trip of %q, %q: %v", p1, p2, err)
		}
		if len(got) != 3 || got[0] != string(p1) || got[1] != string(p2) || got[2] != string(p1) {
			t.Fatalf("round trip of %q, %q gave %q", p1, p2, got)
		}
		if rr2.Offset() != int64(len(data)) {
			t.Fatalf("Offset %d, want %d", rr2.Offset(), len(data))
		}
	})
}

func TestIntact(t *testing.T) {
	data, starts := frame("one", "", "three")
	for i, s := range starts {
		if !Intact(data[s:]) {
			t.Fatalf("record %d not intact", i)
		}
	}
	if Intact(data[starts[2] : len(data)-1]) {
		t.Fatal("a cut record is intact")
	}
	if Intact(data[1:]) || Intact(make([]byte, 64)) || Intact(nil) {
		t.Fatal("garbage is intact")
	}
	d := bytes.Clone(data)
	d[starts[2]+headerSize] ^= 1
	if Intact(d[starts[2]:]) {
		t.Fatal("a record with a bad checksum is intact")
	}
}
