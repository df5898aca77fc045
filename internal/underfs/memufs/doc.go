// Package memufs is an under file system held in memory, for tests of the
// layers above the UFS seam: it is fast, needs no disk, and passes the same
// conformance suite as the real implementations, so a test that uses it
// exercises the contract and not one store's habits.
//
// Every operation holds one lock, so it is atomic, stronger than the
// contract asks: a test that passes against it may still depend on
// atomicity that, say, an object store lacks. Owners are whatever SetOwner
// last stored, "" at first. The package does not register a scheme;
// construct it with New.
package memufs
