package client

import "github.com/alluxio-go/alluxio/internal/errs"

// Errors a client call may wrap; test them with errors.Is.
var (
	ErrNotFound      = errs.ErrNotFound
	ErrAlreadyExists = errs.ErrAlreadyExists
	ErrNotEmpty      = errs.ErrNotEmpty
	ErrInvalidPath   = errs.ErrInvalidPath
	ErrInvalidArg    = errs.ErrInvalidArg
	ErrPermission    = errs.ErrPermission
	// ErrUnauthenticated: the server cannot tell who the client is (no
	// user named, or a TLS certificate refused either way); retrying does
	// not help.
	ErrUnauthenticated = errs.ErrUnauthenticated
	// ErrUnavailable: no primary master could be reached within the retry
	// budget (alluxio.user.rpc.retry.max.duration).
	ErrUnavailable  = errs.ErrUnavailable
	ErrPrecondition = errs.ErrPrecondition
	ErrIsDirectory  = errs.ErrIsDirectory
	ErrNotDirectory = errs.ErrNotDirectory
	// ErrNoSpace: the workers have no room for the data; ErrIncomplete:
	// the file is still being written.
	ErrNoSpace, ErrIncomplete = errs.ErrNoSpace, errs.ErrIncomplete
	// ErrReadOnly: a change below a read-only mount (also ErrPermission);
	// ErrCrossMount: a rename between mount points (also ErrInvalidArg).
	ErrReadOnly, ErrCrossMount = errs.ErrReadOnly, errs.ErrCrossMount
	// ErrCorrupt: data did not match what the master says it is.
	ErrCorrupt = errs.ErrCorrupt
)
