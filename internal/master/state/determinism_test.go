package state

import (
	"fmt"
	"math/rand"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/fspath"
)

// gen makes random entries over a small namespace, so that they collide
// often: many fail, many succeed, and every rule gets exercised.
type gen struct {
	r    *rand.Rand
	time int64
	n    uint64 // entries made so far: intent ids are below
}

func newGen(seed int64) *gen { return &gen{r: rand.New(rand.NewSource(seed)), time: 1000} }

var (
	genNames = []string{"a", "b", "c"}
	genUfs   = []string{"s3://b1", "s3://b1/x", "s3://b2", "s3://b2/y/", "hdfs://nn/p", "file:///u"}
)

func (g *gen) pick(s []string) string { return s[g.r.Intn(len(s))] }

func (g *gen) path() string {
	switch g.r.Intn(40) {
	case 0:
		return "/"
	case 1:
		return g.pick([]string{"", "a", "/a/../b", "/a//b", "/a/./b"})
	case 2, 3, 4:
		return g.pick([]string{"/m1", "/m2", "/a/m", "/m1/a", "/m2/b/c"})
	}
	p := ""
	for depth := 1 + g.r.Intn(3); depth > 0; depth-- {
		p += "/" + g.pick(genNames)
	}
	return p
}

func (g *gen) status(name string, dir bool) *journalpb.UfsStatus {
	st := &journalpb.UfsStatus{Name: name, IsDirectory: dir, Mode: uint32(g.r.Intn(0o1000)), Owner: g.pick(genNames),
		Group: g.pick(genNames)}
	if !dir {
		st.Length = int64(g.r.Intn(3)) * 100
		st.ModificationTimeMs = int64(g.r.Intn(3))
	}
	return st
}

