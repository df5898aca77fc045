package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// TestTouchPersistsLikeAnEmptyCopy: fs touch goes through the write path
// of an empty copyFromLocal, so the write type decides where the empty file
// lands: CACHE_THROUGH and THROUGH put it in the under storage at once,
// ASYNC_THROUGH soon after, MUST_CACHE never.
func TestTouchPersistsLikeAnEmptyCopy(t *testing.T) {
	t.Parallel()
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker", "64MB")
	empty := filepath.Join(m.Dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ufs := filepath.Join(m.Dir, "underFSStorage")
	state := func(p string) string {
		return strings.TrimSpace(m.Must("fs", "stat", "-f", "%z", p)) + " " + persistence(t, m, p)
	}
	for _, tt := range []struct {
		writeType, want string
		inUFS           bool
	}{
		{"CACHE_THROUGH", "PERSISTED", true},
		{"THROUGH", "PERSISTED", true},
		{"ASYNC_THROUGH", "PERSISTED", true},
		{"MUST_CACHE", "NOT_PERSISTED", false},
	} {
		wt := "-Dalluxio.user.file.writetype.default=" + tt.writeType
		touched, copied := "/touched-"+tt.writeType, "/copied-"+tt.writeType
		m.Must("fs", "touch", touched, wt)
		m.Must("fs", "copyFromLocal", empty, copied, wt)
		for _, p := range []string{touched, copied} {
			// ASYNC_THROUGH persists in the background.
			testcluster.WaitFor(t, 30*time.Second, 50*time.Millisecond, func() (bool, string) {
				got := state(p)
				return got == "0 "+tt.want, p + " is " + got
			})
			fi, err := os.Stat(filepath.Join(ufs, p))
			if (err == nil) != tt.inUFS || (err == nil && (fi.Size() != 0 || fi.IsDir())) {
				t.Errorf("%s with %s: under storage copy %v (%v), want present: %v", p, tt.writeType, fi, err, tt.inUFS)
			}
		}
	}
}

// persistence is the persistence state `fs ls` shows for p.
func persistence(t testing.TB, m *cluster.Master, p string) string {
	t.Helper()
	for _, s := range []string{"NOT_PERSISTED", "TO_BE_PERSISTED", "PERSISTED"} {
		if strings.Contains(m.Must("fs", "ls", p), " "+s+" ") {
			return s
		}
	}
	t.Fatalf("fs ls %s shows no persistence state:\n%s", p, m.Must("fs", "ls", p))
	return ""
}
