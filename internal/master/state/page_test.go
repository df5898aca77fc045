package state

import (
	"bytes"
	"fmt"
	"testing"
)

func TestListPageWalksADirectoryInNameOrder(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, mkdir("/d"))
	const n = 257
	for i := n - 1; i >= 0; i-- { // created out of order
		mustApply(t, s, mkfile(fmt.Sprintf("/d/f%04d", i)))
	}
	mustApply(t, s, mkdir("/d/sub"))
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > n {
			t.Fatal("paging does not end")
		}
		page, more, err := s.ListPage("/d", after, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 || len(page) > 50 {
			t.Fatalf("page %d has %d entries", pages, len(page))
		}
		for _, e := range page {
			got = append(got, e.Path)
		}
		after = page[len(page)-1].Inode.Name
		if !more {
			break
		}
	}
	all, err := s.List("/d", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(all) || len(all) != n+1 {
		t.Fatalf("paged %d entries, List has %d, want %d", len(got), len(all), n+1)
	}
	for i := range all {
		if got[i] != all[i].Path {
			t.Fatalf("entry %d: paged %s, List %s", i, got[i], all[i].Path)
		}
	}
	if page, more, err := s.ListPage("/d/f0001", "", 10); err != nil || more || len(page) != 1 || page[0].Path != "/d/f0001" {
		t.Fatalf("a file lists itself: %v %v %v", page, more, err)
	}
	if _, _, err := s.ListPage("/nope", "", 10); err == nil {
		t.Fatal("a missing directory listed")
	}
	if _, _, err := s.ListPage("/d", "", 0); err == nil {
		t.Fatal("a page size of 0 accepted")
	}
}

// Counts keeps up with every way inodes come and go: the random entries
// of the determinism test, and a restore from a checkpoint.
func TestCountsMatchTheTree(t *testing.T) {
	for _, seed := range []int64{1, 2} {
		s := New(Options{RetryCacheSize: 20, RootOwner: "root"})
		g := newGen(seed)
		for round := 0; round < 20; round++ {
			feed(t, g, 200, s)
			checkCounts(t, s)
		}
		var buf bytes.Buffer
		if _, err := s.WriteCheckpoint(&buf, 1); err != nil {
			t.Fatal(err)
		}
		r := New(Options{RetryCacheSize: 20, RootOwner: "root"})
		if err := r.Restore(&buf, "test"); err != nil {
			t.Fatal(err)
		}
		checkCounts(t, r)
	}
}

func checkCounts(t *testing.T, s *State) {
	t.Helper()
	var files, dirs int
	if err := s.Walk("/", func(_ string, n *Inode) {
		if n.IsDir {
			dirs++
		} else {
			files++
		}
	}); err != nil {
		t.Fatal(err)
	}
	if f, d := s.Counts(); f != files || d != dirs {
		t.Fatalf("Counts says %d files %d dirs, the tree has %d and %d", f, d, files, dirs)
	}
}
