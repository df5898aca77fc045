package chaos

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/tests/chaos/model"
)

// TestUnderStorageCheck (issue 11.2): the under storage check fails a run
// on every name only the under storage holds, unpublished copies and dead
// writers' unfinished writes included, and on every complete file whose
// copy is missing or is not the one the master published; the copy of a
// file still being written (or waiting for its persist), and its upload,
// are no failure.
func TestUnderStorageCheck(t *testing.T) {
	v0, v1 := "c0-1", "c1-7"
	data := map[string][]byte{"f0": model.Content(v0), "f2": model.Content(v1), "moved": []byte("not chaos content")}
	ns := map[string]nsFile{
		"f0": {ID: 11, Completed: true, Length: int64(len(data["f0"])), Persistence: "PERSISTED", UfsModMs: 500},
		"f1": {ID: 12},
		"f2": {ID: 13, Completed: true, Length: int64(len(data["f2"])), Persistence: "PERSISTED", UfsFingerprint: "etag-13"},
		"d0": {ID: 15, IsDir: true},
	}
	clean := map[string]ufsObject{"f0": {ModMs: 500}, "f2": {ModMs: 1, Fingerprint: "etag-13"}, "d0": {IsDir: true},
		".alluxio_ufs_tmp_12": {}}
	read := func(name string) ([]byte, error) {
		if b, ok := data[name]; ok {
			return b, nil
		}
		return nil, os.ErrNotExist
	}
	with := func(m map[string]ufsObject, k string, o ufsObject) map[string]ufsObject {
		out := map[string]ufsObject{}
		for n, x := range m {
			out[n] = x
		}
		out[k] = o
		return out
	}
	without := func(m map[string]ufsObject, k string) map[string]ufsObject {
		out := with(m, k, ufsObject{})
		delete(out, k)
		return out
	}
	for _, tt := range []struct {
		name        string
		objs        map[string]ufsObject
		staged      []string
		lost, extra []string // each a part of one message, in order
	}{
		{name: "clean", objs: clean, staged: []string{"f1"}},
		{name: "unpublished copy of a deleted file", objs: with(clean, ".alluxio_ufs_tmp_9", ufsObject{}),
			extra: []string{"/chaos/g0/.alluxio_ufs_tmp_9: a copy of file 9 that no file will publish"}},
		{name: "unpublished copy of a published file", objs: with(clean, ".alluxio_ufs_tmp_11", ufsObject{}),
			extra: []string{".alluxio_ufs_tmp_11: a copy of file 11 that no file will publish"}},
		{name: "unfinished write of a dead writer", objs: with(clean, ".alluxio_ufs_tmp.5c1e2f0a", ufsObject{}),
			extra: []string{".alluxio_ufs_tmp.5c1e2f0a: an unfinished write a dead writer left"}},
		{name: "a file only the under storage has", objs: with(clean, "moved", ufsObject{ModMs: 2}),
			extra: []string{"/chaos/g0/moved is in the under storage only"}},
		{name: "a directory only the under storage has", objs: with(clean, "d1", ufsObject{IsDir: true}),
			extra: []string{"/chaos/g0/d1 is in the under storage only"}},
		{name: "uploads no file will publish", objs: clean, staged: []string{"f1", "f2", "gone"},
			extra: []string{"/chaos/g0/f2: an open upload", "/chaos/g0/gone: an open upload"}},
		{name: "a complete file missing", objs: without(clean, "f0"),
			lost: []string{"complete file /chaos/g0/f0 (id 11, "}},
		{name: "a replaced copy (modification time)", objs: with(clean, "f0", ufsObject{ModMs: 501}),
			lost: []string{"/chaos/g0/f0 (id 11): the under storage copy was modified at 501 ms, the master published the one of 500 ms"}},
		{name: "a replaced copy (fingerprint)", objs: with(clean, "f2", ufsObject{Fingerprint: "etag-99"}),
			lost: []string{`/chaos/g0/f2 (id 13): the under storage copy has fingerprint "etag-99", the master published "etag-13"`}},
		{name: "a directory missing", objs: without(clean, "d0"), lost: []string{"directory /chaos/g0/d0 is not in the under storage"}},
	} {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			lost, extra := compareGroup("/chaos/g0", ns, tt.objs, read, tt.staged)
			match := func(what string, got, want []string) {
				ok := len(got) == len(want)
				for i := 0; ok && i < len(want); i++ {
					ok = strings.Contains(got[i], want[i])
				}
				if !ok {
					t.Errorf("%s: %q; want %q", what, got, want)
				}
			}
			match("lost", lost, tt.lost)
			match("extra", extra, tt.extra)
		})
	}
	// A file waiting for its publish: its temporary copy is no leftover,
	// but until the publish is done its data is not where readers look.
	ns["f3"] = nsFile{ID: 14, Completed: true, Length: 3, Persistence: "TO_BE_PERSISTED", UfsPending: "PUBLISH"}
	lost, extra := compareGroup("/chaos/g0", ns, with(clean, ".alluxio_ufs_tmp_14", ufsObject{}), read, nil)
	if len(extra) != 0 || len(lost) != 1 || !strings.Contains(lost[0], "complete file /chaos/g0/f3 (id 14, 3 bytes, TO_BE_PERSISTED, pending: PUBLISH)") {
		t.Errorf("a file waiting for its publish: lost %q, extra %q", lost, extra)
	}
	delete(ns, "f3")
	// Bytes that are not the file's are lost data too.
	data["f0"] = slices.Concat(model.Content(v0)[:10], []byte(fmt.Sprint("x")), model.Content(v0)[11:])
	if lost, _ := compareGroup("/chaos/g0", ns, clean, read, nil); len(lost) != 1 || !strings.Contains(lost[0], "(corrupt)") {
		t.Errorf("a copy with other bytes: lost %q", lost)
	}
}
