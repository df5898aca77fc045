package history

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/tests/chaos/model"
)

// Save writes ops as JSON to p.
func Save(p string, ops []porcupine.Operation) error {
	b, err := json.Marshal(ops)
	if err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}

// Load reads a history Save wrote.
func Load(p string) ([]porcupine.Operation, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var raw []struct {
		ClientId     int
		Input        model.Input
		Call, Return int64
		Output       model.Output
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	ops := make([]porcupine.Operation, len(raw))
	for i, r := range raw {
		ops[i] = porcupine.Operation{ClientId: r.ClientId, Input: r.Input, Output: r.Output, Call: r.Call, Return: r.Return}
	}
	return ops, nil
}
