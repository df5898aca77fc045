package history

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/tests/chaos/model"
)

// Only an error on the way leaves an outcome open; every answer of the
// server is definite, and one the caller does not name is an error
// result no state explains.
func TestClassify(t *testing.T) {
	answers := map[error]string{errs.ErrNotFound: "notfound", errs.ErrAlreadyExists: "exists"}
	cases := []struct {
		err  error
		want model.Output
	}{
		{nil, model.Output{Result: "ok"}},
		{errs.New(errs.ErrUnavailable, "no primary within 15s"), model.Output{Unknown: true}},
		{errs.ErrNotPrimary, model.Output{Unknown: true}},
		{context.DeadlineExceeded, model.Output{Unknown: true}},
		{fmt.Errorf("op: %w", context.Canceled), model.Output{Unknown: true}},
		{fmt.Errorf("reading block: %w", io.ErrUnexpectedEOF), model.Output{Unknown: true}},
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), model.Output{Unknown: true}},
		{fmt.Errorf("worker: %w", status.Error(codes.Unavailable, "transport is closing")), model.Output{Unknown: true}},
		{errs.New(errs.ErrNotFound, "/a"), model.Output{Result: "notfound"}},
		{errs.ErrAlreadyExists, model.Output{Result: "exists"}},
		{errs.New(errs.ErrPermission, "/a"), model.Output{Result: "error:PERMISSION_DENIED"}},
		{errs.ErrInvalidArg, model.Output{Result: "error:INVALID_ARGUMENT"}},
		{errs.ErrNotEmpty, model.Output{Result: "error:NOT_EMPTY"}},
		{errs.ErrIsDirectory, model.Output{Result: "error:IS_DIRECTORY"}},
		{errs.ErrInternal, model.Output{Result: "error:INTERNAL"}},
		{errors.New("something else"), model.Output{Result: "error:INTERNAL"}},
		{fmt.Errorf("block 7: %w", errs.ErrCorrupt), model.Output{Result: "corrupt"}},
		{status.Error(codes.PermissionDenied, "no"), model.Output{Result: "error:INTERNAL"}},
	}
	for _, c := range cases {
		got := Classify(c.err, answers)
		got.Err = ""
		if got != c.want {
			t.Errorf("Classify(%v) = %+v, want %+v", c.err, got, c.want)
		}
	}
}

// A kept history must read back as the run recorded it.
func TestRoundTrip(t *testing.T) {
	ops := model.Simulate(rand.New(rand.NewPCG(1, 1)), 500, 10)
	p := filepath.Join(t.TempDir(), "history.json")
	if err := Save(p, ops); err != nil {
		t.Fatal(err)
	}
	back, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ops, back) {
		t.Fatal("history differs after a round trip through JSON")
	}
}
