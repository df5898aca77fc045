package model

import (
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/anishathalye/porcupine"
)

// Simulate makes the history of a correct namespace: four clients
// doing the chaos mix, each operation taking effect at a random point of
// its interval, and unknown operations that did or did not take effect.
func Simulate(rng *rand.Rand, n, unknown int) []porcupine.Operation {
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
	add := func(c int, in Input) int {
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
		g := rng.IntN(Groups)
		file := "f" + strconv.Itoa(rng.IntN(3))
		switch r := rng.IntN(100); {
		case r < 25:
			v := "c" + strconv.Itoa(c) + "-" + strconv.Itoa(k)
			i := add(c, Input{Op: "create", G: g, Name: file, Value: v})
			j := add(c, Input{Op: "complete", G: g, Name: file, Value: v})
			all[j].creation = i
		case r < 45:
			add(c, Input{Op: "get", G: g, Name: file})
		case r < 53:
			add(c, Input{Op: "mkdir", G: g, Name: "d0"})
		case r < 68:
			name := file
			if rng.IntN(4) == 0 {
				name = "d0"
			}
			add(c, Input{Op: "del", G: g, Name: name})
		case r < 80:
			add(c, Input{Op: "rename", G: g, Name: file, Dst: "f" + strconv.Itoa((int(file[1]-'0')+1+rng.IntN(2))%3)})
		case r < 92:
			add(c, Input{Op: "stat", G: g, Name: Names[rng.IntN(Slots)]})
		default:
			add(c, Input{Op: "list", G: g})
		}
	}
	for picked := 0; picked < unknown; {
		i := rng.IntN(len(all))
		switch all[i].op.Input.(Input).Op {
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
	var state [Groups]State
	dropped := make([]bool, len(all))
	for _, i := range order {
		o := &all[i]
		in := o.op.Input.(Input)
		if o.creation >= 0 {
			cr := all[o.creation]
			if dropped[o.creation] || cr.unknown || cr.op.Output.(Output).Result != "ok" {
				// The writer saw its create fail and wrote nothing.
				dropped[i] = true
				continue
			}
		}
		prev := state[in.G]
		st := &state[in.G]
		var res string
		slot := Slot(in.Name)
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
			res = Observe(st[slot])
		case "stat":
			res = StatOf(*st, slot)
		case "list":
			res = ListOf(*st)
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
			j := Slot(in.Dst)
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
		o.op.Output = Output{Result: res}
		if o.unknown {
			o.op.Output = Output{Unknown: true, End: o.op.Return}
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
