//go:build !failpoints

package failpoint

// Enabled reports whether the failpoint name is switched on: never, in a
// build without the failpoints tag.
func Enabled(string) bool { return false }

// Active lists the failpoints switched on: none.
func Active() string { return "" }

// Value returns the value of the failpoint name: none, in a build without
// the failpoints tag.
func Value(string) (string, bool) { return "", false }
