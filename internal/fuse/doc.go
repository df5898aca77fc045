// Package fuse serves the Alluxio namespace as a POSIX file system through
// the kernel's FUSE, with github.com/hanwen/go-fuse/v2's node API: every
// file and directory is a node whose Alluxio path is its place in the
// tree, and each call goes to the Go client (package client), which finds
// the primary master and retries across failovers. Errors become errno
// values here and nowhere else (errno.go).
//
// Alluxio files are write once. A new file is written sequentially and
// completes when its last handle is released; a reader in the same mount
// that opens it meanwhile waits for that. Opening an existing file with
// O_TRUNC (or truncating it to 0) replaces it with a new one, as Alluxio's
// FUSE does. Random writes and appends to a complete file fail with
// EOPNOTSUPP. Reads are positional (io.ReaderAt on one reader per open
// handle), so the kernel's parallel readahead needs no lock.
//
// Directories are listed in batches as the master streams them, never
// loaded whole. Attributes may be cached twice: by the kernel for
// attr_timeout and entry_timeout, and here, in a metadata cache with a size
// bound and an expiry (alluxio.user.metadata.cache.*) that this mount's
// own changes keep current.
//
//	fsys, _ := fuse.New(alluxioClient, fuse.DefaultConfig())
//	srv, err := fsys.Mount("/mnt/alluxio")
//	...
//	srv.Wait()
package fuse
