package state

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
)

var (
	millionOnce  sync.Once
	millionState *State
)

// million builds 1000 directories of 1000 completed files each, once per
// process: 1,001,001 inodes with the root.
func million(b *testing.B) *State {
	millionOnce.Do(func() {
		s := New(Options{})
		var sq uint64
		apply := func(e *journalpb.Entry) {
			sq++
			e.Sequence, e.TimeMs = sq, int64(sq)
			if r := s.Apply(e); r.Err != nil {
				b.Fatal(r.Err)
			}
		}
		for d := 0; d < 1000; d++ {
			dir := fmt.Sprintf("/dir%04d", d)
			apply(mkdir(dir))
			for f := 0; f < 1000; f++ {
				apply(createFile(&journalpb.CreateFile{Path: fmt.Sprintf("%s/file%04d", dir, f), Mode: 0o644,
					Owner: "user", Group: "group", BlockSize: 64 << 20, Persisted: f%2 == 0}))
			}
		}
		millionState = s
	})
	if millionState == nil {
		b.Fatal("building the state failed")
	}
	return millionState
}

func BenchmarkCheckpoint1M(b *testing.B) {
	s := million(b)
	inodes := s.InodeCount()
	var ckpt bytes.Buffer
	if _, err := s.WriteCheckpoint(&ckpt, 0); err != nil {
		b.Fatal(err)
	}
	// What a master does: the checkpoint into a file, synced.
	b.Run("write", func(b *testing.B) {
		b.SetBytes(int64(ckpt.Len()))
		b.ReportAllocs()
		p := filepath.Join(b.TempDir(), "checkpoint")
		for i := 0; i < b.N; i++ {
			f, err := os.Create(p)
			if err != nil {
				b.Fatal(err)
			}
			w := bufio.NewWriterSize(f, 1<<20)
			if _, err := s.WriteCheckpoint(w, 0); err != nil {
				b.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(inodes)*float64(b.N)/b.Elapsed().Seconds(), "inodes/s")
	})
	// The encoding alone, into nothing.
	b.Run("encode", func(b *testing.B) {
		b.SetBytes(int64(ckpt.Len()))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := s.WriteCheckpoint(io.Discard, 0); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(inodes)*float64(b.N)/b.Elapsed().Seconds(), "inodes/s")
	})
	b.Run("restore", func(b *testing.B) {
		b.SetBytes(int64(ckpt.Len()))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			fresh := New(Options{})
			if err := fresh.Restore(bytes.NewReader(ckpt.Bytes()), "bench"); err != nil {
				b.Fatal(err)
			}
			if fresh.InodeCount() != inodes {
				b.Fatalf("restored %d inodes, want %d", fresh.InodeCount(), inodes)
			}
		}
		b.ReportMetric(float64(inodes)*float64(b.N)/b.Elapsed().Seconds(), "inodes/s")
	})
}

// BenchmarkApplyCreate applies CreateFile entries, 1000 files a directory.
func BenchmarkApplyCreate(b *testing.B) {
	s := New(Options{})
	entries := make([]*journalpb.Entry, 0, b.N+b.N/1000+1)
	for i := 0; i < b.N; i++ {
		dir := fmt.Sprintf("/d%d", i/1000)
		if i%1000 == 0 {
			entries = append(entries, mkdir(dir))
		}
		entries = append(entries, createFile(&journalpb.CreateFile{Path: fmt.Sprintf("%s/f%d", dir, i%1000), Mode: 0o644,
			Owner: "user", Group: "group", BlockSize: 64 << 20}))
	}
	for i, e := range entries {
		e.Sequence, e.TimeMs = uint64(i+1), int64(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for _, e := range entries {
		if r := s.Apply(e); r.Err != nil {
			b.Fatal(r.Err)
		}
	}
}
