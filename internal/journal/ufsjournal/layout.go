package ufsjournal

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// The journal folder:
//
//	FORMAT                          written by format; its absence means "not formatted"
//	epochs/<epoch>                  one marker per primary term, created exclusively
//	logs/<epoch>-<first seq>.log    segments; numbers are 16 hex digits
//	checkpoints/<next seq>.ckpt     a checkpoint covers every sequence below <next seq>
//	.tmp/                           checkpoints being written
//
// Files are never renamed once other masters may read them: a segment's end
// is where the next one starts, so no paused former primary can move a file
// that a new primary is writing.
const (
	formatFile     = "FORMAT"
	formatVersion  = "alluxio-go ufs journal v1\n"
	epochsDir      = "epochs"
	logsDir        = "logs"
	checkpointsDir = "checkpoints"
	tmpDir         = ".tmp"
)

// segment is one log file: the entries from first onwards written in epoch.
type segment struct {
	epoch uint64
	first uint64
	path  string
	// end is the first sequence not valid in this segment: where the next
	// segment of the chain starts (0 while it is the open end of the chain).
	end uint64
}

type checkpointFile struct {
	next uint64 // covers sequences < next
	path string
}

type listing struct {
	epochs      []uint64 // ascending
	segments    []segment
	checkpoints []checkpointFile // ascending by next
}

func hex16(v uint64) string { return fmt.Sprintf("%016x", v) }

func segmentName(epoch, first uint64) string { return hex16(epoch) + "-" + hex16(first) + ".log" }

func checkpointName(next uint64) string { return hex16(next) + ".ckpt" }

func parseHex(s string) (uint64, bool) {
	if len(s) != 16 {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 16, 64)
	return v, err == nil
}

// formatted reports whether dir holds a formatted journal.
func formatted(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, formatFile))
	if os.IsNotExist(err) {
		return errs.New(errs.ErrPrecondition, "journal folder %s is not formatted (run `alluxio format`)", dir)
	}
	if err != nil {
		return err
	}
	if string(b) != formatVersion {
		return errs.New(errs.ErrCorrupt, "journal folder %s has an unknown format %q", dir, strings.TrimSpace(string(b)))
	}
	return nil
}

// Format empties dir and lays out a new journal in it.
func Format(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, sub := range []string{epochsDir, logsDir, checkpointsDir, tmpDir, formatFile} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return err
		}
	}
	for _, sub := range []string{epochsDir, logsDir, checkpointsDir, tmpDir} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	if err := writeFileSync(filepath.Join(dir, formatFile), []byte(formatVersion)); err != nil {
		return err
	}
	return syncDir(dir)
}

// list reads the folder and computes each segment's end, so that entries a
// deposed primary wrote after a newer epoch began fall outside every range.
func list(dir string) (*listing, error) {
	l := &listing{}
	names, err := readDirNames(filepath.Join(dir, epochsDir))
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if e, ok := parseHex(n); ok {
			l.epochs = append(l.epochs, e)
		}
	}
	sort.Slice(l.epochs, func(i, j int) bool { return l.epochs[i] < l.epochs[j] })
	names, err = readDirNames(filepath.Join(dir, logsDir))
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base, ok := strings.CutSuffix(n, ".log")
		if !ok || len(base) != 33 || base[16] != '-' {
			continue
		}
		e, ok1 := parseHex(base[:16])
		f, ok2 := parseHex(base[17:])
		if ok1 && ok2 {
			l.segments = append(l.segments, segment{epoch: e, first: f, path: filepath.Join(dir, logsDir, n)})
		}
	}
	sort.Slice(l.segments, func(i, j int) bool {
		a, b := l.segments[i], l.segments[j]
		return a.epoch < b.epoch || (a.epoch == b.epoch && a.first < b.first)
	})
	// A segment ends where the next segment of its epoch starts, and no later
	// than the first sequence of any later epoch.
	var laterMin uint64
	for i := len(l.segments) - 1; i >= 0; i-- {
		s := &l.segments[i]
		end := laterMin
		if i+1 < len(l.segments) && l.segments[i+1].epoch == s.epoch {
			end = l.segments[i+1].first
		}
		if laterMin != 0 && laterMin < end {
			end = laterMin
		}
		s.end = end
		if i == 0 || l.segments[i-1].epoch != s.epoch {
			// s is the first of its epoch: it bounds every earlier epoch.
			if laterMin == 0 || s.first < laterMin {
				laterMin = s.first
			}
		}
	}
	names, err = readDirNames(filepath.Join(dir, checkpointsDir))
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base, ok := strings.CutSuffix(n, ".ckpt")
		if !ok {
			continue
		}
		if next, ok := parseHex(base); ok {
			l.checkpoints = append(l.checkpoints, checkpointFile{next: next, path: filepath.Join(dir, checkpointsDir, n)})
		}
	}
	sort.Slice(l.checkpoints, func(i, j int) bool { return l.checkpoints[i].next < l.checkpoints[j].next })
	return l, nil
}

func (l *listing) maxEpoch() uint64 {
	if len(l.epochs) == 0 {
		return 0
	}
	return l.epochs[len(l.epochs)-1]
}

// segmentFor returns the index of the segment of the chain holding seq, or
// -1. An empty range (first == end) holds nothing.
func (l *listing) segmentFor(seq uint64) int {
	found := -1
	for i, s := range l.segments {
		if s.first <= seq && (s.end == 0 || seq < s.end) && (s.end == 0 || s.first < s.end) {
			found = i
		}
	}
	return found
}

func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
