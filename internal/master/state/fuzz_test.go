package state

import (
	"bytes"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
)

// A checkpoint is read from files an operator hands over (alluxio format
// -Dalluxio.master.journal.init.from.backup=<file>): whatever the bytes,
// Restore loads them whole or refuses them, never panics, and leaves an
// empty state after a refusal.
func FuzzRestore(f *testing.F) {
	s := New(Options{RetryCacheSize: 5})
	for _, e := range []*journalpb.Entry{rootMount(), mkdirP("/a/b"), mkfile("/a/f"), complete("/a/f", 10),
		clusterID("c"), ufsMode("s3://b", journalpb.UfsMode_READ_ONLY)} {
		e.Sequence = s.LastSequence() + 1
		e.TimeMs = testTime
		s.Apply(e)
	}
	var buf bytes.Buffer
	if _, err := s.WriteCheckpoint(&buf, 1); err != nil {
		f.Fatal(err)
	}
	whole := buf.Bytes()
	f.Add(whole)
	f.Add(whole[:len(whole)/2])
	f.Add([]byte{})
	f.Add([]byte("not a checkpoint at all"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := New(Options{RetryCacheSize: 5})
		if err := r.Restore(bytes.NewReader(data), "fuzz"); err != nil {
			if files, dirs := r.Counts(); files != 0 || dirs != 1 || r.ClusterID() != "" || r.LastSequence() != 0 {
				t.Fatalf("a refused checkpoint left %d files, %d dirs, cluster %q, sequence %d", files, dirs, r.ClusterID(), r.LastSequence())
			}
			return
		}
		checkCounts(t, r)
	})
}
