// Package fspath checks and takes apart paths in the Alluxio namespace.
//
// A namespace path is absolute, uses "/" as its only separator and names
// every directory on the way down explicitly: "." and ".." are not
// components here, because the master resolves paths against an inode tree
// and a mount table, not against a current directory, and letting ".." in
// would allow a request to climb out of a mount point. Checking once at the
// edge (Validate, Clean, Split) lets every layer below assume clean paths.
//
// One trailing slash is tolerated so that users can type "/data/" the way
// shells print directories; Clean drops it.
//
//	comps, err := fspath.Split("/data/logs/") // ["data" "logs"], nil
//	p := fspath.Join("/data", "logs")         // "/data/logs"
//	rel, ok := fspath.Rel("/data", p)         // "logs", true
//
// Errors wrap errs.ErrInvalidPath and name the path and the reason.
package fspath
