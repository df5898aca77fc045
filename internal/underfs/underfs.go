package underfs

import (
	"context"
	"io"
	"os"
	"time"
)

// Default permissions for objects created without explicit ones. They match
// what Alluxio's own UFS connectors use when a request carries no mode.
const (
	DefaultFilePerm os.FileMode = 0o644
	DefaultDirPerm  os.FileMode = 0o755
)

// Status describes one file or directory in an under storage.
type Status struct {
	// Name is the last component of the path; "" for the root, whose name
	// in the Alluxio namespace is that of its mount point.
	Name  string
	IsDir bool
	// Length is the file's size in bytes; 0 for directories, whose size on
	// disk means nothing to Alluxio.
	Length  int64
	ModTime time.Time
	// Mode holds permission bits only (within os.ModePerm); IsDir carries
	// the type.
	Mode os.FileMode
	// Owner and Group are names when the store can resolve them, otherwise
	// a numeric id in decimal, and "" when the store has no notion of them.
	Owner, Group string
	// Fingerprint identifies a file's contents when the store has such a
	// thing (an object store's ETag): a file replaced by another one, even
	// of the same length and within the same second, has another
	// fingerprint. "" when the store has none; Length and ModTime then
	// stand for it.
	Fingerprint string
}

// CreateOptions are the options of UnderFileSystem.Create.
type CreateOptions struct {
	// Perm is the file's permission bits (within os.ModePerm), applied
	// exactly, without a umask. Zero means DefaultFilePerm: a file that
	// must have no permission bits at all can get them with SetMode.
	Perm os.FileMode
	// CreateParents creates missing parent directories, with
	// DefaultDirPerm, when Create is called (not when the file is
	// published). Without it a missing parent is ErrNotFound.
	CreateParents bool
	// Overwrite allows replacing an existing file. Without it, a file at
	// the path when Create is called or when the Writer is closed is
	// ErrAlreadyExists.
	Overwrite bool
}

