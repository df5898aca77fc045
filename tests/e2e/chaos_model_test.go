package e2e

import (
	"fmt"
	"sort"

	"github.com/anishathalye/porcupine"
)

// The chaos model: each key is a file that is absent, present with one
// content, or incomplete (created, never completed: a put that failed half
// way). Operations on different keys commute, so the history is checked one
// key at a time.

type chaosInput struct {
	Op    string // put, get, del
	Key   string
	Value string // put: the content written
}

// chaosOutput is what the client saw. Unknown means an error that leaves the
// outcome open (a timeout, no primary within the retry budget).
type chaosOutput struct {
	Result  string // ok, exists, notfound, unknown
	Value   string // get: the content read
	Unknown bool
}

const (
	stateAbsent     = "\x00absent"
	stateIncomplete = "\x00incomplete"
)

func chaosStep(state, input, output interface{}) []interface{} {
	s, in, out := state.(string), input.(chaosInput), output.(chaosOutput)
	switch in.Op {
	case "put":
		switch {
		case out.Unknown:
			if s == stateAbsent {
				return []interface{}{s, in.Value, stateIncomplete}
			}
			return []interface{}{s}
		case out.Result == "ok" && s == stateAbsent:
			return []interface{}{in.Value}
		case out.Result == "exists" && s != stateAbsent:
			return []interface{}{s}
		}
	case "get":
		switch {
		case out.Result == "ok" && s == out.Value:
			return []interface{}{s}
		case out.Result == "notfound" && s == stateAbsent:
			return []interface{}{s}
		}
	case "del":
		switch {
		case out.Unknown:
			return []interface{}{s, stateAbsent}
		case out.Result == "ok" && s != stateAbsent:
			return []interface{}{stateAbsent}
		case out.Result == "notfound" && s == stateAbsent:
			return []interface{}{s}
		}
	}
	return nil
}

var chaosModel = (&porcupine.NondeterministicModel{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(chaosInput).Key
			byKey[k] = append(byKey[k], op)
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() []interface{} { return []interface{}{stateAbsent} },
	Step: chaosStep,
	DescribeOperation: func(input, output interface{}) string {
		in, out := input.(chaosInput), output.(chaosOutput)
		res := out.Result
		if out.Unknown {
			res = "?"
		}
		if in.Op == "get" && out.Result == "ok" {
			res = out.Value
		}
		return fmt.Sprintf("%s(%s %s) -> %s", in.Op, in.Key, in.Value, res)
	},
}).ToModel()
