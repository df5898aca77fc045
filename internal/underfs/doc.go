// Package underfs is the seam between Alluxio and the storage systems it
// mounts: a local or NFS directory today, S3 or HDFS later.
//
// An UnderFileSystem is opened for the root URI of one mount, and every path
// it is given is relative to that root, so the master can translate an
// Alluxio path to a UFS path by cutting the mount point off, and an
// implementation never has to know where in the Alluxio namespace it lives.
// Paths are checked by CleanPath: "" and "/" name the root; ".." and other
// components that could climb out of the mount are refused.
//
// Implementations register themselves by URI scheme, the way database/sql
// drivers do, so the packages that hold heavy client libraries are linked
// only into binaries that import them:
//
//	import _ "github.com/alluxio-go/alluxio/internal/underfs/local"
//
//	ufs, err := underfs.Open("file:///data/warehouse")
//
// The conformance suite in package underfstest states the contract in
// executable form; every implementation runs it.
package underfs
