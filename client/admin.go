package client

import (
	"context"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
)

// BackupInfo is where a metadata backup went.
type BackupInfo struct {
	// URI is the backup file: an under storage URI, or with a local
	// backup a path on Hostname.
	URI      string
	Hostname string
	// Entries is the number of files and directories it holds.
	Entries int64
	// Sequence is the last journal entry it covers.
	Sequence uint64
}

// Backup asks the primary for a consistent metadata backup into dir: a
// directory of the root under storage or an under storage URI, or with
// local a directory of the primary's machine; "" for the configured
// alluxio.master.backup.directory. It is not retried after a lost answer
// (a retry would write a second backup, which does no harm).
func (f *FileSystem) Backup(ctx context.Context, dir string, local bool) (*BackupInfo, error) {
	var out *BackupInfo
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.meta.Backup(ctx, &pb.BackupRequest{Directory: dir, Local: local})
		if err != nil {
			return err
		}
		out = &BackupInfo{URI: r.BackupUri, Hostname: r.Hostname, Entries: r.EntryCount, Sequence: r.Sequence}
		return nil
	})
	return out, err
}

// UpdateUfsMode sets the mode of the under storage that holds ufsPath:
// "readOnly" and "noAccess" make the masters refuse every change under
// its mounts ("noAccess" also stops metadata loads from it), "readWrite"
// lifts that. The mode is journaled, so every master keeps it.
func (f *FileSystem) UpdateUfsMode(ctx context.Context, ufsPath, mode string) error {
	req := &pb.UpdateUfsModeRequest{UfsPath: ufsPath, Mode: mode, OpId: newOpID()}
	return f.retry(ctx, func(ctx context.Context, c *conn) error {
		_, err := c.fs.UpdateUfsMode(ctx, req)
		return err
	})
}
