package state

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal/record"
)

func checkpointOf(t testing.TB, s *State) []byte {
	t.Helper()
	var buf bytes.Buffer
	last, err := s.WriteCheckpoint(&buf, 42)
	if err != nil {
		t.Fatal(err)
	}
	if last != s.LastSequence() {
		t.Fatalf("WriteCheckpoint covers %d, LastSequence is %d", last, s.LastSequence())
	}
	return buf.Bytes()
}

// busyState is a state built by random entries, with mounts, TTLs, a
// wrapped-around retry cache and more.
func busyState(t *testing.T, seed int64, opts Options) (*State, *gen) {
	t.Helper()
	s := New(opts)
	mustApply(t, s, rootMount(), mkdirP("/a/b/c"), mount("/m1", "s3://ckpt", false),
		createFile(&journalpb.CreateFile{Path: "/a/f", TtlMs: 10, TtlAction: journalpb.TtlAction_TTL_DELETE}))
	g := newGen(seed)
	feed(t, g, 3000, s)
	return s, g
}

func TestCheckpointRoundTrip(t *testing.T) {
	opts := Options{RetryCacheSize: 7, RootOwner: "root", RootGroup: "wheel"}
	a, g := busyState(t, 11, opts)
	if len(a.PendingIntents()) == 0 {
		t.Fatal("the generator left no pending under storage intent to checkpoint")
	}
	data := checkpointOf(t, a)
	b := New(opts)
	mustApply(t, b, mkdir("/junk")) // Restore replaces whatever was there
	if err := b.Restore(bytes.NewReader(data), "ckpt-1"); err != nil {
		t.Fatal(err)
	}
	if da, db := dump(a), dump(b); da != db {
		t.Fatalf("restored state differs: %s", diff(da, db))
	}
	if a.LastSequence() != b.LastSequence() {
		t.Fatalf("LastSequence %d, restored %d", a.LastSequence(), b.LastSequence())
	}
	if ea, eb := entriesDump(a.Expired(1<<40)), entriesDump(b.Expired(1<<40)); ea != eb {
		t.Fatalf("TTL index differs:\n%s\n%s", ea, eb)
	}
	// From here on both answer every entry alike.
	feed(t, g, 2000, a, b)
	if da, db := dump(a), dump(b); da != db {
		t.Fatalf("states drifted after more entries: %s", diff(da, db))
	}
	// A checkpoint of the restored state restores to the same again.
	c := New(opts)
	if err := c.Restore(bytes.NewReader(checkpointOf(t, b)), "ckpt-2"); err != nil {
		t.Fatal(err)
	}
	if db, dc := dump(b), dump(c); db != dc {
		t.Fatalf("second generation differs: %s", diff(db, dc))
	}
}

func TestCheckpointOfEmptyState(t *testing.T) {
	a := New(Options{})
	b := New(Options{})
	mustApply(t, b, mkdir("/x"))
	if err := b.Restore(bytes.NewReader(checkpointOf(t, a)), "empty"); err != nil {
		t.Fatal(err)
	}
	if dump(a) != dump(b) || b.LastSequence() != 0 {
		t.Fatalf("restored %s, last %d", dump(b), b.LastSequence())
	}
}

// TestRestoreRejectsDamage cuts and garbles a checkpoint in many places:
// every variant must fail with an error that names the checkpoint and leave
// the state empty, never half loaded.
func TestRestoreRejectsDamage(t *testing.T) {
	opts := Options{RetryCacheSize: 5}
	src, _ := busyState(t, 5, opts)
	data := checkpointOf(t, src)
	empty := dump(New(opts))

	// Record boundaries are the cuts a reader cannot tell from a clean end.
	var boundaries []int
	rr := record.NewReader(bytes.NewReader(data), 0)
	for {
		if _, err := rr.Next(); err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		boundaries = append(boundaries, int(rr.Offset()))
	}
	if len(boundaries) < 20 {
		t.Fatalf("only %d records", len(boundaries))
	}

	type variant struct {
		name string
		data []byte
	}
	var variants []variant
	for _, cut := range boundaries[:len(boundaries)-1] {
		variants = append(variants, variant{fmt.Sprintf("cut at record boundary %d", cut), data[:cut]})
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		cut := r.Intn(len(data))
		variants = append(variants, variant{fmt.Sprintf("cut at %d", cut), data[:cut]})
		flipped := bytes.Clone(data)
		at := r.Intn(len(data))
		flipped[at] ^= byte(1 + r.Intn(255))
		variants = append(variants, variant{fmt.Sprintf("byte %d flipped", at), flipped})
	}
	zeroTail := append(bytes.Clone(data[:boundaries[len(boundaries)/2]]), make([]byte, 4096)...)
	variants = append(variants,
		variant{"empty", nil},
		variant{"garbage", []byte("this is not a checkpoint at all, just some text")},
		variant{"zero-filled tail", zeroTail},
		variant{"twice", append(bytes.Clone(data), data...)},
		variant{"header only", data[:boundaries[0]]},
	)
	for _, v := range variants {
		s := New(opts)
		mustApply(t, s, mkdir("/before"))
		err := s.Restore(bytes.NewReader(v.data), "ckpt-under-test")
		if err == nil {
			t.Fatalf("%s: Restore accepted a damaged checkpoint", v.name)
		}
		if !strings.Contains(err.Error(), "ckpt-under-test") || !errors.Is(err, errs.ErrCorrupt) {
			t.Fatalf("%s: error %q does not name the checkpoint as corrupt", v.name, err)
		}
		if got := dump(s); got != empty || s.LastSequence() != 0 {
			t.Fatalf("%s: state left half loaded (last %d): %s", v.name, s.LastSequence(), diff(empty, got))
		}
	}
}

// TestRestoreReadError passes on a failing reader's error and leaves the
// state empty.
func TestRestoreReadError(t *testing.T) {
	src, _ := busyState(t, 6, Options{})
	data := checkpointOf(t, src)
	s := New(Options{})
	boom := errors.New("disk on fire")
	err := s.Restore(io.MultiReader(bytes.NewReader(data[:len(data)/2]), errReader{boom}), "ck")
	if !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	if dump(s) != dump(New(Options{})) {
		t.Fatal("state not empty after a failed restore")
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
