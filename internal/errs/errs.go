// Package errs holds the domain errors every layer shares and the one place
// that maps them to gRPC status codes and back, so a client can test
// errors.Is(err, errs.ErrNotFound) after the error crossed the wire.
package errs

import (
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
)

// Sentinel errors. Wrap them with %w (or use New) to add context; the
// sentinel survives a round trip through gRPC.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrNotEmpty      = errors.New("directory not empty")
	ErrInvalidPath   = errors.New("invalid path")
	ErrInvalidArg    = errors.New("invalid argument")
	ErrPermission    = errors.New("permission denied")
	// ErrUnauthenticated: the server cannot tell who the caller is (no
	// user named under SIMPLE, no or a refused certificate under TLS).
	// Retrying does not help.
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrUnavailable     = errors.New("unavailable")
	ErrNotPrimary      = errors.New("not the primary master")
	ErrPrecondition    = errors.New("failed precondition")
	ErrIsDirectory     = errors.New("is a directory")
	ErrNotDirectory    = errors.New("not a directory")
	ErrIncomplete      = errors.New("file is incomplete")
	ErrCorrupt         = errors.New("data corrupted")
	ErrNoSpace         = errors.New("no space left")
	ErrInternal        = errors.New("internal error")
	// ErrReadOnly: a change below a read-only mount. It is an
	// ErrPermission too, for callers that only ask that.
	ErrReadOnly = &narrower{msg: "read-only file system", broad: ErrPermission}
	// ErrCrossMount: a rename from one mount point into another, which
	// would move data between under storages. It is an ErrInvalidArg too.
	ErrCrossMount = &narrower{msg: "cross-mount rename", broad: ErrInvalidArg}
)

// narrower is a sentinel that refines a broader one: errors.Is matches
// both, and the wire keeps the narrower kind.
type narrower struct {
	msg   string
	broad error
}

func (n *narrower) Error() string { return n.msg }
func (n *narrower) Unwrap() error { return n.broad }

// New returns an error that wraps sentinel with a formatted message in
// front of it, e.g. New(ErrNotFound, "path %s", p) reads
// "path /a: not found".
func New(sentinel error, format string, args ...any) error {
	return &wrapped{msg: fmt.Sprintf(format, args...), sentinel: sentinel}
}

type wrapped struct {
	msg      string
	sentinel error
}

// Bare returns an error of kind sentinel whose text is msg alone, for a
// message that names its kind itself in a fixed shape other tools parse
// (Alluxio's "Permission denied: user=bob, access=-w-, ...").
func Bare(sentinel error, msg string) error { return &bare{msg: msg, sentinel: sentinel} }

type bare struct {
	msg      string
	sentinel error
}

func (b *bare) Error() string { return b.msg }
func (b *bare) Unwrap() error { return b.sentinel }

func (w *wrapped) Error() string { return w.msg + ": " + w.sentinel.Error() }
func (w *wrapped) Unwrap() error { return w.sentinel }

// Message is the text of err without the sentinel's own words appended,
// used when err crosses the wire so the far side does not repeat them. It
// works on the whole text, so context added around a wrapped error (with
// fmt.Errorf and %w) is kept. A bare sentinel's message is its own words.
func Message(err error) string {
	msg := err.Error()
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			if trimmed, ok := strings.CutSuffix(msg, ": "+k.err.Error()); ok {
				return trimmed
			}
			break
		}
	}
	return msg
}

// kinds lists every sentinel with its stable name (journaled in retry
// outcomes and sent on the wire) and gRPC code. ErrNotPrimary comes before
// ErrUnavailable, and each narrower sentinel before its broader one, so the
// more precise kind wins.
var kinds = []struct {
	err  error
	name string
	code codes.Code
}{
	{ErrNotFound, "NOT_FOUND", codes.NotFound},
	{ErrAlreadyExists, "ALREADY_EXISTS", codes.AlreadyExists},
	{ErrNotEmpty, "NOT_EMPTY", codes.FailedPrecondition},
	{ErrInvalidPath, "INVALID_PATH", codes.InvalidArgument},
	{ErrCrossMount, "CROSS_MOUNT", codes.InvalidArgument},
	{ErrInvalidArg, "INVALID_ARGUMENT", codes.InvalidArgument},
	{ErrReadOnly, "READ_ONLY", codes.PermissionDenied},
	{ErrPermission, "PERMISSION_DENIED", codes.PermissionDenied},
	{ErrUnauthenticated, "UNAUTHENTICATED", codes.Unauthenticated},
	{ErrNotPrimary, "NOT_PRIMARY", codes.Unavailable},
	{ErrUnavailable, "UNAVAILABLE", codes.Unavailable},
	{ErrPrecondition, "FAILED_PRECONDITION", codes.FailedPrecondition},
	{ErrIsDirectory, "IS_DIRECTORY", codes.FailedPrecondition},
	{ErrNotDirectory, "NOT_DIRECTORY", codes.FailedPrecondition},
	{ErrIncomplete, "INCOMPLETE", codes.FailedPrecondition},
	{ErrCorrupt, "CORRUPT", codes.DataLoss},
	{ErrNoSpace, "NO_SPACE", codes.ResourceExhausted},
	{ErrInternal, "INTERNAL", codes.Internal},
}

// Code is the stable name of err's sentinel ("INTERNAL" when none).
func Code(err error) string {
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "INTERNAL"
}

// FromCode rebuilds an error from a stable name and message (as Message
// gives it), so that it reads as the original did.
func FromCode(code, msg string) error {
	for _, k := range kinds {
		if k.name == code {
			if msg == k.err.Error() {
				return k.err
			}
			if len(msg) > len(k.err.Error()) && strings.EqualFold(msg[:len(k.err.Error())], k.err.Error()) {
				return Bare(k.err, msg)
			}
			return New(k.err, "%s", msg)
		}
	}
	return New(ErrInternal, "%s", msg)
}
