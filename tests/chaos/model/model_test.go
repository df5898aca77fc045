package model

import (
	"strconv"
	"testing"

	"github.com/anishathalye/porcupine"
)

// The model must accept what a correct namespace can do and reject what it
// cannot, or a green chaos run proves nothing.
func TestModel(t *testing.T) {
	type h = []porcupine.Operation
	op := func(c int, call, ret int64, in Input, out Output) porcupine.Operation {
		if out.Unknown {
			ret = 1 << 62
		}
		return porcupine.Operation{ClientId: c, Call: call, Return: ret, Input: in, Output: out}
	}
	create := func(name, v string) Input { return Input{Op: "create", Name: name, Value: v} }
	complete := func(name, v string) Input { return Input{Op: "complete", Name: name, Value: v} }
	get := func(name string) Input { return Input{Op: "get", Name: name} }
	stat := func(name string) Input { return Input{Op: "stat", Name: name} }
	del := func(name string) Input { return Input{Op: "del", Name: name} }
	rename := func(src, dst string) Input { return Input{Op: "rename", Name: src, Dst: dst} }
	mkdir := Input{Op: "mkdir", Name: "d0"}
	list := Input{Op: "list"}
	res := func(r string) Output { return Output{Result: r} }
	ok, unknown, notFound := res("ok"), Output{Unknown: true}, res("notfound")
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
	lenOf := func(v string) string { return "len=" + strconv.Itoa(ContentLen(v)) }
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
		{"rename of a file being written acknowledged", h{op(0, 0, 1, create("f0", "x"), ok), op(1, 2, 3, rename("f0", "f1"), ok)}, false},
		{"rename of a file being written took effect", h{op(0, 0, 1, create("f0", "x"), ok), op(1, 2, 3, rename("f0", "f1"), unknown),
			op(1, 4, 5, stat("f1"), res("incomplete"))}, false},
		{"rename after completion", cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, rename("f0", "f1"), ok), op(1, 7, 8, get("f1"), res("=x"))}), true},
		{"a refusal that is no outcome", cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, del("f0"), res("error:PERMISSION_DENIED"))}), false},
		{"an internal error for a create", h{op(0, 0, 1, create("f0", "x"), res("error:INTERNAL"))}, false},
		{"a read that failed as corrupt", cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, get("f0"), res("corrupt"))}), false},
		{"rename refused as incomplete for a complete file", cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, rename("f0", "f1"), res("incomplete"))}), false},
		{"unknown rename may have happened", cat(put(0, 0, "f0", "x"), h{op(0, 5, 6, rename("f0", "f2"), unknown), op(1, 7, 8, list, res("f2"))}), true},
		{"list showing a deleted name", cat(put(0, 0, "f0", "x"), h{op(0, 5, 6, del("f0"), ok), op(1, 7, 8, list, res("f0"))}), false},
		{"directory", h{op(0, 0, 1, mkdir, ok), op(1, 2, 3, stat("d0"), res("dir")), op(1, 3, 4, list, res("d0")), op(1, 4, 5, mkdir, res("exists")),
			op(0, 6, 7, del("d0"), ok), op(1, 8, 9, stat("d0"), notFound)}, true},
		{"mkdir twice", h{op(0, 0, 1, mkdir, ok), op(1, 2, 3, mkdir, ok)}, false},
		{"directory not empty", h{op(0, 0, 1, mkdir, ok), op(1, 2, 3, del("d0"), res("notempty"))}, false},
		{"create without parent", h{op(0, 0, 1, create("f0", "x"), notFound)}, false},
		{"an abandoned file may go", h{op(0, 0, 1, create("f0", "x"), ok), op(0, 2, 3, Input{Op: "abandon", Name: "f0", Value: "x"}, unknown),
			op(1, 4, 5, stat("f0"), res("incomplete")), op(1, 6, 7, get("f0"), notFound)}, true},
		{"abandoning takes only one's own file", h{op(0, 0, 1, create("f0", "x"), ok), op(1, 2, 3, del("f0"), ok), op(1, 4, 5, create("f0", "y"), ok),
			op(0, 2, 3, Input{Op: "abandon", Name: "f0", Value: "x"}, unknown), op(2, 10, 11, get("f0"), notFound)}, false},
	}
	for _, c := range cases {
		if got := porcupine.CheckOperations(Model, c.ops); got != c.want {
			t.Errorf("%s: linearizable = %v, want %v", c.name, got, c.want)
		}
	}
	// Groups are independent: a violation in one is found among others.
	g1 := cat(put(0, 0, "f0", "x"), h{op(1, 5, 6, get("f0"), notFound)})
	for i := range g1 {
		in := g1[i].Input.(Input)
		in.G = 1
		g1[i].Input = in
	}
	if porcupine.CheckOperations(Model, cat(put(0, 0, "f0", "y"), g1)) {
		t.Error("a lost put in group 1 went unnoticed next to group 0")
	}
}

func TestContent(t *testing.T) {
	for _, v := range []string{"c0-0", "c1-17", "c3-99999"} {
		b := Content(v)
		if len(b) != ContentLen(v) || Verify(b) != "="+v {
			t.Fatalf("%s: content of %d bytes does not verify", v, len(b))
		}
		if len(b) > 1 {
			d := append([]byte(nil), b...)
			d[len(d)-1] ^= 1
			if Verify(d) != "corrupt" || Verify(b[:len(b)-1]) != "corrupt" {
				t.Fatalf("%s: damaged or short content verifies", v)
			}
		}
	}
	big := 0
	for i := 0; i < 1000; i++ {
		if ContentLen("c0-"+strconv.Itoa(i)) > 1<<20 {
			big++
		}
	}
	if big == 0 || big > 100 {
		t.Errorf("%d of 1000 values are over one block, want a few", big)
	}
}
