// Package local is the under file system of a directory on this machine,
// which is also what an NFS mount looks like. Importing it registers the
// "file" scheme (and scheme-less URIs such as "/data") with package underfs.
//
// Writes are crash safe: Create writes a hidden temporary file next to the
// target (named TempPrefix followed by random hex), and Writer.Close fsyncs
// it, renames it into place and fsyncs the directory, so a file is either
// absent or whole after a crash, and a Close that returned nil survives one.
// List and GetStatus never show the temporary files, and paths that would
// name one are refused. Temporary files of a process that crashed stay
// behind, hidden, until Cleanup (underfs.Cleaner, which the primary master
// runs) removes them: a writer holds a flock on its file, so Cleanup can
// tell a dead writer's; Delete of a directory that holds nothing else
// removes them too.
//
// Renames are single rename(2) calls and so atomic. "The destination must
// not exist" is checked atomically too where Linux's renameat2 with
// RENAME_NOREPLACE works (ext4, xfs, btrfs, tmpfs); elsewhere, NFS
// included, it is checked immediately before the rename, and another
// program that creates the destination in between loses its file.
//
// Symbolic links inside the root are followed, even when they lead out of
// it, as in Alluxio's Java connector: operators link subdirectories onto
// other disks. The root is therefore not a sandbox against whoever can
// write into it. Sockets, pipes and devices are not shown.
package local
