package ufsjournal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/journal/record"
)

// writeJournal lays out a journal of n entries (directories of 1000 empty
// directories each) in 10 MB segments of epoch 1, the way a primary would
// have written it, without paying an fsync per batch.
func writeJournal(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "journal")
	if err := Format(dir); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, epochsDir, hex16(1)), nil, 0o644); err != nil {
		b.Fatal(err)
	}
	var buf, payload []byte
	segFirst := uint64(1)
	flush := func(next uint64) {
		if err := os.WriteFile(filepath.Join(dir, logsDir, segmentName(1, segFirst)), buf, 0o644); err != nil {
			b.Fatal(err)
		}
		buf, segFirst = buf[:0], next
	}
	for i := 1; i <= n; i++ {
		var e *journalpb.Entry
		if (i-1)%1001 == 0 {
			e = mkdir(fmt.Sprintf("/d%d", (i-1)/1001))
		} else {
			e = mkdir(fmt.Sprintf("/d%d/e%d", (i-1)/1001, (i-1)%1001))
		}
		e.Sequence = uint64(i)
		var err error
		if payload, err = proto.Marshal(e); err != nil {
			b.Fatal(err)
		}
		buf = record.Append(buf, payload)
		if len(buf) >= 10<<20 {
			flush(uint64(i + 1))
		}
	}
	if len(buf) > 0 {
		flush(0)
	}
	return dir
}

// BenchmarkReplay measures how fast Start replays a journal of 200k entries.
func BenchmarkReplay(b *testing.B) {
	const entries = 200_000
	dir := writeJournal(b, entries)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := newNode(b, "replay", dir, withSelector(newManualSelector()))
		if err := n.sys.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if got := n.st.LastSequence(); got != entries {
			b.Fatalf("replayed %d entries", got)
		}
		_ = n.sys.Stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(entries)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkProposeParallel measures Propose from 16 goroutines with fsync on
// (group commit shares one fsync among the waiting proposals).
func BenchmarkProposeParallel(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "journal")
	if err := Format(dir); err != nil {
		b.Fatal(err)
	}
	n := newNode(b, "primary", dir)
	n.startPrimary(b)
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((16 + procs - 1) / procs)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			e := mkdir(fmt.Sprintf("/p%d", next.Add(1)))
			r, err := n.sys.Propose(context.Background(), e)
			if err == nil {
				err = r.Err
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
