// Package failpoint plants bugs on purpose, so that the chaos harness can
// show it catches them: a harness that stays green with a planted bug
// proves nothing. Failpoints exist only in a binary built with
// `-tags failpoints` and are switched on by name in ALLUXIO_FAILPOINTS
// (comma separated); in a normal build Enabled is always false and the
// code behind it is dead.
package failpoint

// AckDeleteBeforeCommit makes the master answer a delete before the
// journal has it: the answer can come before the change is visible, and a
// failover can lose an acknowledged delete.
const AckDeleteBeforeCommit = "ack-delete-before-commit"
