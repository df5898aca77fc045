package worker

import (
	"slices"
	"testing"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
)

// TestPersistJobsBookkeeping: a job the master hands out again while it is
// queued or running is not queued twice; finished and failed jobs are
// reported once, and again after a heartbeat that did not get through.
func TestPersistJobsBookkeeping(t *testing.T) {
	p := newPersister(nil)
	p.add(&pb.PersistFile{FileId: 1})
	p.add(&pb.PersistFile{FileId: 2})
	p.add(&pb.PersistFile{FileId: 1}) // handed out again before it ran
	if len(p.queue) != 2 {
		t.Fatalf("queue holds %d jobs, want 2", len(p.queue))
	}
	select {
	case <-p.wake:
	default:
		t.Fatal("adding a job did not wake the runner")
	}
	failure := &pb.PersistFailure{FileId: 2, ErrorCode: "INVALID_PATH", Message: "bad name"}
	p.done, p.failed, p.tokens = []int64{1}, []*pb.PersistFailure{failure}, map[int64][]byte{1: []byte("token")}
	check := func(when string, done []int64, failed []*pb.PersistFailure, tokens map[int64][]byte) {
		t.Helper()
		if !slices.Equal(done, []int64{1}) || !slices.Equal(failed, []*pb.PersistFailure{failure}) || string(tokens[1]) != "token" {
			t.Fatalf("%s: %v %v %v", when, done, failed, tokens)
		}
	}
	done, failed, tokens := p.take()
	check("take", done, failed, tokens)
	if d, f, tk := p.take(); d != nil || f != nil || len(tk) != 0 {
		t.Fatalf("reported twice: %v %v %v", d, f, tk)
	}
	p.requeue(done, failed, tokens) // the heartbeat failed
	d, f, tk := p.take()
	check("after requeue", d, f, tk)
}

// TestProtection: a file this worker just received a block of stays
// protected until a heartbeat answer that counted it arrives, including
// across a heartbeat that failed.
func TestProtection(t *testing.T) {
	p := newProtection()
	protected := func() []int64 {
		var all []int64
		all = append(all, p.master...)
		for f := range p.recent {
			all = append(all, f)
		}
		for f := range p.inFlight {
			all = append(all, f)
		}
		slices.Sort(all)
		return slices.Compact(all)
	}
	p.written(7)
	snap := p.snapshot() // a heartbeat request is built
	p.written(8)         // a block arrives while it is in flight
	if got := protected(); !slices.Equal(got, []int64{7, 8}) {
		t.Fatalf("in flight: %v", got)
	}
	p.restore(snap) // the heartbeat failed
	if got := protected(); !slices.Equal(got, []int64{7, 8}) {
		t.Fatalf("after a failed heartbeat: %v", got)
	}
	p.snapshot()
	p.setFromMaster([]int64{7, 9}) // the answer counted 7 and 8; 8 is persisted now
	if got := protected(); !slices.Equal(got, []int64{7, 9}) {
		t.Fatalf("after the answer: %v", got)
	}
	if p.fromMaster() != 2 {
		t.Fatalf("fromMaster = %d", p.fromMaster())
	}
}
