package e2e

import (
	"testing"

	"github.com/anishathalye/porcupine"
)

// The model must accept what a correct store can do and reject what it
// cannot, or a green chaos run proves nothing.
func TestChaosModel(t *testing.T) {
	op := func(c int, call, ret int64, in chaosInput, out chaosOutput) porcupine.Operation {
		return porcupine.Operation{ClientId: c, Call: call, Return: ret, Input: in, Output: out}
	}
	put := func(k, v string) chaosInput { return chaosInput{Op: "put", Key: k, Value: v} }
	get := chaosInput{Op: "get", Key: "a"}
	del := chaosInput{Op: "del", Key: "a"}
	ok, unknown := chaosOutput{Result: "ok"}, chaosOutput{Unknown: true}
	read := func(v string) chaosOutput { return chaosOutput{Result: "ok", Value: v} }
	notFound := chaosOutput{Result: "notfound"}
	cases := []struct {
		name string
		ops  []porcupine.Operation
		want bool
	}{
		{"put then get", []porcupine.Operation{op(0, 0, 1, put("a", "x"), ok), op(1, 2, 3, get, read("x"))}, true},
		{"lost acknowledged write", []porcupine.Operation{op(0, 0, 1, put("a", "x"), ok), op(1, 2, 3, get, notFound)}, false},
		{"read of a value never written", []porcupine.Operation{op(1, 0, 1, get, read("y"))}, false},
		{"concurrent put and get may see either", []porcupine.Operation{op(0, 0, 10, put("a", "x"), ok), op(1, 1, 2, get, notFound)}, true},
		{"unknown put may have happened", []porcupine.Operation{op(0, 0, 1, put("a", "x"), unknown), op(1, 2, 3, get, read("x"))}, true},
		{"unknown put may not have happened", []porcupine.Operation{op(0, 0, 1, put("a", "x"), unknown), op(1, 2, 3, get, notFound)}, true},
		{"delete twice", []porcupine.Operation{op(0, 0, 1, put("a", "x"), ok), op(0, 2, 3, del, ok), op(1, 4, 5, del, ok)}, false},
		{"stale read after delete", []porcupine.Operation{op(0, 0, 1, put("a", "x"), ok), op(0, 2, 3, del, ok), op(1, 4, 5, get, read("x"))}, false},
	}
	for _, c := range cases {
		if got := porcupine.CheckOperations(chaosModel, c.ops); got != c.want {
			t.Errorf("%s: linearizable = %v, want %v", c.name, got, c.want)
		}
	}
}
