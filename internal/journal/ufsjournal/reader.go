package ufsjournal

import (
	"errors"
	"fmt"
	"io"
	"os"

	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/journal/record"
)

// follower applies the journal chain to a state machine, from the entry after
// the last one it holds, and remembers where it stopped so tailing the open
// segment costs one read of what is new.
type follower struct {
	dir string
	sm  journal.StateMachine
	// pos is where the next unread record of posPath starts.
	posPath string
	pos     int64
}

// readMode says how far a catch-up may go.
type readMode int

const (
	// toEnd reads everything, as a new primary (or a lone master at start)
	// does: its own epoch marker already fences every older writer.
	toEnd readMode = iota
	// safeOnly is a standby's tailing: entries of the newest epoch are
	// applied only after checking no newer epoch has begun, because a newer
	// primary may yet cut them off.
	safeOnly
)

// catchUp applies every entry it can and returns how many it applied.
func (f *follower) catchUp(mode readMode) (int, error) {
	total := 0
	for {
		l, err := list(f.dir)
		if err != nil {
			return total, err
		}
		next := f.sm.LastSequence() + 1
		if err := f.restoreIfBehind(l, next); err != nil {
			return total, err
		}
		next = f.sm.LastSequence() + 1
		i := l.segmentFor(next)
		if i < 0 {
			for _, s := range l.segments {
				if s.first > next && (s.end == 0 || s.first < s.end) {
					return total, errs.New(errs.ErrCorrupt, "journal %s: entries from %d are missing (next segment %s starts at %d)", f.dir, next, s.path, s.first)
				}
			}
			return total, nil
		}
		seg := l.segments[i]
		n, err := f.readSegment(seg, mode)
		total += n
		if err != nil {
			return total, err
		}
		if seg.end == 0 || f.sm.LastSequence()+1 < seg.end {
			// The open end of the chain, or a standby holding back.
			return total, nil
		}
	}
}

// restoreIfBehind loads the newest checkpoint when it is ahead of the state,
// which is how a fresh master starts and how a standby skips segments that
// were deleted after a checkpoint.
func (f *follower) restoreIfBehind(l *listing, next uint64) error {
	if len(l.checkpoints) == 0 {
		return nil
	}
	ck := l.checkpoints[len(l.checkpoints)-1]
	if ck.next <= next {
		return nil
	}
	if next > 1 && l.segmentFor(next) >= 0 {
		// The entries are still there; replaying them is as good.
		return nil
	}
	file, err := os.Open(ck.path)
	if err != nil {
		return err
	}
	defer file.Close()
	if err := f.sm.Restore(file, ck.path); err != nil {
		return err
	}
	if got := f.sm.LastSequence() + 1; got != ck.next {
		return errs.New(errs.ErrCorrupt, "checkpoint %s covers up to %d, its name says %d", ck.path, got, ck.next)
	}
	f.posPath = ""
	return nil
}

// readSegment applies what seg holds after the state's last entry: it
// decodes the new records, classifies how the read ended (the open end,
// a torn tail, or damage), and applies the entries once a standby has
// checked that no newer epoch can cut them off.
func (f *follower) readSegment(seg segment, mode readMode) (int, error) {
	d, err := f.decode(seg)
	if err != nil || d == nil {
		return 0, err
	}
	if err := classify(seg, d); err != nil {
		return 0, err
	}
	return f.fenceThenApply(seg, mode, d)
}

// decoded is one read of a segment: the entries after the state's last,
// in sequence order, the offset just past each, and what stopped the read
// at offset stopAt (io.EOF, a torn or corrupt record, or an I/O error).
type decoded struct {
	entries []*journalpb.Entry
	ends    []int64
	next    uint64 // the sequence after the last entry read
	stop    error
	stopAt  int64
}

