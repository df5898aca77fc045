package e2e

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

// The chaos model: the namespace below /chaos is split into groups
// /chaos/g0, /chaos/g1, ..., each with three file names and one directory
// name. Every operation stays within one group, so porcupine checks the
// groups one at a time (P-compositionality). Clients use chaosGroups groups
// at a time and move on to fresh ones every chaosEpoch: the checker's
// memory grows with the square of a group's history, and clients on this
// cluster do over a thousand operations a second.
//
// A put is two operations, because clients can see the file between them:
// create (the file appears, incomplete, owned by the writer of value v) and
// complete (the same file, if still there, becomes v). Giving the
// incomplete file the writer's value keeps a late complete from finishing
// a different file created at the same path later, which the server must
// refuse too (CompleteFile checks the file id).

const (
	chaosGroups = 4
	chaosEpoch  = 30 * time.Second
)

// chaosNames are the names of a group, in slot order; the last is the
// directory.
var chaosNames = [chaosSlots]string{"f0", "f1", "f2", "d0"}

const (
	chaosSlots   = 4
	chaosDirSlot = 3
)

// chaosState is one group: for each file slot "" (absent), "~v"
// (incomplete, created by the put of v) or "=v" (complete with content(v));
// for the directory slot "" or "D". An array, so that states compare with
// == and hash cheaply.
type chaosState [chaosSlots]string

type chaosInput struct {
	// Op: create, complete, abandon, get, mkdir, del, rename, stat or list.
	Op   string
	G    int
	Name string
	// Dst: rename's destination.
	Dst string `json:",omitempty"`
	// Value: create and complete, the value whose content is written.
	Value string `json:",omitempty"`
}

// chaosOutput is what the client saw. Result is an outcome (ok, exists,
// notfound, incomplete, notempty) or, for reads, the observation: get
// "=v" or notfound, incomplete, corrupt; stat notfound, incomplete,
// "len=N" or dir; list the names present, sorted, joined with commas.
// Unknown means an error that leaves the outcome open (the client gave up
// on a failover, say): the operation may take effect at any time after its
// call, so it is recorded as never returning.
type chaosOutput struct {
	Result  string `json:",omitempty"`
	Unknown bool   `json:",omitempty"`
	// End is when the client saw the error of an unknown operation (ns
	// from the start), for looking at a failed history.
	End int64  `json:",omitempty"`
	Err string `json:",omitempty"`
}

func chaosSlot(name string) int {
	for i, n := range chaosNames {
		if n == name {
			return i
		}
	}
	return -1
}

// chaosObserve is what a get of a file slot returns.
func chaosObserve(s string) string {
	switch {
	case s == "":
		return "notfound"
	case s[0] == '~':
		return "incomplete"
	}
	return s
}

// chaosStatOf is what a stat of slot i returns.
func chaosStatOf(st chaosState, i int) string {
	s := st[i]
	switch {
	case s == "":
		return "notfound"
	case i == chaosDirSlot:
		return "dir"
	case s[0] == '~':
		return "incomplete"
	}
	return "len=" + strconv.Itoa(chaosContentLen(s[1:]))
}

