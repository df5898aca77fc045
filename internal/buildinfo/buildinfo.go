// Package buildinfo says which release this is, for `alluxio version` and
// for what masters report to clients and the web UI.
package buildinfo

// Version is the Alluxio version this implementation follows, with "-go".
const Version = "2.10.0-go"
