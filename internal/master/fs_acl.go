package master

import (
	"context"
	"strings"

	"github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/fspath"
	"github.com/alluxio-go/alluxio/internal/master/state"
	"github.com/alluxio-go/alluxio/internal/security/authz"
)

// setAcl is setfacl. Only the owner (of everything below, with -R) or a
// superuser may change an ACL, as with chmod.
func (fs *fileSystem) setAcl(ctx context.Context, req *alluxiopb.SetAclRequest) error {
	path, err := fspath.Clean(req.Path)
	if err != nil {
		return err
	}
	action, ok := journalpb.AclAction_value["ACL_"+strings.ToUpper(req.Action)]
	if !ok || action == 0 {
		return errs.New(errs.ErrInvalidArg, "setfacl %s: action %q: want MODIFY, REMOVE, REMOVE_ALL, REMOVE_DEFAULT or REPLACE", path, req.Action)
	}
	withPerm := journalpb.AclAction(action) != journalpb.AclAction_ACL_REMOVE
	for _, e := range req.Entries {
		if _, err := authz.ParseSpecs(e, withPerm); err != nil {
			return errs.New(errs.ErrInvalidArg, "setfacl %s: %v", path, err)
		}
	}
	_, err = fs.mutate(ctx, mutation{opID: req.OpId, paths: []string{path},
		access: []need{{path: path, owner: true, subtree: req.Recursive}},
		prepare: func(ctx context.Context) (*journalpb.Entry, error) {
			if err := fs.syncPath(ctx, path, nil, false, false); err != nil {
				return nil, err
			}
			if _, err := fs.st.Stat(path); err != nil {
				return nil, err
			}
			return &journalpb.Entry{Op: &journalpb.Entry_SetAcl{SetAcl: &journalpb.SetAcl{Path: path,
				Action: journalpb.AclAction(action), Entries: req.Entries, Recursive: req.Recursive}}}, nil
		}})
	return err
}

// aclLines is n's ACL as getfacl prints it, nil when it has none.
func aclLines(n state.Inode) []string {
	if n.ACL == nil && n.DefaultACL == nil {
		return nil
	}
	return authz.Lines(authz.Perms{Mode: n.Mode, ACL: n.ACL, Default: n.DefaultACL})
}
