package master

import (
	"context"
	"strings"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/master/state"
)

// Under storage modes, as alluxio fsadmin ufs --mode spells them.
var ufsModes = map[string]journalpb.UfsMode{
	"readwrite": journalpb.UfsMode_READ_WRITE,
	"readonly":  journalpb.UfsMode_READ_ONLY,
	"noaccess":  journalpb.UfsMode_NO_ACCESS,
}

func ufsModeName(m journalpb.UfsMode) string {
	switch m {
	case journalpb.UfsMode_READ_ONLY:
		return "readOnly"
	case journalpb.UfsMode_NO_ACCESS:
		return "noAccess"
	}
	return "readWrite"
}

// rootOf is the store of an under storage URI (state.UfsRoot).
func rootOf(uri string) (string, error) { return state.UfsRoot(uri) }

// updateUfsMode journals the mode of the store that holds ufsPath. The
// entry touches no path of the namespace: Apply checks the mode for every
// later change under the store's mounts, so nothing needs locking.
func (fs *fileSystem) updateUfsMode(ctx context.Context, r *pb.UpdateUfsModeRequest) error {
	mode, ok := ufsModes[strings.ToLower(r.Mode)]
	if !ok {
		return errs.New(errs.ErrInvalidArg, "under storage mode %q: must be readOnly, readWrite or noAccess", r.Mode)
	}
	root, err := rootOf(r.UfsPath)
	if err != nil {
		return err
	}
	mounted := false
	for _, m := range fs.st.MountTable() {
		if mr, err := rootOf(m.UfsURI); err == nil && mr == root {
			mounted = true
		}
	}
	if !mounted {
		return errs.New(errs.ErrNotFound, "no mount is in under storage %s (from %s)", root, r.UfsPath)
	}
	_, err = fs.mutate(ctx, mutation{opID: r.OpId, access: []need{{path: "/", super: "fsadmin ufs --mode " + root}},
		prepare: func(context.Context) (*journalpb.Entry, error) {
			return &journalpb.Entry{Op: &journalpb.Entry_UpdateUfsMode{UpdateUfsMode: &journalpb.UpdateUfsMode{UfsRoot: root, Mode: mode}}}, nil
		}})
	if err == nil {
		fs.log.Info("under storage mode updated", "ufs", root, "mode", ufsModeName(mode))
	}
	return err
}

// UpdateUfsMode is alluxio fsadmin ufs --mode.
func (s *fsService) UpdateUfsMode(ctx context.Context, r *pb.UpdateUfsModeRequest) (*pb.UpdateUfsModeResponse, error) {
	return &pb.UpdateUfsModeResponse{}, s.fs.updateUfsMode(ctx, r)
}
