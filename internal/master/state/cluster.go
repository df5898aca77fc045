package state

import (
	"maps"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// ClusterID is the id the cluster's first primary journaled, "" before.
func (s *State) ClusterID() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.clusterID
}

func (s *State) applySetClusterID(op *journalpb.SetClusterId) Result {
	switch {
	case op.ClusterId == "":
		return Result{Err: errs.New(errs.ErrInvalidArg, "empty cluster id")}
	case s.clusterID != "":
		return Result{Err: errs.New(errs.ErrAlreadyExists, "the cluster is named %s already", s.clusterID)}
	}
	s.clusterID = op.ClusterId
	return Result{}
}

// UfsRoot is the store an under storage URI lives in, the key of its
// mode: "s3://bucket", "hdfs://nn:8020", "file://" for local paths.
func UfsRoot(uri string) (string, error) {
	c, err := underfs.CanonicalURI(uri)
	if err != nil {
		return "", err
	}
	return c.Scheme + "://" + c.Authority, nil
}

// UfsModes returns the stores whose mode is not READ_WRITE.
func (s *State) UfsModes() map[string]journalpb.UfsMode {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return maps.Clone(s.ufsModes)
}

// UfsModeOf is the mode of the store that holds path's under storage.
func (s *State) UfsModeOf(path string) journalpb.UfsMode {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, _, ok := s.mounts.resolve(path)
	if !ok {
		return journalpb.UfsMode_READ_WRITE
	}
	return s.mountMode(m)
}

func (s *State) mountMode(m *MountPoint) journalpb.UfsMode {
	if len(s.ufsModes) == 0 {
		return journalpb.UfsMode_READ_WRITE
	}
	root, err := UfsRoot(m.UfsURI)
	if err != nil {
		return journalpb.UfsMode_READ_WRITE
	}
	return s.ufsModes[root]
}

func (s *State) applyUpdateUfsMode(op *journalpb.UpdateUfsMode) Result {
	root, err := UfsRoot(op.UfsRoot)
	if err != nil {
		return Result{Err: err}
	}
	if root != op.UfsRoot {
		return Result{Err: errs.New(errs.ErrInvalidArg, "under storage root %q is not in its canonical form %q", op.UfsRoot, root)}
	}
	if _, known := journalpb.UfsMode_name[int32(op.Mode)]; !known {
		return Result{Err: errs.New(errs.ErrInvalidArg, "unknown under storage mode %d", op.Mode)}
	}
	if op.Mode == journalpb.UfsMode_READ_WRITE {
		delete(s.ufsModes, root)
	} else {
		s.ufsModes[root] = op.Mode
	}
	return Result{}
}
