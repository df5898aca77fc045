package ufsjournal

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
	"github.com/alluxio-go/alluxio/internal/journal/record"
)

type proposal struct {
	e    *journalpb.Entry
	done chan outcome
}

type outcome struct {
	r   journal.Result
	err error
}

// maxBatch bounds one group commit so a flood of proposals still gets
// answered in steady steps.
const maxBatch = 4096

// writer is the primary's side of the journal: one goroutine takes every
// proposal waiting, writes them as one batch, fsyncs once (group commit),
// checks that no newer epoch has begun, and only then applies and answers.
type writer struct {
	dir     string
	epoch   uint64
	sm      journal.StateMachine
	maxSize int64
	// onApplied is told how many entries were applied, for checkpoint
	// scheduling; onFenced when a newer epoch shows up; onFailed when the
	// disk refuses a write.
	onApplied func(n int)
	onFenced  func()
	onFailed  func(error)

	proposals chan proposal
	stop      chan struct{}
	wg        sync.WaitGroup
	stopOnce  sync.Once

	f    *os.File
	size int64
	// flushes counts the batches written and synced.
	flushes *atomic.Uint64
}

// openWriter claims epoch in dir and opens a segment after the last entry
// the state machine holds. The caller has caught the state up to the end of
// the chain after creating the epoch marker.
func openWriter(w *writer) error {
	first := w.sm.LastSequence() + 1
	if err := w.openSegment(first); err != nil {
		return err
	}
	// The first segment of an epoch ends every older epoch's chain where it
	// starts. Created after a newer epoch began (this master paused between
	// its catch-up and here), it would cut entries out from under the newer
	// primary, which read past this point: take it back and step down. A
	// newer primary that listed it meanwhile read it empty, so its chain is
	// the same with or without it.
	if fenced, err := w.fenced(); fenced || err != nil {
		w.f.Close()
		w.f = nil
		os.Remove(filepath.Join(w.dir, logsDir, segmentName(w.epoch, first)))
		if err != nil {
			return err
		}
		return errs.New(errs.ErrNotPrimary, "epoch %d of journal %s was overtaken by a newer primary before it wrote", w.epoch, w.dir)
	}
	w.proposals = make(chan proposal, maxBatch)
	w.stop = make(chan struct{})
	w.wg.Add(1)
	go w.loop()
	return nil
}

func (w *writer) openSegment(first uint64) error {
	path := filepath.Join(w.dir, logsDir, segmentName(w.epoch, first))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if err := syncDir(filepath.Join(w.dir, logsDir)); err != nil {
		f.Close()
		return err
	}
	if w.f != nil {
		w.f.Close()
	}
	w.f, w.size = f, 0
	return nil
}

// claimEpoch creates the marker of a new epoch. With want == 0 it takes the
// next free epoch; otherwise exactly want, which must be newer than any
// epoch in the folder.
func claimEpoch(dir string, want uint64) (uint64, error) {
	for attempt := 0; attempt < 100; attempt++ {
		l, err := list(dir)
		if err != nil {
			return 0, err
		}
		epoch := want
		if want == 0 {
			epoch = l.maxEpoch() + 1
		} else if l.maxEpoch() >= want {
			return 0, errs.New(errs.ErrNotPrimary, "epoch %d is not newer than epoch %d in journal %s", want, l.maxEpoch(), dir)
		}
		path := filepath.Join(dir, epochsDir, hex16(epoch))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if os.IsExist(err) {
			if want != 0 {
				return 0, errs.New(errs.ErrNotPrimary, "epoch %d already claimed in journal %s", want, dir)
			}
			continue
		}
		if err != nil {
			return 0, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return 0, err
		}
		f.Close()
		return epoch, syncDir(filepath.Join(dir, epochsDir))
	}
	return 0, errs.New(errs.ErrUnavailable, "could not claim an epoch in journal %s", dir)
}

func (w *writer) close() {
	w.stopOnce.Do(func() {
		close(w.stop)
		w.wg.Wait()
		if w.f != nil {
			w.f.Close()
		}
		// Answer whatever is still queued: it was never written.
		for {
			select {
			case p := <-w.proposals:
				p.done <- outcome{err: errs.New(errs.ErrNotPrimary, "the master stopped being primary")}
			default:
				return
			}
		}
	})
}

