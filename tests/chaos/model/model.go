// Package model is the chaos harness's model of the namespace: what each
// operation of the workload may answer in each state, for porcupine's
// linearizability check, and the content a file written with a value
// holds, so every read is checked byte for byte.
//
// The namespace below /chaos is split into groups /chaos/g0, /chaos/g1,
// ..., each with three file names and one directory name. Every operation
// stays within one group, so porcupine checks the groups one at a time
// (P-compositionality). Clients use Groups groups at a time and move on to
// fresh ones every Epoch: the checker's memory grows with the square of a
// group's history, and clients on this cluster do over a thousand
// operations a second.
//
// A put is two operations, because clients can see the file between them:
// create (the file appears, incomplete, owned by the writer of value v) and
// complete (the same file, if still there, becomes v). Giving the
// incomplete file the writer's value keeps a late complete from finishing
// a different file created at the same path later, which the server must
// refuse too (CompleteFile checks the file id).
//
// An answer the model does not name (an error that is not one of the
// outcomes below, a read of wrong bytes) matches no state: the history is
// then not linearizable, whatever else happened.
package model

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

const (
	Groups = 4
	Epoch  = 30 * time.Second
)

// Names are the names of a group, in slot order; the last is the
// directory.
var Names = [Slots]string{"f0", "f1", "f2", "d0"}

const (
	Slots   = 4
	DirSlot = 3
)

// State is one group: for each file slot "" (absent), "~v"
// (incomplete, created by the put of v) or "=v" (complete with content(v));
// for the directory slot "" or "D". An array, so that states compare with
// == and hash cheaply.
type State [Slots]string

type Input struct {
	// Op: create, complete, abandon, get, mkdir, del, rename, stat or list.
	Op   string
	G    int
	Name string
	// Dst: rename's destination.
	Dst string `json:",omitempty"`
	// Value: create and complete, the value whose content is written.
	Value string `json:",omitempty"`
}

// Output is what the client saw. Result is an outcome (ok, exists,
// notfound, incomplete, notempty) or, for reads, the observation: get
// "=v" or notfound, incomplete, corrupt; stat notfound, incomplete,
// "len=N" or dir; list the names present, sorted, joined with commas.
// Any other definite answer is "error:CODE" (errs.Code of the error), or
// "corrupt" for a read that returned wrong bytes or failed as corrupt:
// no state explains either. Unknown means an error that leaves the outcome open (the client gave up
// on a failover, say): the operation may take effect at any time after its
// call, so it is recorded as never returning.
type Output struct {
	Result  string `json:",omitempty"`
	Unknown bool   `json:",omitempty"`
	// End is when the client saw the error of an unknown operation (ns
	// from the start), for looking at a failed history.
	End int64  `json:",omitempty"`
	Err string `json:",omitempty"`
}

// Slot is the index of name in Names, or -1.
func Slot(name string) int {
	for i, n := range Names {
		if n == name {
			return i
		}
	}
	return -1
}

// Observe is what a get of a file slot returns.
func Observe(s string) string {
	switch {
	case s == "":
		return "notfound"
	case s[0] == '~':
		return "incomplete"
	}
	return s
}

// StatOf is what a stat of slot i returns.
func StatOf(st State, i int) string {
	s := st[i]
	switch {
	case s == "":
		return "notfound"
	case i == DirSlot:
		return "dir"
	case s[0] == '~':
		return "incomplete"
	}
	return "len=" + strconv.Itoa(ContentLen(s[1:]))
}

