// Package state is the master's metadata state machine: the inode tree, the
// mount table, the retry cache and the under storage intents that
// committed entries left for the primary to carry out (intent.go). It changes only through Apply, which takes
// journal entries in sequence order; the primary, standbys and restart replay
// all call the same Apply, so they all hold the same state. Apply is
// deterministic: it never reads a clock, the under storage or configuration
// that could differ between masters, and it validates every entry, so a bad
// entry is rejected whole and changes nothing.
package state
