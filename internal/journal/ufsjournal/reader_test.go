package ufsjournal

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal/record"
)

// TestClassify: how a read of a segment stopped decides whether the
// journal is damaged, for the open end of the chain and for a sealed
// segment (one another segment follows).
func TestClassify(t *testing.T) {
	dir := t.TempDir()
	torn := filepath.Join(dir, "torn")
	// One valid record followed by the first half of another: a crash
	// mid-write, nothing after it.
	whole := record.Append(nil, []byte("payload"))
	if err := os.WriteFile(torn, append(append([]byte{}, whole...), whole[:5]...), 0o644); err != nil {
		t.Fatal(err)
	}
	hidden := filepath.Join(dir, "hidden")
	// A damaged record with a whole one after it: damage in the middle.
	bad := append([]byte{}, whole...)
	bad[len(bad)-1] ^= 0xff
	if err := os.WriteFile(hidden, append(bad, whole...), 0o644); err != nil {
		t.Fatal(err)
	}
	ioErr := errors.New("input/output error")
	for _, c := range []struct {
		name string
		seg  segment
		d    decoded
		want error // nil, errs.ErrCorrupt or ioErr
	}{
		{"open end, end of file", segment{path: torn}, decoded{stop: io.EOF, next: 2}, nil},
		{"sealed, read to its end", segment{path: torn, end: 2}, decoded{next: 2}, nil},
		{"sealed, ends before the next segment starts", segment{path: torn, end: 5}, decoded{stop: io.EOF, next: 2}, errs.ErrCorrupt},
		{"open end, torn final record", segment{path: torn}, decoded{stop: record.ErrTorn, next: 2, stopAt: int64(len(whole))}, nil},
		{"damage with records after it", segment{path: hidden}, decoded{stop: record.ErrTorn, next: 1, stopAt: 0}, errs.ErrCorrupt},
		{"corrupt record", segment{path: torn}, decoded{stop: &record.CorruptError{Offset: 3, Reason: "bad crc"}}, errs.ErrCorrupt},
		{"I/O error", segment{path: torn}, decoded{stop: ioErr}, ioErr},
	} {
		err := classify(c.seg, &c.d)
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}
