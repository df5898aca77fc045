// Package testcluster runs real processes for end-to-end tests: alluxio
// binaries and Apache ZooKeeper servers, killed with real signals.
//
// Everything it starts belongs to one test. Ports come from FreePort, which
// hands each port to one caller among all test binaries running at once, so
// tests can run in parallel; processes listen on 127.0.0.1 only, or on the
// addresses of a Net the test made (network namespaces). Each process
// runs in its own process group and is killed, with whatever it forked, in
// the test's cleanup. Its output goes to a log file and, prefixed with its
// name, to the test log, so a failure shows what every node said.
//
// Tests never sleep to let something happen: they wait for a log line
// (Process.WaitForLog), an endpoint (WaitHTTP) or any condition (WaitFor),
// with a generous deadline that costs nothing when things go well.
//
//	func TestMain(m *testing.M) { testcluster.Main(m) }
//
//	func TestFailover(t *testing.T) {
//		t.Parallel()
//		zk := testcluster.StartZooKeeper(t, 3)
//		zk.WaitReady(t, time.Minute)
//		port := testcluster.FreePort(t)
//		master := testcluster.Start(t, "master", testcluster.Binary(t),
//			[]string{"master", "--port", strconv.Itoa(port)},
//			[]string{"ALLUXIO_ZOOKEEPER_ADDRESS=" + zk.Address()})
//		if !master.WaitForLog(t, "serving", time.Minute) {
//			t.Fatal("master did not start")
//		}
//		zk.Kill(zk.Leader())
//		...
//	}
//
// Package cluster (tests/testcluster/cluster) builds Alluxio clusters from
// these parts: one master, or three with either journal, and workers.
//
// Environment: ALLUXIO_TEST_BINARY uses a prebuilt alluxio instead of
// building one; ALLUXIO_TEST_KEEP_LOGS keeps process logs in that folder;
// ALLUXIO_TEST_ZK_CLASSPATH points at a ZooKeeper other than Debian's; CI
// turns a missing ZooKeeper, or network namespaces that cannot be made,
// from a skip into a failure (SkipOrFail).
package testcluster
