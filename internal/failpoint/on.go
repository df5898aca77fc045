//go:build failpoints

package failpoint

import (
	"os"
	"strings"
)

var enabled = func() map[string]string {
	m := map[string]string{}
	for _, item := range strings.Split(os.Getenv("ALLUXIO_FAILPOINTS"), ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(item), "=")
		if name != "" {
			m[name] = value
		}
	}
	return m
}()

// Enabled reports whether the failpoint name is switched on.
func Enabled(name string) bool {
	_, ok := enabled[name]
	return ok
}

// Value returns what follows "name=" in ALLUXIO_FAILPOINTS, and whether
// the failpoint is switched on.
func Value(name string) (string, bool) {
	v, ok := enabled[name]
	return v, ok
}

// Active lists the failpoints switched on, for the log.
func Active() string {
	names := make([]string, 0, len(enabled))
	for n := range enabled {
		names = append(names, n)
	}
	return strings.Join(names, ",")
}
