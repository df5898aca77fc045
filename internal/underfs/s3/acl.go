package s3

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// S3 keeps no mode or owner per object, so, as Alluxio does, every object
// and directory of a store shows one mode and one owner, worked out once
// per open store:
//
//   - alluxio.underfs.s3.inherit.acl=true (the default): the owner is the
//     account of the credentials (ListBuckets' Owner: its id mapped by
//     alluxio.underfs.s3.owner.id.to.username.mapping, else its display
//     name, else the id), and the owner's mode bits come from the bucket's
//     ACL (GetBucketAcl): each grant to that account's id, or to the
//     AllUsers or AuthenticatedUsers group, adds READ 0500, WRITE 0200,
//     FULL_CONTROL 0700; group and other bits are 0. When either request
//     fails (AccessDenied: no READ_ACP on the bucket; NotImplemented: a
//     store without ACLs), or the ACL holds no grant at all (how stores
//     that keep no ACL answer, where S3 always lists the owner's), the mode
//     is alluxio.underfs.s3.default.mode, with a warning.
//   - inherit.acl=false: alluxio.underfs.s3.default.mode, no owner, and no
//     request.
//
// The answer is kept for the store's life. Only a store that could not be
// reached (a network fault, a timeout) is asked again by the next call.

// permissions is the mode and owner every entry of a store shows.
type permissions struct {
	mode  os.FileMode
	owner string
}

// permCache holds a store's permissions once known.
type permCache struct {
	mu    sync.Mutex
	known bool
	perms permissions
}

// aclTimeout bounds the two requests that work the permissions out, so a
// listing is not held up long by a store that does not answer them.
const aclTimeout = 10 * time.Second

// Group grantees that grant to the account too. versitygw names AllUsers
// by the ID "all-users" where S3 gives a URI.
const (
	allUsersURI           = "http://acs.amazonaws.com/groups/global/AllUsers"
	authenticatedUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	versityAllUsersID     = "all-users"
)

// perms returns the store's permissions, asking the store the first time.
func (fs *FS) perms(ctx context.Context) permissions {
	if !fs.cfg.InheritACL {
		return permissions{mode: fs.cfg.DefaultMode}
	}
	fs.permCache.mu.Lock()
	defer fs.permCache.mu.Unlock()
	if fs.permCache.known {
		return fs.permCache.perms
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), aclTimeout)
	defer cancel()
	p, final := fs.askPerms(ctx)
	if final {
		fs.permCache.known, fs.permCache.perms = true, p
	}
	return p
}

// askPerms asks the store for the account and the bucket's ACL. final is
// false when the store could not be reached, so that the answer is not
// kept.
func (fs *FS) askPerms(ctx context.Context) (p permissions, final bool) {
	p.mode = fs.cfg.DefaultMode
	fallback := func(why string, err error) (permissions, bool) {
		if err != nil {
			err = fs.sdkErr(ctx, "get the bucket ACL of", "", err)
			if errors.Is(err, errs.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				fs.log.Debug("the bucket ACL could not be read; asking again later", "error", err)
				return p, false
			}
		}
		fs.log.Warn("cannot inherit the bucket ACL ("+KeyInheritACL+"=true): objects show "+KeyDefaultMode,
			"mode", p.mode, "why", why, "error", err)
		return p, true
	}
	acct, err := fs.client.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)})
	if err != nil {
		return fallback("the account of the credentials is unknown (ListBuckets failed)", err)
	}
	if acct.Owner == nil || aws.ToString(acct.Owner.ID) == "" {
		return fallback("the store names no owner of the credentials (ListBuckets)", nil)
	}
	id := aws.ToString(acct.Owner.ID)
	p.owner = fs.cfg.OwnerMapping[id]
	if p.owner == "" {
		p.owner = aws.ToString(acct.Owner.DisplayName)
	}
	if p.owner == "" {
		p.owner = id
	}
	acl, err := fs.client.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: &fs.cfg.Bucket})
	if err != nil {
		return fallback("GetBucketAcl failed", err)
	}
	if len(acl.Grants) == 0 {
		return fallback("the bucket's ACL holds no grant", nil)
	}
	p.mode = modeOfGrants(acl.Grants, id)
	return p, true
}

// modeOfGrants is the owner's mode bits that grants give the account id,
// as Alluxio's S3AUtils.translateBucketAcl works them out.
func modeOfGrants(grants []types.Grant, id string) os.FileMode {
	var mode os.FileMode
	for _, g := range grants {
		if !grantsTo(g.Grantee, id) {
			continue
		}
		switch g.Permission {
		case types.PermissionRead:
			mode |= 0o500
		case types.PermissionWrite:
			mode |= 0o200
		case types.PermissionFullControl:
			mode |= 0o700
		}
	}
	return mode
}

func grantsTo(g *types.Grantee, id string) bool {
	if g == nil {
		return false
	}
	gid, uri := aws.ToString(g.ID), aws.ToString(g.URI)
	switch {
	case g.Type == types.TypeGroup:
		return uri == allUsersURI || uri == authenticatedUsersURI || gid == versityAllUsersID
	default:
		return id != "" && gid == id
	}
}