// ListOf is what a listing of the group returns.
func ListOf(st State) string {
	var names []string
	for i, s := range st {
		if s != "" {
			names = append(names, Names[i])
		}
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func one(s State) []interface{} { return []interface{}{s} }

func step(state, input, output interface{}) []interface{} {
	st, in, out := state.(State), input.(Input), output.(Output)
	res := out.Result
	if in.Op == "list" {
		if !out.Unknown && res == ListOf(st) {
			return one(st)
		}
		return nil
	}
	i := Slot(in.Name)
	if i < 0 || (in.Op != "stat" && in.Op != "del" && (i == DirSlot) != (in.Op == "mkdir")) {
		return nil
	}
	switch in.Op {
	case "create":
		next := st
		next[i] = "~" + in.Value
		switch {
		case out.Unknown && st[i] == "":
			return []interface{}{st, next}
		case out.Unknown:
			return one(st)
		case res == "ok" && st[i] == "":
			return one(next)
		case res == "exists" && st[i] != "":
			return one(st)
		}
	case "complete":
		mine := st[i] == "~"+in.Value
		next := st
		next[i] = "=" + in.Value
		switch {
		case out.Unknown && mine:
			return []interface{}{st, next}
		case out.Unknown:
			return one(st)
		case res == "ok" && mine:
			return one(next)
		case res == "notfound" && !mine:
			return one(st)
		}
	case "abandon":
		// A writer that could not start deletes its own file, if it is
		// still there, and may have failed to.
		if out.Unknown && st[i] == "~"+in.Value {
			next := st
			next[i] = ""
			return []interface{}{st, next}
		}
		if out.Unknown {
			return one(st)
		}
	case "get":
		if !out.Unknown && res == Observe(st[i]) {
			return one(st)
		}
	case "stat":
		if !out.Unknown && res == StatOf(st, i) {
			return one(st)
		}
	case "mkdir":
		next := st
		next[i] = "D"
		switch {
		case out.Unknown:
			return []interface{}{st, next}
		case res == "ok" && st[i] == "":
			return one(next)
		case res == "exists" && st[i] != "":
			return one(st)
		}
	case "del":
		next := st
		next[i] = ""
		switch {
		case out.Unknown:
			return []interface{}{st, next}
		case res == "ok" && st[i] != "":
			return one(next)
		case res == "notfound" && st[i] == "":
			return one(st)
		}
	case "rename":
		j := Slot(in.Dst)
		if j < 0 || j == DirSlot || j == i {
			return nil
		}
		// The server refuses to move a file still being written.
		legal := st[i] != "" && st[i][0] != '~' && st[j] == ""
		next := st
		next[j], next[i] = st[i], ""
		switch {
		case out.Unknown && legal:
			return []interface{}{st, next}
		case out.Unknown:
			return one(st)
		case res == "ok" && legal:
			return one(next)
		case res == "notfound" && st[i] == "":
			return one(st)
		case res == "exists" && st[j] != "":
			return one(st)
		case res == "incomplete" && strings.HasPrefix(st[i], "~"):
			return one(st)
		}
	}
	return nil
}

func partition(history []porcupine.Operation) [][]porcupine.Operation {
	byGroup := map[int][]porcupine.Operation{}
	for _, op := range history {
		g := op.Input.(Input).G
		byGroup[g] = append(byGroup[g], op)
	}
	groups := make([]int, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	sort.Ints(groups)
	out := make([][]porcupine.Operation, 0, len(groups))
	for _, g := range groups {
		out = append(out, byGroup[g])
	}
	return out
}

func Describe(input, output interface{}) string {
	in, out := input.(Input), output.(Output)
	res := out.Result
	if out.Unknown {
		res = "?"
	}
	args := in.Name
	switch {
	case in.Op == "list":
		args = ""
	case in.Dst != "":
		args += " " + in.Dst
	case in.Value != "":
		args += " " + in.Value
	}
	return fmt.Sprintf("g%d %s(%s) -> %s", in.G, in.Op, args, res)
}

var Model = (&porcupine.NondeterministicModel{
	Partition: partition,
	Init:      func() []interface{} { return []interface{}{State{}} },
	Step:      step,
	Hash: func(state interface{}) uint64 {
		h := fnv.New64a()
		for _, s := range state.(State) {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
		return h.Sum64()
	},
	DescribeOperation: Describe,
	DescribeState: func(state interface{}) string {
		st := state.(State)
		var parts []string
		for i, s := range st {
			if s != "" {
				parts = append(parts, Names[i]+s)
			}
		}
		return "[" + strings.Join(parts, " ") + "]"
	},
}).ToModel()

// Content: a file written with value v holds Content(v), a header
// naming v and pseudo-random bytes that follow from v, so a read is
// checked byte for byte without remembering what was written.

const headerPrefix = "alluxio-chaos "

func hash(v string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(v))
	return h.Sum64()
}

// ContentLen is len(Content(v)): mostly under 4 KiB so the run
// does many operations, a third up to 200 KiB, and a few of 1-2 MiB that
// span two blocks (1 MiB each) and several stream chunks.
func ContentLen(v string) int {
	h := hash(v)
	r, x := h%100, int(h>>8)
	var n int
	switch {
	case r < 55:
		n = x % 4096
	case r < 90:
		n = 4096 + x%(200<<10)
	case r < 98:
		n = (200 << 10) + x%(800<<10)
	default:
		n = (1 << 20) + x%(1<<20)
	}
	return len(headerPrefix) + len(v) + 1 + n
}

func Content(v string) []byte {
	n := ContentLen(v)
	b := make([]byte, 0, n)
	b = append(b, headerPrefix...)
	b = append(b, v...)
	b = append(b, '\n')
	r := rand.New(rand.NewPCG(hash(v), 0x5eed))
	for len(b) < n {
		x := r.Uint64()
		for k := 0; k < 8 && len(b) < n; k++ {
			b = append(b, byte(x>>(8*k)))
		}
	}
	return b
}

// Verify returns "=v" when b is exactly Content(v) for the v its
// header names, else "corrupt" (which no state matches).
func Verify(b []byte) string {
	rest, ok := bytes.CutPrefix(b, []byte(headerPrefix))
	if !ok {
		return "corrupt"
	}
	nl := bytes.IndexByte(rest[:min(len(rest), 64)], '\n')
	if nl <= 0 {
		return "corrupt"
	}
	v := string(rest[:nl])
	if len(b) != ContentLen(v) || !bytes.Equal(b, Content(v)) {
		return "corrupt"
	}
	return "=" + v
}
