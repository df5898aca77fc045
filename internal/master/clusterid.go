package master

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/alluxio-go/alluxio/api/journalpb"
)

// ensureClusterID names the cluster when its first primary starts: a
// random id, journaled, which every replica, checkpoint and backup then
// keeps (Apply refuses a second one, so two primaries racing cannot give
// the cluster two names).
func (fs *fileSystem) ensureClusterID(ctx context.Context) error {
	if fs.st.ClusterID() != "" {
		return nil
	}
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:4]) + "-" + hex.EncodeToString(b[4:6]) + "-" + hex.EncodeToString(b[6:8]) + "-" +
		hex.EncodeToString(b[8:10]) + "-" + hex.EncodeToString(b[10:])
	_, err := fs.mutate(ctx, mutation{ownWork: true,
		prepare: func(context.Context) (*journalpb.Entry, error) {
			if fs.st.ClusterID() != "" {
				return nil, nil
			}
			return &journalpb.Entry{Op: &journalpb.Entry_SetClusterId{SetClusterId: &journalpb.SetClusterId{ClusterId: id}}}, nil
		}})
	return err
}