func (w *writer) propose(ctx context.Context, e *journalpb.Entry) (journal.Result, error) {
	p := proposal{e: e, done: make(chan outcome, 1)}
	select {
	case w.proposals <- p:
	case <-w.stop:
		return journal.Result{}, errs.New(errs.ErrNotPrimary, "the master stopped being primary")
	case <-ctx.Done():
		return journal.Result{}, ctx.Err()
	}
	select {
	case o := <-p.done:
		return o.r, o.err
	case <-ctx.Done():
		// The entry may still be applied; a retry with the same op id
		// learns its outcome.
		return journal.Result{}, ctx.Err()
	}
}

func (w *writer) loop() {
	defer w.wg.Done()
	var buf, payload []byte
	batch := make([]proposal, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case p := <-w.proposals:
			batch = append(batch, p)
		case <-w.stop:
			return
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case p := <-w.proposals:
				batch = append(batch, p)
			default:
				break drain
			}
		}
		first := w.sm.LastSequence() + 1
		buf = buf[:0]
		for i, p := range batch {
			p.e.Sequence = first + uint64(i)
			var err error
			payload, err = proto.MarshalOptions{}.MarshalAppend(payload[:0], p.e)
			if err != nil {
				w.fail(batch, errs.New(errs.ErrInternal, "encode journal entry: %v", err))
				return
			}
			buf = record.Append(buf, payload)
		}
		if err := w.write(first, buf); err != nil {
			w.fail(batch, errs.New(errs.ErrUnavailable, "journal write failed: %v", err))
			w.onFailed(err)
			return
		}
		if fenced, err := w.fenced(); fenced || err != nil {
			w.settleFenced(batch)
			w.onFenced()
			return
		}
		for _, p := range batch {
			p.done <- outcome{r: w.sm.Apply(p.e)}
		}
		w.onApplied(len(batch))
	}
}

func (w *writer) write(first uint64, buf []byte) error {
	if w.size > 0 && w.size+int64(len(buf)) > w.maxSize {
		if err := w.openSegment(first); err != nil {
			return err
		}
	}
	if _, err := w.f.Write(buf); err != nil {
		return err
	}
	w.size += int64(len(buf))
	w.flushes.Add(1)
	return w.f.Sync()
}

// fenced reports whether an epoch newer than ours has been claimed. The check
// comes after the fsync: if it finds none, the new primary's catch-up (which
// starts after its marker exists) is sure to see this batch.
func (w *writer) fenced() (bool, error) {
	names, err := readDirNames(filepath.Join(w.dir, epochsDir))
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if e, ok := parseHex(n); ok && e > w.epoch {
			return true, nil
		}
	}
	return false, nil
}

// settleWait bounds how long a fenced writer waits to learn where the newer
// primary's chain cuts this epoch off.
const settleWait = 10 * time.Second

// settleFenced answers a batch that was written after a newer epoch began.
// The newer primary reads this epoch's segment after claiming its epoch, so
// it may have read (and applied) part of the batch or none of it; where its
// first segment starts tells which. Entries below that point are part of the
// journal: they are applied here too and answered as committed. The rest are
// refused, and no one ever applies them.
func (w *writer) settleFenced(batch []proposal) {
	cut, known := w.waitCut()
	for _, p := range batch {
		switch {
		case known && p.e.Sequence < cut:
			p.done <- outcome{r: w.sm.Apply(p.e)}
		case known:
			p.done <- outcome{err: errs.New(errs.ErrNotPrimary, "a newer primary has taken over the journal")}
		default:
			p.done <- outcome{err: errs.New(errs.ErrNotPrimary,
				"a newer primary has taken over the journal and may yet apply this entry (retry with the same operation id)")}
		}
	}
}

// waitCut waits for the first segment of an epoch newer than ours and
// returns the sequence it starts at: the end of this epoch's chain.
func (w *writer) waitCut() (uint64, bool) {
	deadline := time.Now().Add(settleWait)
	for {
		if l, err := list(w.dir); err == nil {
			var cut uint64
			for _, s := range l.segments {
				if s.epoch > w.epoch && (cut == 0 || s.first < cut) {
					cut = s.first
				}
			}
			if cut != 0 {
				return cut, true
			}
		}
		if time.Now().After(deadline) {
			return 0, false
		}
		select {
		case <-w.stop:
			return 0, false
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (w *writer) fail(batch []proposal, err error) {
	for _, p := range batch {
		p.done <- outcome{err: err}
	}
}
