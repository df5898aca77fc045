package e2e

import (
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// The model must accept what a correct namespace can do and reject what it
// cannot, or a green chaos run proves nothing.
func TestChaosModel(t *testing.T) {
	type h = []porcupine.Operation
	op := func(c int, call, ret int64, in chaosInput, out chaosOutput) porcupine.Operation {
		if out.Unknown {
			ret = 1 << 62
		}
		return porcupine.Operation{ClientId: c, Call: call, Return: ret, Input: in, Output: out}
	}
	create := func(name, v string) chaosInput { return chaosInput{Op: "create", Name: name, Value: v} }
	complete := func(name, v string) chaosInput { return chaosInput{Op: "complete", Name: name, Value: v} }
	get := func(name string) chaosInput { return chaosInput{Op: "get", Name: name} }
	stat := func(name string) chaosInput { return chaosInput{Op: "stat", Name: name} }
	del := func(name string) chaosInput { return chaosInput{Op: "del", Name: name} }
	rename := func(src, dst string) chaosInput { return chaosInput{Op: "rename", Name: src, Dst: dst} }
	mkdir := chaosInput{Op: "mkdir", Name: "d0"}
	list := chaosInput{Op: "list"}
	res := func(r string) chaosOutput { return chaosOutput{Result: r} }
	ok, unknown, notFound := res("ok"), chaosOutput{Unknown: true}, res("notfound")
	// put writes v to name as the harness does: create, then complete.
	put := func(c int, at int64, name, v string) h {
		return h{op(c, at, at+1, create(name, v), ok), op(c, at+2, at+3, complete(name, v), ok)}
	}
	cat := func(parts ...h) h {
		var out h
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	lenOf := func(v string) string { return "len=" + strconv.Itoa(chaosContentLen(v)) }
	cases := []struct {
		name string
		ops  h
		want bool
	}{
		{"put then get", cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, get("f0"), res("=x"))}), true},
		{"put, stat, list", cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, stat("f0"), res(lenOf("x"))), op(1, 7, 8, list, res("f0"))}), true},
		{"incomplete seen between create and complete", h{
			op(0, 0, 1, create("f0", "x"), ok), op(0, 1, 10, complete("f0", "x"), ok),
			op(1, 2, 3, stat("f0"), res("incomplete")), op(1, 3, 4, get("f0"), res("incomplete")), op(1, 5, 6, list, res("f0")),
			op(1, 11, 12, get("f0"), res("=x"))}, true},
		{"lost acknowledged put", cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, get("f0"), notFound)}), false},
		{"read of a value never written", h{op(1, 0, 1, get("f0"), res("=y"))}, false},
		{"corrupt content", cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, get("f0"), res("corrupt"))}), false},
		{"wrong length", cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, stat("f0"), res("len=1"))}), false},
		{"concurrent put and get may see either", h{op(0, 0, 10, create("f0", "x"), ok), op(1, 1, 2, get("f0"), notFound)}, true},
		{"create over an existing file", cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, create("f0", "y"), ok)}), false},
		{"exists for an absent file", h{op(1, 0, 1, create("f0", "y"), res("exists"))}, false},
		{"unknown create may have happened", h{op(0, 0, 1, create("f0", "x"), unknown), op(1, 2, 3, stat("f0"), res("incomplete"))}, true},
		{"unknown create may not have happened", h{op(0, 0, 1, create("f0", "x"), unknown), op(1, 2, 3, get("f0"), notFound)}, true},
		{"unknown create does not complete", h{op(0, 0, 1, create("f0", "x"), unknown), op(1, 2, 3, get("f0"), res("=x"))}, false},
		{"unknown complete may have happened", h{op(0, 0, 1, create("f0", "x"), ok), op(0, 2, 3, complete("f0", "x"), unknown), op(1, 4, 5, get("f0"), res("=x"))}, true},
		{"late complete cannot finish someone else's file", h{
			op(0, 0, 1, create("f0", "x"), ok), op(1, 2, 3, del("f0"), ok), op(1, 4, 5, create("f0", "y"), ok),
			op(0, 1, 2, complete("f0", "x"), unknown), op(2, 10, 11, get("f0"), res("=x"))}, false},
		{"complete refused on one's own file", h{op(0, 0, 1, create("f0", "x"), ok), op(0, 2, 3, complete("f0", "x"), notFound)}, false},
		{"complete refused after a delete", h{op(0, 0, 1, create("f0", "x"), ok), op(1, 2, 3, del("f0"), ok), op(0, 4, 5, complete("f0", "x"), notFound)}, true},
		{"double ok delete", cat(put(0, 0, "f0", "x"), h{op(0, 5, 6, del("f0"), ok), op(1, 7, 8, del("f0"), ok)}), false},
		{"overlapping deletes: one wins", cat(put(0, 0, "f0", "x"), h{op(0, 5, 8, del("f0"), ok), op(1, 6, 9, del("f0"), notFound)}), true},
		{"overlapping deletes both ok", cat(put(0, 0, "f0", "x"), h{op(0, 5, 8, del("f0"), ok), op(1, 6, 9, del("f0"), ok)}), false},
		{"stale read after ok delete", cat(put(0, 0, "f0", "x"), h{op(0, 5, 6, del("f0"), ok), op(1, 7, 8, get("f0"), res("=x"))}), false},
		{"unknown delete may have happened", cat(put(0, 0, "f0", "x"), h{op(0, 5, 6, del("f0"), unknown), op(1, 7, 8, get("f0"), notFound)}), true},
		{"rename moves content", cat(put(0, 0, "f0", "x"), h{op(0, 5, 6, rename("f0", "f1"), ok), op(1, 7, 8, get("f1"), res("=x")), op(1, 8, 9, get("f0"), notFound)}), true},
		{"rename losing content", cat(put(0, 0, "f0", "x"), h{op(0, 5, 6, rename("f0", "f1"), ok), op(1, 7, 8, get("f1"), notFound)}), false},
		{"rename keeping the source", cat(put(0, 0, "f0", "x"), h{op(0, 5, 6, rename("f0", "f1"), ok), op(1, 7, 8, get("f0"), res("=x"))}), false},
		{"rename onto an existing file", cat(put(0, 0, "f0", "x"), put(0, 3, "f1", "y"), h{op(0, 5, 6, rename("f0", "f1"), ok)}), false},
		{"rename refused: exists", cat(put(0, 0, "f0", "x"), put(0, 3, "f1", "y"), h{op(0, 5, 6, rename("f0", "f1"), res("exists"))}), true},
		{"rename refused: incomplete source", h{op(0, 0, 1, create("f0", "x"), ok), op(1, 2, 3, rename("f0", "f1"), res("incomplete"))}, true},
		{"rename refused as incomplete for a complete file", cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, rename("f0", "f1"), res("incomplete"))}), false},
		{"unknown rename may have happened", cat(put(0, 0, "f0", "x"), h{op(0, 5, 6, rename("f0", "f2"), unknown), op(1, 7, 8, list, res("f2"))}), true},
		{"list showing a deleted name", cat(put(0, 0, "f0", "x"), h{op(0, 5, 6, del("f0"), ok), op(1, 7, 8, list, res("f0"))}), false},
		{"directory", h{op(0, 0, 1, mkdir, ok), op(1, 2, 3, stat("d0"), res("dir")), op(1, 3, 4, list, res("d0")), op(1, 4, 5, mkdir, res("exists")),
			op(0, 6, 7, del("d0"), ok), op(1, 8, 9, stat("d0"), notFound)}, true},
		{"mkdir twice", h{op(0, 0, 1, mkdir, ok), op(1, 2, 3, mkdir, ok)}, false},
		{"directory not empty", h{op(0, 0, 1, mkdir, ok), op(1, 2, 3, del("d0"), res("notempty"))}, false},
		{"create without parent", h{op(0, 0, 1, create("f0", "x"), notFound)}, false},
		{"an abandoned file may go", h{op(0, 0, 1, create("f0", "x"), ok), op(0, 2, 3, chaosInput{Op: "abandon", Name: "f0", Value: "x"}, unknown),
			op(1, 4, 5, stat("f0"), res("incomplete")), op(1, 6, 7, get("f0"), notFound)}, true},
		{"abandoning takes only one's own file", h{op(0, 0, 1, create("f0", "x"), ok), op(1, 2, 3, del("f0"), ok), op(1, 4, 5, create("f0", "y"), ok),
			op(0, 2, 3, chaosInput{Op: "abandon", Name: "f0", Value: "x"}, unknown), op(2, 10, 11, get("f0"), notFound)}, false},
	}
	for _, c := range cases {
		if got := porcupine.CheckOperations(chaosModel, c.ops); got != c.want {
			t.Errorf("%s: linearizable = %v, want %v", c.name, got, c.want)
		}
	}
	// Groups are independent: a violation in one is found among others.
	g1 := cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, get("f0"), notFound)})
	for i := range g1 {
		in := g1[i].Input.(chaosInput)
		in.G = 1
		g1[i].Input = in
	}
	if porcupine.CheckOperations(chaosModel, cat(put(0, 0, "f0", "y"), g1)) {
		t.Error("a lost put in group 1 went unnoticed next to group 0")
	}
}