// decode reads seg's records from where this follower stopped before, up
// to the segment's end. It returns nil when the file is gone (deleted
// after a checkpoint: the next round restores that), and an error when an
// entry is out of sequence.
func (f *follower) decode(seg segment) (*decoded, error) {
	file, err := os.Open(seg.path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	start := int64(0)
	if f.posPath == seg.path {
		start = f.pos
	}
	if _, err := file.Seek(start, io.SeekStart); err != nil {
		return nil, err
	}
	rr := record.NewReader(file, start)
	d := &decoded{next: f.sm.LastSequence() + 1}
	for seg.end == 0 || d.next < seg.end {
		payload, err := rr.Next()
		if err != nil {
			d.stop = err
			break
		}
		e := &journalpb.Entry{}
		if err := proto.Unmarshal(payload, e); err != nil {
			d.stop = &record.CorruptError{Offset: rr.Offset(), Reason: "undecodable entry: " + err.Error()}
			break
		}
		if e.Sequence < d.next {
			continue
		}
		if e.Sequence != d.next {
			return nil, errs.New(errs.ErrCorrupt, "journal file %s: entry %d found where %d was expected (offset %d)", seg.path, e.Sequence, d.next, rr.Offset())
		}
		d.entries = append(d.entries, e)
		d.ends = append(d.ends, rr.Offset())
		d.next++
	}
	d.stopAt = rr.Offset()
	return d, nil
}

// classify says whether the way the read of seg stopped is an error: the
// end of the file and a torn final record (a crash mid-write, or a record
// still being written) are not; damage with valid records after it, and a
// sealed segment that ends before the next one starts, are.
func classify(seg segment, d *decoded) error {
	var ce *record.CorruptError
	switch {
	case d.stop == nil || d.stop == io.EOF:
	case errors.Is(d.stop, record.ErrTorn):
		if tornHidesRecords(seg.path, d.stopAt) {
			return errs.New(errs.ErrCorrupt, "journal file %s is damaged at offset %d: records follow an unreadable one", seg.path, d.stopAt)
		}
	case errors.As(d.stop, &ce):
		return errs.New(errs.ErrCorrupt, "journal file %s: %v", seg.path, ce)
	default:
		return d.stop
	}
	if d.stop != nil && seg.end != 0 && d.next < seg.end {
		// A sealed segment holds every entry up to where the next one
		// starts: the writer of the next one read them all. Ending early
		// means lost data, which must stop start-up rather than let a new
		// primary write over the gap.
		return errs.New(errs.ErrCorrupt, "journal file %s ends at offset %d before entry %d, but the journal goes on from entry %d: entries are missing",
			seg.path, d.stopAt, d.next, seg.end)
	}
	return nil
}

// fenceThenApply applies d's entries. A standby reading the open end of
// the chain first looks for a newer epoch, after having read them: an
// entry a deposed primary wrote after the new epoch's marker is then
// always caught here, and nothing is applied.
func (f *follower) fenceThenApply(seg segment, mode readMode, d *decoded) (int, error) {
	if mode == safeOnly && seg.end == 0 && len(d.entries) > 0 {
		fresh, err := list(f.dir)
		if err != nil {
			return 0, err
		}
		if fresh.maxEpoch() > seg.epoch {
			return 0, nil
		}
	}
	for i, e := range d.entries {
		if r := f.sm.Apply(e); r.Err != nil && errors.Is(r.Err, errs.ErrCorrupt) {
			return i, fmt.Errorf("journal file %s: %w", seg.path, r.Err)
		}
		f.posPath, f.pos = seg.path, d.ends[i]
	}
	return len(d.entries), nil
}

// tornHidesRecords looks past a record cut short at offset for a whole valid
// record. A crash leaves only the last write torn; finding a good record
// after the bad one means damage in the middle, which must stop start-up
// rather than silently drop acknowledged entries.
func tornHidesRecords(path string, offset int64) bool {
	data, err := os.ReadFile(path)
	if err != nil || offset >= int64(len(data)) {
		return false
	}
	if record.Intact(data[offset:]) {
		// The primary was still writing the record when we read it; it is
		// whole now and the next read takes it.
		return false
	}
	for p := offset + 1; p < int64(len(data)); p++ {
		if record.Intact(data[p:]) {
			return true
		}
	}
	return false
}
