package worker

import (
	"context"
	"os"

	"github.com/alluxio-go/alluxio/internal/underfs"
)

// stagedCopy is the under storage copy of an Alluxio file that a worker
// writes for the master to publish when it completes the file: staged
// where the store can stage (underfs.Stager: an S3 multipart upload left
// open), else written under underfs.TempPath and renamed by the master.
type stagedCopy struct {
	staged underfs.StagedWriter
	plain  underfs.Writer
}

func stageCopy(ctx context.Context, u underfs.UnderFileSystem, rel string, fileID int64, perm os.FileMode) (*stagedCopy, error) {
	if s, ok := u.(underfs.Stager); ok {
		w, err := s.CreateStaged(ctx, rel, underfs.CreateOptions{Perm: perm})
		if err != nil {
			return nil, err
		}
		return &stagedCopy{staged: w}, nil
	}
	w, err := u.Create(ctx, underfs.TempPath(rel, fileID), underfs.CreateOptions{Perm: perm, CreateParents: true, Overwrite: true})
	if err != nil {
		return nil, err
	}
	return &stagedCopy{plain: w}, nil
}

func (c *stagedCopy) Write(b []byte) (int, error) {
	if c.staged != nil {
		return c.staged.Write(b)
	}
	return c.plain.Write(b)
}

// Commit makes the copy durable and returns the master's publish token
// (empty for a copy under its temporary name).
func (c *stagedCopy) Commit() ([]byte, error) {
	if c.staged != nil {
		return c.staged.Commit()
	}
	return nil, c.plain.Close()
}

func (c *stagedCopy) Cancel() {
	if c.staged != nil {
		c.staged.Cancel()
	} else {
		c.plain.Cancel()
	}
}