func (g *gen) entry() *journalpb.Entry {
	g.time += int64(g.r.Intn(50))
	g.n++
	e := &journalpb.Entry{TimeMs: g.time, UfsIntents: g.r.Intn(5) != 0}
	if g.r.Intn(4) == 0 {
		e.OpId = fmt.Sprintf("op%d", g.r.Intn(60))
	}
	b := g.r.Intn(2) == 0
	switch g.r.Intn(35) {
	case 0, 1, 2, 3:
		op := &journalpb.CreateFile{Path: g.path(), Mode: 0o644, Owner: g.pick(genNames), BlockSize: int64(g.r.Intn(4)) * 32,
			Recursive: b, Overwrite: g.r.Intn(4) == 0, Persisted: g.r.Intn(2) == 0}
		if g.r.Intn(3) == 0 {
			op.TtlMs = int64(g.r.Intn(500)) - 50
			op.TtlAction = journalpb.TtlAction(g.r.Intn(3))
		}
		e.Op = &journalpb.Entry_CreateFile{CreateFile: op}
	case 4, 5:
		e.Op = &journalpb.Entry_CompleteFile{CompleteFile: &journalpb.CompleteFile{Path: g.path(), Length: int64(g.r.Intn(300)) - 5,
			Persisted: b}}
	case 6, 7, 8:
		e.Op = &journalpb.Entry_CreateDirectory{CreateDirectory: &journalpb.CreateDirectory{Path: g.path(), Mode: 0o755,
			Owner: g.pick(genNames), Recursive: b, AllowExists: g.r.Intn(2) == 0, Persisted: g.r.Intn(2) == 0}}
	case 9, 10:
		e.Op = &journalpb.Entry_Delete{Delete: &journalpb.Delete{Path: g.path(), Recursive: b}}
	case 11, 12:
		e.Op = &journalpb.Entry_Rename{Rename: &journalpb.Rename{Src: g.path(), Dst: g.path()}}
	case 13, 14:
		op := &journalpb.SetAttribute{Path: g.path(), Recursive: b}
		if g.r.Intn(2) == 0 {
			op.Mode = ptr(uint32(g.r.Intn(0o11000)))
		}
		if g.r.Intn(3) == 0 {
			op.Owner = ptr(g.pick(genNames))
		}
		if g.r.Intn(3) == 0 {
			op.Pinned = ptr(g.r.Intn(2) == 0)
		}
		if g.r.Intn(3) == 0 {
			op.TtlMs = ptr(int64(g.r.Intn(400)) - 100)
		}
		if g.r.Intn(4) == 0 {
			op.TtlAction = ptr(journalpb.TtlAction(g.r.Intn(3)))
		}
		if g.r.Intn(4) == 0 {
			op.PersistenceState = ptr(journalpb.PersistenceState(g.r.Intn(4)))
		}
		e.Op = &journalpb.Entry_SetAttribute{SetAttribute: op}
	case 15, 16:
		p := g.path()
		if g.r.Intn(3) == 0 {
			p = "/"
		}
		e.Op = &journalpb.Entry_Mount{Mount: &journalpb.Mount{AlluxioPath: p, UfsUri: g.pick(genUfs), ReadOnly: g.r.Intn(4) == 0,
			Properties: map[string]string{"k": g.pick(genNames)}}}
	case 17:
		e.Op = &journalpb.Entry_Unmount{Unmount: &journalpb.Unmount{AlluxioPath: g.path()}}
	case 18, 19, 20, 21:
		e.Op = &journalpb.Entry_SyncMetadata{SyncMetadata: g.sync()}
	case 22:
		e.Op = &journalpb.Entry_Noop{Noop: &journalpb.Noop{Epoch: uint64(g.r.Intn(5))}}
	case 23:
		op := &journalpb.PersistDone{Path: g.path(), FileId: int64(g.r.Intn(30)), Length: int64(g.r.Intn(300))}
		if g.r.Intn(3) == 0 {
			op.Failure = "too long"
		}
		e.Op = &journalpb.Entry_PersistDone{PersistDone: op}
	case 24, 25:
		e.Op = &journalpb.Entry_UfsIntentDone{UfsIntentDone: &journalpb.UfsIntentDone{Id: g.recentID(), UfsModMs: int64(g.r.Intn(3))}}
	case 26:
		e.Op = &journalpb.Entry_UfsIntentFailed{UfsIntentFailed: &journalpb.UfsIntentFailed{Id: g.recentID(), Reason: g.pick(genNames), PersistAgain: b}}
	case 27, 28:
		id := int64(g.r.Intn(30))
		op := &journalpb.DropUnpublished{Path: fspath.Join(fspath.Parent(g.path()), fmt.Sprintf(".alluxio_ufs_tmp_%d", id)), FileId: id}
		if g.r.Intn(2) == 0 {
			op.Path, op.Token = g.path(), []byte(g.pick(genNames))
		}
		e.Op = &journalpb.Entry_DropUnpublished{DropUnpublished: op}
	case 29:
		e.Op = &journalpb.Entry_SetClusterId{SetClusterId: &journalpb.SetClusterId{ClusterId: g.pick([]string{"", "c1", "c2"})}}
	case 30:
		e.Op = &journalpb.Entry_UpdateUfsMode{UpdateUfsMode: &journalpb.UpdateUfsMode{
			UfsRoot: g.pick([]string{"s3://b1", "s3://b2", "file://", "S3://b1", "hdfs://nn"}), Mode: journalpb.UfsMode(g.r.Intn(4))}}
	case 34:
		secret := make([]byte, 8+g.r.Intn(32))
		g.r.Read(secret)
		e.Op = &journalpb.Entry_BlockKey{BlockKey: &journalpb.BlockKey{Id: int64(g.r.Intn(int(g.n) + 2)), Secret: secret,
			ExpiresMs: g.time + int64(g.r.Intn(3000)) - 500}}
	case 32, 33:
		op := &journalpb.SetAcl{Path: g.path(), Action: journalpb.AclAction(g.r.Intn(6)), Recursive: b,
			Entries: []string{g.pick([]string{"user:a:rwx", "default:user:b:r-x,default:user::rwx,default:group::r--,default:other::---",
				"group:c:rw-,mask::r--", "user:a", "bad entry", "user::rwx,group::r-x,other::---"})}}
		e.Op = &journalpb.Entry_SetAcl{SetAcl: op}
	default:
		// Damage and mistakes: no operation, or a nil one.
		switch g.r.Intn(3) {
		case 0:
		case 1:
			e.Op = &journalpb.Entry_Delete{}
		case 2:
			e.Op = &journalpb.Entry_CreateFile{}
		}
	}
	return e
}