func TestChaosContent(t *testing.T) {
	for _, v := range []string{"c0-0", "c1-17", "c3-99999"} {
		b := chaosContent(v)
		if len(b) != chaosContentLen(v) || chaosVerify(b) != "="+v {
			t.Fatalf("%s: content of %d bytes does not verify", v, len(b))
		}
		if len(b) > 1 {
			d := append([]byte(nil), b...)
			d[len(d)-1] ^= 1
			if chaosVerify(d) != "corrupt" || chaosVerify(b[:len(b)-1]) != "corrupt" {
				t.Fatalf("%s: damaged or short content verifies", v)
			}
		}
	}
	big := 0
	for i := 0; i < 1000; i++ {
		if chaosContentLen("c0-"+strconv.Itoa(i)) > 1<<20 {
			big++
		}
	}
	if big == 0 || big > 100 {
		t.Errorf("%d of 1000 values are over one block, want a few", big)
	}
}

// TestChaosCheckSpeed checks a simulated history of the size a long chaos
// run records (CHAOS_SIM_OPS, default 20000 operations, ~100 of them of
// unknown outcome): a correct one must pass and one with a planted stale
// read must fail, each well within the time a run allows for checking.
func TestChaosCheckSpeed(t *testing.T) {
	n := 20000
	if s, err := strconv.Atoi(os.Getenv("CHAOS_SIM_OPS")); err == nil && s > 0 {
		n = s
	}
	if testing.Short() {
		n = 4000
	}
	ops := chaosSimulate(rand.New(rand.NewPCG(7, 7)), n, n/200)
	unknown := 0
	for _, o := range ops {
		if o.Output.(chaosOutput).Unknown {
			unknown++
		}
	}
	if v := chaosCheck(ops, time.Minute, 0); !v.Linearizable() {
		t.Fatalf("simulated correct history of %d operations (%d unknown): %v", len(ops), unknown, v)
	} else {
		t.Logf("correct history, %d operations (%d unknown): %v, checked in %v", len(ops), unknown, v, v.Took)
	}

	// A stale read late in the history: the file was deleted, the read
	// still sees it.
	bad := append([]porcupine.Operation(nil), ops...)
	planted := false
	for i := len(bad) * 9 / 10; i < len(bad) && !planted; i++ {
		in, out := bad[i].Input.(chaosInput), bad[i].Output.(chaosOutput)
		if in.Op != "del" || out.Result != "ok" {
			continue
		}
		// The value it deleted: the last complete of that name in this
		// group before it, good enough for a stale read.
		for k := i - 1; k >= 0; k-- {
			kin, kout := bad[k].Input.(chaosInput), bad[k].Output.(chaosOutput)
			if kin.G == in.G && kin.Name == in.Name && kin.Op == "complete" && kout.Result == "ok" {
				bad = append(bad, porcupine.Operation{ClientId: 9, Input: chaosInput{Op: "get", G: in.G, Name: in.Name},
					Output: chaosOutput{Result: "=" + kin.Value}, Call: bad[i].Return + 1e6, Return: bad[i].Return + 2e6})
				planted = true
				break
			}
		}
	}
	if !planted {
		t.Fatal("found no delete to plant a stale read after")
	}
	v := chaosCheck(bad, time.Minute, 0)
	if v.Bounded != porcupine.Illegal {
		t.Fatalf("history with a stale read: %v after %v, want not linearizable", v, v.Took)
	}
	t.Logf("history with a stale read: %v, found in %v", v, v.Took)
}

