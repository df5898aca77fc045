package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

var backupSequence = regexp.MustCompile(`(?m)^Journal Sequence\s+: (\d+)$`)

// A backup taken while clients change the namespace is one cut between
// two journal entries: directories moved back and forth between /a and
// /b are in exactly one of them, directories made one after another are
// a run with no gap, and the restored state is at the sequence the
// backup names. Each backup is read back with the master's own Restore.
func TestBackupIsOneCutUnderWrites(t *testing.T) {
	m := cluster.NewMaster(t)
	c := m.Client()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const movers = 4
	mk := client.CreateDirectoryOptions{Recursive: true, WriteType: "MUST_CACHE"}
	for i := 0; i < movers; i++ {
		if _, err := c.CreateDirectory(ctx, fmt.Sprintf("/a/d%d", i), mk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateDirectory(ctx, "/b", mk); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errc := make(chan error, movers+1)
	stopped := func(err error) bool {
		return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errs.Code(err) == "CANCELLED")
	}
	for i := 0; i < movers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := fmt.Sprintf("/a/d%d", i), fmt.Sprintf("/b/d%d", i)
			for ctx.Err() == nil {
				if err := c.Rename(ctx, from, to); err != nil {
					if !stopped(err) {
						errc <- fmt.Errorf("rename %s %s: %w", from, to, err)
					}
					return
				}
				from, to = to, from
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 0; ctx.Err() == nil; n++ {
			if _, err := c.CreateDirectory(ctx, fmt.Sprintf("/seq/%06d", n), mk); err != nil {
				if !stopped(err) {
					errc <- fmt.Errorf("mkdir /seq/%06d: %w", n, err)
				}
				return
			}
		}
	}()

	dir := t.TempDir()
	var backups []string
	var seqs []uint64
	for i := 0; i < 3; i++ {
		out := m.Must("fsadmin", "backup", "--local", dir)
		uri, seq := backupURI.FindStringSubmatch(out), backupSequence.FindStringSubmatch(out)
		if uri == nil || seq == nil {
			t.Fatalf("fsadmin backup said:\n%s", out)
		}
		n, _ := strconv.ParseUint(seq[1], 10, 64)
		backups, seqs = append(backups, uri[1]), append(seqs, n)
	}
	cancel()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}

	for i, b := range backups {
		if filepath.Dir(b) != dir {
			t.Fatalf("backup %s is not in %s", b, dir)
		}
		f, err := os.Open(b)
		if err != nil {
			t.Fatal(err)
		}
		st := state.New(state.Options{})
		err = st.Restore(f, b)
		f.Close()
		if err != nil {
			t.Fatalf("restore %s: %v", b, err)
		}
		if st.LastSequence() != seqs[i] {
			t.Fatalf("backup %s restores to sequence %d; fsadmin backup said %d", b, st.LastSequence(), seqs[i])
		}
		exists := func(p string) bool {
			_, err := st.Stat(p)
			if err != nil && !errors.Is(err, errs.ErrNotFound) {
				t.Fatalf("stat %s in %s: %v", p, b, err)
			}
			return err == nil
		}
		for j := 0; j < movers; j++ {
			inA, inB := exists(fmt.Sprintf("/a/d%d", j)), exists(fmt.Sprintf("/b/d%d", j))
			if inA == inB {
				t.Fatalf("backup %d: d%d in /a %v, in /b %v; a cut has it in exactly one", i, j, inA, inB)
			}
		}
		made := 0
		for exists(fmt.Sprintf("/seq/%06d", made)) {
			made++
		}
		if !exists("/seq") {
			// A backup before the first mkdir.
		} else if all, _, err := st.ListPage("/seq", "", 1<<20); err != nil || len(all) != made {
			t.Fatalf("backup %d has %d directories in /seq (%v), but only the first %d without a gap", i, len(all), err, made)
		}
		t.Logf("backup %d: sequence %d, %d directories made in order", i, seqs[i], made)
	}
	if seqs[len(seqs)-1] <= seqs[0] {
		t.Fatalf("the backups did not move with the writes: sequences %v", seqs)
	}
}
