package conf

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	errInt      = errors.New("invalid integer")
	errPort     = errors.New("port out of range 0-65535")
	errBool     = errors.New("invalid boolean, want true or false")
	errRatio    = errors.New("invalid ratio, want a number from 0 to 1")
	errNegative = errors.New("must not be negative")
)

// Validate checks the expanded value of every declared key, and of every
// other key a source set that the registry's patterns recognise, against its
// type. It reports all problems at once (errors.Join) so a user fixes a
// file in one pass. An empty value passes when the default is empty too:
// such keys are optional.
func (p *Properties) Validate() error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	names := make(map[string]bool, len(registry)+len(p.values))
	for name := range registry {
		names[name] = true
	}
	for name := range p.values {
		if strings.HasPrefix(name, "alluxio.") {
			names[name] = true
		}
	}
	return errors.Join(p.check(names, false)...)
}

// check validates the named keys' expanded values; withSource adds where
// each bad value was set. The caller holds p.mu.
func (p *Properties) check(names map[string]bool, withSource bool) []error {
	sorted := make([]string, 0, len(names))
	for name := range names {
		sorted = append(sorted, name)
	}
	sort.Strings(sorted)

	r := newResolver(p)
	var errs []error
	for _, name := range sorted {
		v, err := p.get(r, name)
		if err == nil {
			k, known := Lookup(name)
			if !known || (v == "" && k.Default == "") {
				continue
			}
			err = checkValue(k, v)
		}
		if err != nil {
			if s, ok := p.values[name]; ok && withSource {
				err = fmt.Errorf("%w (set by %s)", err, s.source)
			}
			errs = append(errs, err)
		}
	}
	return errs
}

// MinBlockSize is the smallest alluxio.user.block.size.bytes.default
// accepted. Every block is a file on a worker and an entry in the master's
// memory and in every heartbeat, so blocks smaller than this multiply that
// cost for no gain (Alluxio's default is 64MB).
const MinBlockSize = 1 << 20

// MaxBufferBytes bounds alluxio.user.file.buffer.bytes: the CLI allocates
// the buffer at once.
const MaxBufferBytes = 1 << 30

// bounds are limits beyond a key's type: a value of the right type that
// no component can work with.
var bounds = map[string]struct {
	min, max         int64
	minText, maxText string
}{
	UserBlockSizeBytesDefault: {MinBlockSize, 0, "1MB", ""},
	UserFileBufferBytes:       {1, MaxBufferBytes, "1B", "1GB"},
	// Each block ahead is a cache job and cache space held for one reader.
	UserFileReadAheadBlocks: {0, 64, "0", "64"},
}

func checkBounds(name string, n int64) error {
	b, ok := bounds[name]
	switch {
	case !ok:
		return nil
	case n < b.min:
		return fmt.Errorf("must be at least %s", b.minText)
	case b.max > 0 && n > b.max:
		return fmt.Errorf("must be at most %s", b.maxText)
	}
	return nil
}

func checkValue(k Key, v string) error {
	var err error
	switch k.Type {
	case TypeInt:
		_, err = intValue(k.Name, v)
	case TypeBool:
		_, err = boolValue(k.Name, v)
	case TypeDuration:
		_, err = durationValue(k.Name, v)
	case TypeBytes:
		_, err = bytesValue(k.Name, v)
	case TypeRatio:
		_, err = ratioValue(k.Name, v)
	case TypeEnum:
		_, err = enumValue(k.Name, v)
	}
	return err
}

func intValue(name, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, &ValueError{Key: name, Value: v, Err: errInt}
	}
	if strings.HasSuffix(name, ".port") && (n < 0 || n > 65535) {
		return 0, &ValueError{Key: name, Value: v, Err: errPort}
	}
	if err := checkBounds(name, int64(n)); err != nil {
		return 0, &ValueError{Key: name, Value: v, Err: err}
	}
	return n, nil
}

func boolValue(name, v string) (bool, error) {
	switch t := strings.TrimSpace(v); {
	case strings.EqualFold(t, "true"):
		return true, nil
	case strings.EqualFold(t, "false"):
		return false, nil
	}
	return false, &ValueError{Key: name, Value: v, Err: errBool}
}

func durationValue(name, v string) (time.Duration, error) {
	d, err := ParseDuration(v)
	if err != nil {
		return 0, withKey(name, err)
	}
	if d < 0 {
		if k, ok := Lookup(name); ok && !k.allowsNegative() {
			return 0, &ValueError{Key: name, Value: v, Err: errNegative}
		}
	}
	return d, nil
}

func bytesValue(name, v string) (int64, error) {
	n, err := ParseBytes(v)
	if err != nil {
		return n, withKey(name, err)
	}
	if err := checkBounds(name, n); err != nil {
		return 0, &ValueError{Key: name, Value: v, Err: err}
	}
	return n, nil
}

func ratioValue(name, v string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1 {
		return 0, &ValueError{Key: name, Value: v, Err: errRatio}
	}
	return f, nil
}

func enumValue(name, v string) (string, error) {
	k, _ := Lookup(name)
	t := strings.TrimSpace(v)
	for _, allowed := range k.Enum {
		if strings.EqualFold(t, allowed) {
			return allowed, nil
		}
	}
	if len(k.Enum) == 0 {
		return "", &ValueError{Key: name, Value: v, Err: errors.New("not an enum key")}
	}
	return "", &ValueError{Key: name, Value: v,
		Err: fmt.Errorf("invalid value, want one of %s", strings.Join(k.Enum, ", "))}
}

func listValue(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