// chaosSimulate makes the history of a correct namespace: four clients
// doing the chaos mix, each operation taking effect at a random point of
// its interval, and unknown operations that did or did not take effect.
func chaosSimulate(rng *rand.Rand, n, unknown int) []porcupine.Operation {
	type simOp struct {
		op       porcupine.Operation
		at       int64 // when it takes effect
		unknown  bool
		lost     bool // unknown and without effect
		creation int  // complete: index of its create
	}
	var all []simOp
	const clients = 4
	cursor := make([]int64, clients)
	add := func(c int, in chaosInput) int {
		// Times as a run on a small machine sees them: a few ms per
		// operation, now and then seconds behind a failover.
		call := cursor[c] + rng.Int64N(1e6)
		d := 1e6 + rng.Int64N(40e6)
		if rng.IntN(50) == 0 {
			d = 500e6 + rng.Int64N(5e9)
		}
		cursor[c] = call + d
		all = append(all, simOp{op: porcupine.Operation{ClientId: c, Input: in, Call: call, Return: call + d}, at: call + rng.Int64N(d), creation: -1})
		return len(all) - 1
	}
	for k := 0; len(all) < n; k++ {
		c := k % clients
		g := rng.IntN(chaosGroups)
		file := "f" + strconv.Itoa(rng.IntN(3))
		switch r := rng.IntN(100); {
		case r < 25:
			v := "c" + strconv.Itoa(c) + "-" + strconv.Itoa(k)
			i := add(c, chaosInput{Op: "create", G: g, Name: file, Value: v})
			j := add(c, chaosInput{Op: "complete", G: g, Name: file, Value: v})
			all[j].creation = i
		case r < 45:
			add(c, chaosInput{Op: "get", G: g, Name: file})
		case r < 53:
			add(c, chaosInput{Op: "mkdir", G: g, Name: "d0"})
		case r < 68:
			name := file
			if rng.IntN(4) == 0 {
				name = "d0"
			}
			add(c, chaosInput{Op: "del", G: g, Name: name})
		case r < 80:
			add(c, chaosInput{Op: "rename", G: g, Name: file, Dst: "f" + strconv.Itoa((int(file[1]-'0')+1+rng.IntN(2))%3)})
		case r < 92:
			add(c, chaosInput{Op: "stat", G: g, Name: chaosNames[rng.IntN(chaosSlots)]})
		default:
			add(c, chaosInput{Op: "list", G: g})
		}
	}
	for picked := 0; picked < unknown; {
		i := rng.IntN(len(all))
		switch all[i].op.Input.(chaosInput).Op {
		case "create", "complete", "mkdir", "del", "rename":
			if !all[i].unknown {
				all[i].unknown, all[i].lost = true, rng.IntN(2) == 0
				picked++
			}
		}
	}
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return all[order[a]].at < all[order[b]].at })
	var state [chaosGroups]chaosState
	dropped := make([]bool, len(all))
	for _, i := range order {
		o := &all[i]
		in := o.op.Input.(chaosInput)
		if o.creation >= 0 {
			cr := all[o.creation]
			if dropped[o.creation] || cr.unknown || cr.op.Output.(chaosOutput).Result != "ok" {
				// The writer saw its create fail and wrote nothing.
				dropped[i] = true
				continue
			}
		}
		prev := state[in.G]
		st := &state[in.G]
		var res string
		slot := chaosSlot(in.Name)
		switch in.Op {
		case "create":
			res = "exists"
			if st[slot] == "" {
				res, st[slot] = "ok", "~"+in.Value
			}
		case "complete":
			res = "notfound"
			if st[slot] == "~"+in.Value {
				res, st[slot] = "ok", "="+in.Value
			}
		case "get":
			res = chaosObserve(st[slot])
		case "stat":
			res = chaosStatOf(*st, slot)
		case "list":
			res = chaosListOf(*st)
		case "mkdir":
			res = "exists"
			if st[slot] == "" {
				res, st[slot] = "ok", "D"
			}
		case "del":
			res = "notfound"
			if st[slot] != "" {
				res, st[slot] = "ok", ""
			}
		case "rename":
			j := chaosSlot(in.Dst)
			switch {
			case st[slot] == "":
				res = "notfound"
			case st[j] != "":
				res = "exists"
			case st[slot][0] == '~':
				res = "incomplete"
			default:
				res, st[j], st[slot] = "ok", st[slot], ""
			}
		}
		if o.lost {
			// An unknown operation that never took effect.
			state[in.G] = prev
		}
		o.op.Output = chaosOutput{Result: res}
		if o.unknown {
			o.op.Output = chaosOutput{Unknown: true, End: o.op.Return}
			o.op.Return = 1 << 62
		}
	}
	var out []porcupine.Operation
	for i, o := range all {
		if !dropped[i] {
			out = append(out, o.op)
		}
	}
	return out
}
