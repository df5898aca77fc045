// Package failpoint plants bugs on purpose, so that the chaos harness can
// show it catches them: a harness that stays green with a planted bug
// proves nothing. Failpoints exist only in a binary built with
// `-tags failpoints` and are switched on by name in ALLUXIO_FAILPOINTS
// (comma separated); in a normal build Enabled is always false and the
// code behind it is dead.
package failpoint

// ForgetRetriesAcrossLeaders makes a master answer a retried operation from
// the retry cache only if it proposed the operation itself since it last
// became primary: a retry that reaches a new leader after a failover runs
// again (a create answers "exists", a delete "not found"), as if the retry
// cache were not carried over from one leader to the next.
const ForgetRetriesAcrossLeaders = "forget-retries-across-leaders"
