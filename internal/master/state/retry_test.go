package state

import (
	"errors"
	"fmt"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

func TestApplyRefusesOutOfOrderEntries(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, mkdir("/a"), mkfile("/a/f"))
	before := dump(s)
	for _, sq := range []uint64{0, 1, 2, 4, 100} {
		e := mkdir("/b")
		e.Sequence = sq
		r := s.Apply(e)
		checkErr(t, r.Err, errs.ErrCorrupt)
		if s.LastSequence() != 2 {
			t.Fatalf("sequence %d moved LastSequence to %d", sq, s.LastSequence())
		}
		if after := dump(s); after != before {
			t.Fatalf("sequence %d changed the state: %s", sq, diff(before, after))
		}
	}
	e := mkdir("/b")
	e.Sequence = 3
	if r := s.Apply(e); r.Err != nil || s.LastSequence() != 3 {
		t.Fatalf("the right sequence after refusals: %v, last %d", r.Err, s.LastSequence())
	}
}

// TestApplyNilOperation feeds entries whose operation message is nil, which
// a caller can build by mistake: Apply must answer, never panic, and treat
// them as the empty message the journal would decode.
func TestApplyNilOperation(t *testing.T) {
	for _, e := range []*journalpb.Entry{
		{Op: &journalpb.Entry_CreateFile{}},
		{Op: &journalpb.Entry_CompleteFile{}},
		{Op: &journalpb.Entry_CreateDirectory{}},
		{Op: &journalpb.Entry_Delete{}},
		{Op: &journalpb.Entry_Rename{}},
		{Op: &journalpb.Entry_SetAttribute{}},
		{Op: &journalpb.Entry_Mount{}},
		{Op: &journalpb.Entry_Unmount{}},
		{Op: &journalpb.Entry_SyncMetadata{}},
		{Op: &journalpb.Entry_Noop{}},
		{Op: &journalpb.Entry_SyncMetadata{SyncMetadata: &journalpb.SyncMetadata{Path: "/a/b", Exists: true,
			Status: ufsFile("b", 1, 1), MissingAncestors: []*journalpb.UfsStatus{nil}}}},
		{Op: &journalpb.Entry_SyncMetadata{SyncMetadata: &journalpb.SyncMetadata{Path: "/", Exists: true,
			Status: ufsDir(""), ListedChildren: true, Children: []*journalpb.UfsStatus{nil, ufsFile("x", 1, 1)}}}},
	} {
		s := New(Options{})
		mustApply(t, s, rootMount())
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("Apply(%v) panicked: %v", e, p)
				}
			}()
			seq(s, e)
		}()
	}
}

func TestRetryCacheAnswersTheFirstOutcome(t *testing.T) {
	s := New(Options{})
	create := func(op string) *journalpb.Entry {
		e := mkfile("/f")
		e.OpId = op
		return e
	}
	first := seq(s, create("op-1"))
	if first.Err != nil {
		t.Fatal(first.Err)
	}
	before := dump(s)
	again := seq(s, create("op-1"))
	if again.Err != nil || again.InodeID != first.InodeID {
		t.Fatalf("retry answered %+v, first was %+v", again, first)
	}
	if after := dump(s); after != before {
		t.Fatalf("a retry changed the state: %s", diff(before, after))
	}
	// A different operation id is a new request.
	checkErr(t, seq(s, create("op-2")).Err, errs.ErrAlreadyExists)
	// A failure is remembered too: the retry answers it even once the
	// request would succeed.
	mustApply(t, s, del("/f", false))
	if r := seq(s, create("op-2")); !errors.Is(r.Err, errs.ErrAlreadyExists) {
		t.Fatalf("retry of a failed op answered %+v", r)
	}
	if exists(s, "/f") {
		t.Fatal("the retry of a failed op was executed")
	}
	if r, ok := s.RetryOutcome("op-1"); !ok || r.InodeID != first.InodeID {
		t.Fatalf("RetryOutcome = %+v %v", r, ok)
	}
	if _, ok := s.RetryOutcome(""); ok {
		t.Fatal("internal operations are remembered")
	}
}

func TestRetryCacheIsFIFOBounded(t *testing.T) {
	s := New(Options{RetryCacheSize: 3})
	for i := 0; i < 5; i++ {
		e := mkdir(fmt.Sprintf("/d%d", i))
		e.OpId = fmt.Sprintf("op%d", i)
		mustApply(t, s, e)
	}
	// Repeating a remembered id neither refreshes nor duplicates it.
	e := mkdir("/d4")
	e.OpId = "op4"
	mustApply(t, s, e)
	for i := 0; i < 5; i++ {
		_, ok := s.RetryOutcome(fmt.Sprintf("op%d", i))
		if ok != (i >= 2) {
			t.Fatalf("op%d remembered = %v", i, ok)
		}
	}
	var order []string
	s.retry.each(func(id string, _ Result) { order = append(order, id) })
	if fmt.Sprint(order) != "[op2 op3 op4]" {
		t.Fatalf("oldest first: %v", order)
	}
	// op0 was forgotten: a repeat is applied again (and fails now).
	e = mkdir("/d0")
	e.OpId = "op0"
	checkErr(t, seq(s, e).Err, errs.ErrAlreadyExists)
	if _, ok := s.RetryOutcome("op2"); ok {
		t.Fatal("op2 should have been evicted by op0")
	}
	order = order[:0]
	s.retry.each(func(id string, _ Result) { order = append(order, id) })
	if fmt.Sprint(order) != "[op3 op4 op0]" {
		t.Fatalf("after wrap-around: %v", order)
	}
}
