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

// PauseBeforeUFSChange makes a primary wait after an entry committed and
// before it carries out the entry's under storage change (before it
// confirms it still leads), for the duration in its value:
// "pause-before-ufs-change=DURATION[:KIND[:PATH-PREFIX]]", KIND being an
// intent kind such as DELETE or PUBLISH. Only changes of the master's own
// entries pause, not those it finishes for a previous primary. It opens
// the window in which a deposed primary would change the under storage
// for a namespace that moved on; the fencing before every change must
// hold it shut.
const PauseBeforeUFSChange = "pause-before-ufs-change"
