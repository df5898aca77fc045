package state

import (
	"bytes"
	"errors"
	"testing"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

func clusterID(id string) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_SetClusterId{SetClusterId: &journalpb.SetClusterId{ClusterId: id}}}
}

func ufsMode(root string, m journalpb.UfsMode) *journalpb.Entry {
	return &journalpb.Entry{Op: &journalpb.Entry_UpdateUfsMode{UpdateUfsMode: &journalpb.UpdateUfsMode{UfsRoot: root, Mode: m}}}
}

func TestClusterIDIsSetOnce(t *testing.T) {
	s := New(Options{})
	if r := seq(s, clusterID("")); !errors.Is(r.Err, errs.ErrInvalidArg) {
		t.Fatalf("an empty id: %v", r.Err)
	}
	mustApply(t, s, clusterID("first"))
	if r := seq(s, clusterID("second")); !errors.Is(r.Err, errs.ErrAlreadyExists) {
		t.Fatalf("a second id: %v", r.Err)
	}
	if got := s.ClusterID(); got != "first" {
		t.Fatalf("cluster id %q", got)
	}
}

func TestUfsModeRefusesChangesUnderItsMounts(t *testing.T) {
	s := New(Options{})
	mustApply(t, s, mount("/", "file:///root", false), mount("/s3", "s3a://Bucket/prefix", false), mount("/other", "s3://other", false))
	mustApply(t, s, mkdir("/s3/d"), mkdir("/other/d"))
	if r := seq(s, ufsMode("s3://Bucket", journalpb.UfsMode_READ_ONLY)); !errors.Is(r.Err, errs.ErrInvalidArg) {
		t.Fatalf("a root not in canonical form: %v", r.Err)
	}
	mustApply(t, s, ufsMode("s3://bucket", journalpb.UfsMode_READ_ONLY))
	for _, e := range []*journalpb.Entry{mkfile("/s3/f"), mkdir("/s3/e"), del("/s3/d", false)} {
		// ErrReadOnly (EROFS through FUSE) narrows ErrPermission.
		if r := seq(s, e); !errors.Is(r.Err, errs.ErrReadOnly) || !errors.Is(r.Err, errs.ErrPermission) {
			t.Fatalf("%v under a read-only store: %v", e, r.Err)
		}
	}
	mustApply(t, s, mkfile("/other/f"), mkfile("/f")) // other stores
	if m := s.UfsModeOf("/s3/d"); m != journalpb.UfsMode_READ_ONLY {
		t.Fatalf("mode of /s3/d: %v", m)
	}
	mustApply(t, s, ufsMode("file://", journalpb.UfsMode_NO_ACCESS))
	if r := seq(s, mkfile("/g")); !errors.Is(r.Err, errs.ErrPermission) || errors.Is(r.Err, errs.ErrReadOnly) {
		t.Fatalf("a file in a no-access root: %v", r.Err)
	}
	// Both survive a checkpoint, and READ_WRITE lifts the mode.
	mustApply(t, s, clusterID("c"))
	var buf bytes.Buffer
	if _, err := s.WriteCheckpoint(&buf, 1); err != nil {
		t.Fatal(err)
	}
	r := New(Options{})
	if err := r.Restore(&buf, "test"); err != nil {
		t.Fatal(err)
	}
	if da, db := dump(s), dump(r); da != db {
		t.Fatalf("restored state differs: %s", diff(da, db))
	}
	if _, _, a := s.Digest(); true {
		if _, _, b := r.Digest(); a != b {
			t.Fatal("digests differ after a restore")
		}
	}
	mustApply(t, r, ufsMode("s3://bucket", journalpb.UfsMode_READ_WRITE))
	mustApply(t, r, mkfile("/s3/f"))
	if len(r.UfsModes()) != 1 || r.ClusterID() != "c" {
		t.Fatalf("modes %v, cluster %q", r.UfsModes(), r.ClusterID())
	}
}