// UnderFileSystem is one mounted under storage, rooted at the URI it was
// opened for.
//
// Paths are relative to that root and are checked with CleanPath: "" and
// "/" name the root, "a/b" and "/a/b" the same object below it. An invalid
// path, including any ".." component, is refused with errs.ErrInvalidPath
// before the store is touched.
//
// Concurrency: every method may be called from any number of goroutines at
// once. Calls are not transactions: the store is shared with programs other
// than Alluxio, so what one call observed may have changed by the next.
//
// Errors: every error wraps one of the sentinels of package errs, named on
// each method below; in addition any method may return errs.ErrPermission
// (the store refused), errs.ErrNoSpace, errs.ErrUnavailable (the store
// could not be reached, or the UnderFileSystem was closed; retrying may
// help) or errs.ErrInternal. When ctx is done before or while a method
// works, the error wraps ctx.Err() instead, so that errors.Is(err,
// context.Canceled) holds.
//
// A path below a file (the file "a" and the path "a/b") does not exist:
// methods that look an object up report errs.ErrNotFound for it, and
// methods that make one report errs.ErrNotDirectory.
type UnderFileSystem interface {
	// GetStatus describes the object at path.
	// Errors: errs.ErrNotFound.
	GetStatus(ctx context.Context, path string) (Status, error)

	// List describes the direct children of the directory at path, sorted
	// by Name in byte order. Objects the implementation keeps for itself
	// (such as files still being written) are never listed. The listing is
	// not a snapshot: children created or removed meanwhile may or may not
	// appear. An empty directory gives an empty, possibly nil, slice.
	// Errors: errs.ErrNotFound, errs.ErrNotDirectory (path is a file).
	List(ctx context.Context, path string) ([]Status, error)

	// Mkdirs creates the directory at path and any missing parents, each
	// with perm (within os.ModePerm, applied exactly; zero means
	// DefaultDirPerm). Directories that already exist are left as they are
	// and are not an error, so overlapping calls from several goroutines
	// all succeed. Mkdirs of the root does nothing.
	// It is not atomic: after an error some parents may exist.
	// Errors: errs.ErrAlreadyExists (a file is at path),
	// errs.ErrNotDirectory (a file is at one of its ancestors),
	// errs.ErrInvalidArg (bits outside os.ModePerm).
	Mkdirs(ctx context.Context, path string, perm os.FileMode) error

	// Create starts writing a file at path. Nothing appears there until the
	// returned Writer is closed; then the whole file appears at once.
	// Errors: errs.ErrIsDirectory (a directory is at path, or path is the
	// root), errs.ErrAlreadyExists (a file is there and opts.Overwrite is
	// false), errs.ErrNotFound (the parent is missing and
	// opts.CreateParents is false), errs.ErrNotDirectory (an ancestor is a
	// file), errs.ErrInvalidArg (bits outside os.ModePerm).
	Create(ctx context.Context, path string, opts CreateOptions) (Writer, error)

	// Open returns a reader of the file at path that starts offset bytes
	// in. An offset at or past the end gives a reader that returns io.EOF.
	// The reader is for one goroutine; implementations may return one that
	// also implements io.ReaderAt and io.Seeker. ctx bounds opening only.
	// Errors: errs.ErrNotFound, errs.ErrIsDirectory,
	// errs.ErrInvalidArg (negative offset).
	Open(ctx context.Context, path string, offset int64) (io.ReadCloser, error)

	// Delete removes the file or directory at path; with recursive, a
	// directory goes with everything below it. A recursive delete is not
	// atomic: after an error part of the tree may be gone.
	// Errors: errs.ErrNotFound, errs.ErrNotEmpty (a directory with
	// children and recursive is false), errs.ErrInvalidArg (the root, which
	// belongs to whoever mounted it).
	Delete(ctx context.Context, path string, recursive bool) error

	// Rename moves the file or directory at src to dst, which must not
	// exist. Whether the move is atomic, and whether "dst must not exist"
	// is checked atomically with it, depends on the store; implementations
	// document both.
	// Errors: errs.ErrNotFound (src, or dst's parent, is missing),
	// errs.ErrAlreadyExists (something is at dst), errs.ErrNotDirectory
	// (dst's parent is a file), errs.ErrInvalidArg (src or dst is the
	// root, or dst lies below src).
	Rename(ctx context.Context, src, dst string) error

	// SetMode sets the permission bits of the object at path.
	// Errors: errs.ErrNotFound, errs.ErrInvalidArg (bits outside
	// os.ModePerm).
	SetMode(ctx context.Context, path string, perm os.FileMode) error

	// SetOwner sets the owner and group of the object at path; "" leaves
	// one unchanged. It is best effort, as in Alluxio: when the store has
	// no owners, does not know the name, or does not let this process
	// change owners, it logs the fact and returns nil without changing
	// anything, because Alluxio users are seldom accounts of the machine
	// or bucket underneath, and failing their chown would make a mounted
	// store unusable to them.
	// Errors: errs.ErrNotFound.
	SetOwner(ctx context.Context, path, owner, group string) error

	// Root returns the URI the UnderFileSystem was opened for, exactly as
	// given.
	Root() string

	// Close releases what the UnderFileSystem holds. Later calls of other
	// methods fail with errs.ErrUnavailable; Writers and readers already
	// handed out may fail too. Close may be called more than once.
	Close() error
}

// Writer receives the contents of a file being created. It is for one
// goroutine at a time.
//
// Exactly one of Close and Cancel ends the write. After that, Write fails
// with errs.ErrPrecondition, Close fails with errs.ErrPrecondition, and
// Cancel does nothing and returns nil, so that
//
//	w, err := ufs.Create(ctx, p, opts)
//	...
//	defer w.Cancel()
//	...
//	return w.Close()
//
// cleans up on every path.
type Writer interface {
	io.Writer

	// Close makes the file durable and then visible at its path in one
	// step: readers see the previous state or the whole new file, never
	// part of it. The conditions of Create are checked again: a file
	// created at the path meanwhile is errs.ErrAlreadyExists unless
	// Overwrite was set, a parent removed meanwhile is errs.ErrNotFound, a
	// directory created there meanwhile is errs.ErrIsDirectory.
	// After an error the caller must assume the file was not written; it
	// is normally absent, but an implementation that publishes and then
	// fails to confirm durability says so in its error.
	Close() error

	// Cancel discards what was written; the path is left as it was.
	Cancel() error
}
