package ufsjournal

import (
	"errors"
	"io"
	"os"

	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal/record"
)

// ReadEntries calls fn for every entry of the chain in dir, in sequence
// order, from sequence from on (checkpointed entries whose segments are gone
// are skipped). It is for `alluxio readJournal`: it never writes.
func ReadEntries(dir string, from uint64, fn func(file string, e *journalpb.Entry) error) error {
	if err := formatted(dir); err != nil {
		return err
	}
	l, err := list(dir)
	if err != nil {
		return err
	}
	for _, s := range l.segments {
		if s.end != 0 && (s.end <= s.first || s.end <= from) {
			continue
		}
		if err := readOne(s, from, fn); err != nil {
			return err
		}
	}
	return nil
}

func readOne(s segment, from uint64, fn func(string, *journalpb.Entry) error) error {
	f, err := os.Open(s.path)
	if err != nil {
		return err
	}
	defer f.Close()
	rr := record.NewReader(f, 0)
	for {
		payload, err := rr.Next()
		if err == io.EOF || errors.Is(err, record.ErrTorn) {
			return nil
		}
		if err != nil {
			return errs.New(errs.ErrCorrupt, "journal file %s: %v", s.path, err)
		}
		e := &journalpb.Entry{}
		if err := proto.Unmarshal(payload, e); err != nil {
			return errs.New(errs.ErrCorrupt, "journal file %s at offset %d: %v", s.path, rr.Offset(), err)
		}
		if s.end != 0 && e.Sequence >= s.end {
			return nil
		}
		if e.Sequence < from {
			continue
		}
		if err := fn(s.path, e); err != nil {
			return err
		}
	}
}
