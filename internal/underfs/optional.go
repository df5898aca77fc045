package underfs

import (
	"context"
	"io"
)

// Capabilities says which promises of the UnderFileSystem contract a store
// cannot keep. The zero value keeps them all, which is what a store that
// does not implement Capable promises. Callers (and the conformance suite)
// find a store's with CapabilitiesOf.
type Capabilities struct {
	// NoModes: the store keeps no permission bits. Every object shows one
	// mode the mount chose (Status.Mode), the perm of Create and Mkdirs is
	// checked but not kept, and SetMode checks its arguments, then does
	// nothing.
	NoModes bool
	// NoOwners: the store keeps no owner per object. Status.Owner and
	// Group are the same for every object (possibly ""), and SetOwner
	// does nothing, as it may for any store.
	NoOwners bool
	// RenameNotAtomic: Rename copies and then deletes. Readers may see
	// the destination appear and the source vanish object by object; a
	// rename that fails part way removes what it copied and leaves the
	// source whole, or, when only deleting the source failed, leaves the
	// destination whole and logs the source objects left behind. "dst must
	// not exist" is checked before copying, not atomically with it.
	RenameNotAtomic bool
}

// Capable is implemented by stores that cannot keep every promise of the
// contract; see Capabilities.
type Capable interface {
	Capabilities() Capabilities
}

// CapabilitiesOf returns u's Capabilities: the zero value when u does not
// implement Capable.
func CapabilitiesOf(u UnderFileSystem) Capabilities {
	if c, ok := u.(Capable); ok {
		return c.Capabilities()
	}
	return Capabilities{}
}

// Stager is an optional ability: a file is written by one process and made
// visible later by another, cheaply and idempotently. Workers stage the
// under storage copy of a file being written; the primary master publishes
// it when it accepts the file as complete, and a new primary can publish
// it again, or discard it, from the token alone. On an object store this
// is a multipart upload that the master completes, where the other way
// (write under a temporary name, then Rename) would copy the whole file
// again. Stores without it are written through TempPath and Rename.
type Stager interface {
	// CreateStaged starts writing the file that Publish will put at path.
	// Nothing is visible at path, nor listed anywhere, until then. Only
	// opts.Perm is used: parents are created and an existing file is
	// replaced at publication, because by then the namespace has decided.
	// Errors: those of Create for an invalid path or perm.
	CreateStaged(ctx context.Context, path string, opts CreateOptions) (StagedWriter, error)

	// Publish makes the file staged under token visible at path in one
	// step, replacing a file there, creating missing parents, and returns
	// its status. It is idempotent: publishing a token that was published
	// already returns the status of the file it published, as long as that
	// file is still at path.
	// Errors: errs.ErrNotFound (the staged data is gone: discarded, or
	// cleaned up as stale), errs.ErrInvalidArg (the token is not one of
	// this store's, or not for path).
	Publish(ctx context.Context, path string, token []byte) (Status, error)

	// Discard drops staged data that will not be published. Discarding
	// twice, or a token already published, is not an error and changes
	// nothing visible.
	Discard(ctx context.Context, path string, token []byte) error
}

// StagedWriter receives the contents of a staged file, from one goroutine
// at a time. Exactly one of Commit and Cancel ends it, as with Writer.
type StagedWriter interface {
	io.Writer
	// Commit makes the data durable, not visible, and returns the token
	// that Publish and Discard take. The token is small (it goes into a
	// journal entry), and holds no secret.
	Commit() ([]byte, error)
	// Cancel drops what was written.
	Cancel() error
}

// Cleaner is an optional ability: removing what writers that died left
// behind and that can never be anyone's file, such as a local store's
// half-written files that no writer holds open. The primary master runs
// it when it opens a mount and with each sweep for unpublished copies.
// What may still be a file's copy (a staged copy) is not for Cleanup to
// judge: see StagedLister.
type Cleaner interface {
	// Cleanup removes leftovers and returns how many it removed.
	Cleanup(ctx context.Context) (int, error)
}

// StagedLister is an optional ability of a Stager: listing staged copies
// that were neither published nor discarded, so the primary master can
// discard those no file will publish (their writers died, or their files
// ended first). Only the namespace can tell which those are.
type StagedLister interface {
	// ListStaged calls fn, in no particular order, for each staged copy
	// below the store's root that began more than the store's clean age
	// ago (for S3 alluxio.underfs.s3.intermediate.upload.clean.age, so an
	// upload another program makes into the store is left alone for that
	// long): the path it was staged for and a token that Discard takes
	// (Publish need not). An error from fn ends the listing with it.
	ListStaged(ctx context.Context, fn func(path string, token []byte) error) error
}

// Fingerprinted is implemented by readers that know the Fingerprint of the
// file they read (and are pinned to it): a reader can then be checked
// against the file the namespace expects without another request, and
// without the race of a GetStatus that follows the Open.
type Fingerprinted interface {
	Fingerprint() string
}
