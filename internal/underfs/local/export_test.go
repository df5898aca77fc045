package local

import "time"

// SetCleanupGrace changes how long Cleanup spares a temporary file, for
// tests that cannot wait a minute; it returns a function that undoes it.
func SetCleanupGrace(d time.Duration) (undo func()) {
	old := cleanupGrace
	cleanupGrace = d
	return func() { cleanupGrace = old }
}
