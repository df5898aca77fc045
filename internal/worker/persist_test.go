package worker

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
)

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

// TestPersistFailureSaysWhichSideFailed: a refusal of the under storage is
// reported with its kind, so the master can mark a persist that can never
// succeed; a failure to read the file says nothing about the store and is
// reported as passing.
func TestPersistFailureSaysWhichSideFailed(t *testing.T) {
	ufs := errs.New(errs.ErrInvalidPath, "create %q: file name too long", "x")
	if f := failure(7, ufs); f.FileId != 7 || f.ErrorCode != "INVALID_PATH" || !strings.Contains(f.Message, "file name too long") {
		t.Fatalf("under storage refusal reported as %v", f)
	}
	_, err := io.Copy(io.Discard, readerOnly{failingReader{errs.New(errs.ErrNotFound, "block 3")}})
	if !errors.As(err, new(readError)) {
		t.Fatalf("a read error through readerOnly: %v", err)
	}
	if f := failure(7, err); f.ErrorCode != "UNAVAILABLE" || !strings.Contains(f.Message, "block 3") {
		t.Fatalf("read failure reported as %v", f)
	}
}
