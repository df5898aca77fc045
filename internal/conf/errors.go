package conf

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped by the errors this package returns so callers can
// test them with errors.Is.
var (
	// ErrUnknownKey: a key neither in the registry nor set by any source.
	ErrUnknownKey = errors.New("unknown property key")
	// ErrInvalidValue: a value that does not parse as its key's type.
	ErrInvalidValue = errors.New("invalid value")
	// ErrCycle: templates that refer to each other in a loop.
	ErrCycle = errors.New("template cycle")
)

// ValueError reports a value that does not parse. Its message names the key
// (when there is one) and the value, e.g.
// `alluxio.zookeeper.session.timeout ("abc"): invalid duration`, because a
// user with a dozen properties needs both to find the line to fix.
type ValueError struct {
	Key   string // empty when a bare value was parsed
	Value string
	Err   error // the reason, without the key or the value
}

func (e *ValueError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%q: %v", e.Value, e.Err)
	}
	return fmt.Sprintf("%s (%q): %v", e.Key, e.Value, e.Err)
}

// Unwrap returns the reason.
func (e *ValueError) Unwrap() error { return e.Err }

// Is makes every ValueError match ErrInvalidValue, whatever its reason.
func (e *ValueError) Is(target error) bool { return target == ErrInvalidValue }

// withKey returns err with key filled in when err is a keyless ValueError,
// so the parsers need not know which key they parse for.
func withKey(key string, err error) error {
	var ve *ValueError
	if errors.As(err, &ve) && ve.Key == "" {
		return &ValueError{Key: key, Value: ve.Value, Err: ve.Err}
	}
	return err
}