// chaosListOf is what a listing of the group returns.
func chaosListOf(st chaosState) string {
	var names []string
	for i, s := range st {
		if s != "" {
			names = append(names, chaosNames[i])
		}
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func chaosOne(s chaosState) []interface{} { return []interface{}{s} }

func chaosStep(state, input, output interface{}) []interface{} {
	st, in, out := state.(chaosState), input.(chaosInput), output.(chaosOutput)
	res := out.Result
	if in.Op == "list" {
		if !out.Unknown && res == chaosListOf(st) {
			return chaosOne(st)
		}
		return nil
	}
	i := chaosSlot(in.Name)
	if i < 0 || (in.Op != "stat" && in.Op != "del" && (i == chaosDirSlot) != (in.Op == "mkdir")) {
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
			return chaosOne(st)
		case res == "ok" && st[i] == "":
			return chaosOne(next)
		case res == "exists" && st[i] != "":
			return chaosOne(st)
		}
	case "complete":
		mine := st[i] == "~"+in.Value
		next := st
		next[i] = "=" + in.Value
		switch {
		case out.Unknown && mine:
			return []interface{}{st, next}
		case out.Unknown:
			return chaosOne(st)
		case res == "ok" && mine:
			return chaosOne(next)
		case res == "notfound" && !mine:
			return chaosOne(st)
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
			return chaosOne(st)
		}
	case "get":
		if !out.Unknown && res == chaosObserve(st[i]) {
			return chaosOne(st)
		}
	case "stat":
		if !out.Unknown && res == chaosStatOf(st, i) {
			return chaosOne(st)
		}
	case "mkdir":
		next := st
		next[i] = "D"
		switch {
		case out.Unknown:
			return []interface{}{st, next}
		case res == "ok" && st[i] == "":
			return chaosOne(next)
		case res == "exists" && st[i] != "":
			return chaosOne(st)
		}
	case "del":
		next := st
		next[i] = ""
		switch {
		case out.Unknown:
			return []interface{}{st, next}
		case res == "ok" && st[i] != "":
			return chaosOne(next)
		case res == "notfound" && st[i] == "":
			return chaosOne(st)
		}
	case "rename":
		j := chaosSlot(in.Dst)
		if j < 0 || j == chaosDirSlot || j == i {
			return nil
		}
		legal := st[i] != "" && st[j] == ""
		next := st
		next[j], next[i] = st[i], ""
		switch {
		case out.Unknown && legal:
			return []interface{}{st, next}
		case out.Unknown:
			return chaosOne(st)
		case res == "ok" && legal:
			return chaosOne(next)
		case res == "notfound" && st[i] == "":
			return chaosOne(st)
		case res == "exists" && st[j] != "":
			return chaosOne(st)
		case res == "incomplete" && strings.HasPrefix(st[i], "~"):
			return chaosOne(st)
		}
	}
	return nil
}

func chaosPartition(history []porcupine.Operation) [][]porcupine.Operation {
	byGroup := map[int][]porcupine.Operation{}
	for _, op := range history {
		g := op.Input.(chaosInput).G
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

func chaosDescribe(input, output interface{}) string {
	in, out := input.(chaosInput), output.(chaosOutput)
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

var chaosModel = (&porcupine.NondeterministicModel{
	Partition: chaosPartition,
	Init:      func() []interface{} { return []interface{}{chaosState{}} },
	Step:      chaosStep,
	Hash: func(state interface{}) uint64 {
		h := fnv.New64a()
		for _, s := range state.(chaosState) {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
		return h.Sum64()
	},
	DescribeOperation: chaosDescribe,
	DescribeState: func(state interface{}) string {
		st := state.(chaosState)
		var parts []string
		for i, s := range st {
			if s != "" {
				parts = append(parts, chaosNames[i]+s)
			}
		}
		return "[" + strings.Join(parts, " ") + "]"
	},
}).ToModel()

// Content: a file written with value v holds chaosContent(v), a header
// naming v and pseudo-random bytes that follow from v, so a read is
// checked byte for byte without remembering what was written.

const chaosHeaderPrefix = "alluxio-chaos "

func chaosHash(v string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(v))
	return h.Sum64()
}

// chaosContentLen is len(chaosContent(v)): mostly under 4 KiB so the run
// does many operations, a third up to 200 KiB, and a few of 1-2 MiB that
// span two blocks (1 MiB each) and several stream chunks.
func chaosContentLen(v string) int {
	h := chaosHash(v)
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
	return len(chaosHeaderPrefix) + len(v) + 1 + n
}

func chaosContent(v string) []byte {
	n := chaosContentLen(v)
	b := make([]byte, 0, n)
	b = append(b, chaosHeaderPrefix...)
	b = append(b, v...)
	b = append(b, '\n')
	r := rand.New(rand.NewPCG(chaosHash(v), 0x5eed))
	for len(b) < n {
		x := r.Uint64()
		for k := 0; k < 8 && len(b) < n; k++ {
			b = append(b, byte(x>>(8*k)))
		}
	}
	return b
}

// chaosVerify returns "=v" when b is exactly chaosContent(v) for the v its
// header names, else "corrupt" (which no state matches).
func chaosVerify(b []byte) string {
	rest, ok := bytes.CutPrefix(b, []byte(chaosHeaderPrefix))
	if !ok {
		return "corrupt"
	}
	nl := bytes.IndexByte(rest[:min(len(rest), 64)], '\n')
	if nl <= 0 {
		return "corrupt"
	}
	v := string(rest[:nl])
	if len(b) != chaosContentLen(v) || !bytes.Equal(b, chaosContent(v)) {
		return "corrupt"
	}
	return "=" + v
}
