package blockstore

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
)

// logSink keeps what the store logged, for tests that check a line was
// written, and echoes it to the test log.
type logSink struct {
	t   testing.TB
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Logf("store: %s", strings.TrimSpace(string(p)))
	return l.buf.Write(p)
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func tierOf(alias string, quota int64, paths ...string) TierConfig {
	t := TierConfig{Alias: alias}
	for _, p := range paths {
		t.Dirs = append(t.Dirs, DirConfig{Path: p, Quota: quota})
	}
	return t
}

func openStore(t testing.TB, tiers ...TierConfig) (*Store, *logSink) {
	t.Helper()
	sink := &logSink{t: t}
	log := slog.New(slog.NewTextHandler(sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := Open(Options{Tiers: tiers, Logger: log})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, sink
}

// content is the deterministic data of block id, so any reader can check
// what it got without coordination.
func content(id int64, n int) []byte {
	b := make([]byte, n)
	x := uint32(id)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func writeBlock(t testing.TB, s *Store, id int64, n int, tier string) BlockMeta {
	t.Helper()
	tb, err := s.CreateBlock(id, int64(n), tier)
	if err != nil {
		t.Fatalf("CreateBlock(%d): %v", id, err)
	}
	if _, err := tb.Write(content(id, n)); err != nil {
		tb.Abort()
		t.Fatalf("Write(%d): %v", id, err)
	}
	m, err := tb.Commit()
	if err != nil {
		t.Fatalf("Commit(%d): %v", id, err)
	}
	return m
}

func readBlock(s *Store, id int64) ([]byte, error) {
	h, err := s.OpenBlock(id)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	buf := make([]byte, h.Length())
	n, err := h.ReadAt(buf, 0)
	if err == io.EOF && n == len(buf) {
		err = nil
	}
	return buf[:n], err
}

func checkBlock(t testing.TB, s *Store, id int64, n int) {
	t.Helper()
	got, err := readBlock(s, id)
	if err != nil {
		t.Fatalf("read block %d: %v", id, err)
	}
	if !bytes.Equal(got, content(id, n)) {
		t.Fatalf("block %d: content differs (%d bytes read, want %d)", id, len(got), n)
	}
}

// tiersOf maps each committed block to its tier.
func tiersOf(s *Store) map[int64]string {
	m := make(map[int64]string)
	for _, b := range s.Blocks() {
		m[b.ID] = b.Tier
	}
	return m
}

func wantErr(t testing.TB, err, sentinel error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v, want %v", err, sentinel)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// checkAccounting verifies, with nothing in flight, that every dir's used
// bytes equal the blocks it holds and that the files on disk are exactly
// the index.
func checkAccounting(t testing.TB, s *Store) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tr := range s.tiers {
		for _, d := range tr.dirs {
			var sum int64
			files := 0
			for _, b := range s.blocks {
				if b.dir == d {
					sum += b.length
					files += 2
				}
			}
			for _, b := range s.zombies {
				if b.dir == d {
					sum += b.length
					files += 2
				}
			}
			if d.used != sum {
				t.Errorf("dir %s: used %d, blocks sum to %d", d.root, d.used, sum)
			}
			entries, _ := os.ReadDir(d.path)
			// Besides the blocks: the directory's lock file.
			files++
			if len(entries) != files {
				names := []string{}
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("dir %s: files %v, want %d", d.root, names, files)
			}
		}
		if n := tr.lru.Len(); n > len(s.blocks) {
			t.Errorf("tier %s: %d blocks in LRU, %d in index", tr.alias, n, len(s.blocks))
		}
	}
	if s.moves != 0 || len(s.writing) != 0 {
		t.Errorf("moves %d, writing %d after the test", s.moves, len(s.writing))
	}
}