// recentID is the sequence of one of the last entries, which may have made
// an intent that is still pending.
func (g *gen) recentID() uint64 {
	back := uint64(g.r.Intn(20))
	if back >= g.n {
		return 1
	}
	return g.n - back
}

func (g *gen) sync() *journalpb.SyncMetadata {
	p := g.path()
	op := &journalpb.SyncMetadata{Path: p, Exists: g.r.Intn(4) != 0, BlockSize: int64(g.r.Intn(3)) * 64}
	if !op.Exists {
		return op
	}
	dir := g.r.Intn(2) == 0
	name := ""
	var parents []string
	if comps, err := splitForTest(p); err == nil && len(comps) > 0 {
		name = comps[len(comps)-1]
		parents = comps[:len(comps)-1]
	}
	if g.r.Intn(10) != 0 {
		op.Status = g.status(name, dir)
	}
	// Ancestors: usually all of them as directories, sometimes too few or
	// one of them a file.
	for i, a := range parents {
		if g.r.Intn(8) == 0 && i > 0 {
			break
		}
		op.MissingAncestors = append(op.MissingAncestors, g.status(a, g.r.Intn(12) != 0))
	}
	if dir && g.r.Intn(2) == 0 {
		op.ListedChildren = true
		for _, c := range genNames {
			if g.r.Intn(2) == 0 {
				op.Children = append(op.Children, g.status(c, g.r.Intn(2) == 0))
			}
		}
	}
	return op
}

func splitForTest(p string) ([]string, error) {
	if p == "" || p[0] != '/' {
		return nil, fmt.Errorf("bad")
	}
	var out []string
	cur := ""
	for _, r := range p[1:] {
		if r == '/' {
			out = append(out, cur)
			cur = ""
			continue
		}
		cur += string(r)
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out, nil
}

// feed applies n random entries from g to every state, checks that all of
// them answered each entry the same way, and returns how many failed.
func feed(t *testing.T, g *gen, n int, states ...*State) (failed int) {
	t.Helper()
	for i := 0; i < n; i++ {
		e := g.entry()
		var first string
		for j, s := range states {
			c := proto.Clone(e).(*journalpb.Entry)
			c.Sequence = s.LastSequence() + 1
			r := s.Apply(c)
			got := resultString(r)
			if j == 0 {
				first = got
				if r.Err != nil {
					failed++
				}
			} else if got != first {
				t.Fatalf("entry %d %v: state %d answered %s, state 0 answered %s", i, e, j, got, first)
			}
		}
	}
	return failed
}

func TestApplyIsDeterministic(t *testing.T) {
	for _, seed := range []int64{1, 2, 3, 4} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			opts := Options{RetryCacheSize: 20, RootOwner: "root"}
			a, b := New(opts), New(opts)
			failed := feed(t, newGen(seed), 4000, a, b)
			if failed < 400 || failed > 3600 {
				t.Fatalf("%d of 4000 entries failed: the generator no longer exercises both paths", failed)
			}
			da, db := dump(a), dump(b)
			if da != db {
				t.Fatalf("states differ: %s", diff(da, db))
			}
			if a.InodeCount() < 5 || len(a.MountTable()) == 0 {
				t.Fatalf("the generator built too little: %d inodes, %d mounts", a.InodeCount(), len(a.MountTable()))
			}
			t.Logf("%d of 4000 failed; %d inodes, %d mounts", failed, a.InodeCount(), len(a.MountTable()))
		})
	}
}
