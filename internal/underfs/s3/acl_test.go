package s3

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// TestModeOfGrants: grants to the account, AllUsers or AuthenticatedUsers
// (and versitygw's "all-users") give the owner bits as Alluxio does;
// grants to others, and READ_ACP/WRITE_ACP, give none. versitygw cannot
// grant a group to an account that may also read the ACL, so the group
// rows are checked here only.
func TestModeOfGrants(t *testing.T) {
	user := func(id string, p types.Permission) types.Grant {
		return types.Grant{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(id)}, Permission: p}
	}
	group := func(uri string, p types.Permission) types.Grant {
		return types.Grant{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(uri)}, Permission: p}
	}
	for _, tt := range []struct {
		name   string
		grants []types.Grant
		want   os.FileMode
	}{
		{"full control", []types.Grant{user("me", types.PermissionFullControl)}, 0o700},
		{"read", []types.Grant{user("me", types.PermissionRead)}, 0o500},
		{"write", []types.Grant{user("me", types.PermissionWrite)}, 0o200},
		{"read and write", []types.Grant{user("me", types.PermissionRead), user("me", types.PermissionWrite)}, 0o700},
		{"acl rights only", []types.Grant{user("me", types.PermissionReadAcp), user("me", types.PermissionWriteAcp)}, 0},
		{"someone else", []types.Grant{user("other", types.PermissionFullControl)}, 0},
		{"all users read", []types.Grant{group(allUsersURI, types.PermissionRead)}, 0o500},
		{"authenticated users write", []types.Grant{group(authenticatedUsersURI, types.PermissionWrite)}, 0o200},
		{"log delivery", []types.Grant{group("http://acs.amazonaws.com/groups/s3/LogDelivery", types.PermissionWrite)}, 0},
		{"versitygw all-users", []types.Grant{{Grantee: &types.Grantee{Type: types.TypeGroup, ID: aws.String("all-users")},
			Permission: types.PermissionRead}}, 0o500},
		{"no grantee", []types.Grant{{Permission: types.PermissionFullControl}}, 0},
	} {
		if got := modeOfGrants(tt.grants, "me"); got != tt.want {
			t.Errorf("%s: mode %04o, want %04o", tt.name, got, tt.want)
		}
	}
}

// logBuffer collects a store's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestInheritACL runs against versitygw with users: the mode every entry
// shows comes from the bucket's ACL for the account of the credentials
// with inherit.acl=true, from default.mode with inherit.acl=false or when
// the ACL cannot be read, and is worked out once per open store.
func TestInheritACL(t *testing.T) {
	srv := testcluster.StartS3WithUsers(t)
	root := srv.Client()
	ctx := t.Context()
	const bucket = "aclbucket"
	// Buckets refuse ACLs unless their objects' ownership allows them.
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}); err != nil {
		t.Fatal(err)
	}
	const reader, readerSecret = "reader", "reader-secret-1234"
	srv.CreateUser(t, reader, readerSecret)
	setACL := func(perms ...types.Permission) {
		t.Helper()
		grants := []types.Grant{{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(srv.AccessKey)},
			Permission: types.PermissionFullControl}}
		for _, p := range perms {
			grants = append(grants, types.Grant{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(reader)}, Permission: p})
		}
		if _, err := root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), AccessControlPolicy: &types.AccessControlPolicy{
			Owner: &types.Owner{ID: aws.String(srv.AccessKey)}, Grants: grants}}); err != nil {
			t.Fatal(err)
		}
	}
	asRoot := open(t, srv, bucket, nil)
	write(t, asRoot, "dir/f", "data")

	// open a store at the prefix asRoot wrote, as root or as the reader.
	openAt := func(t *testing.T, asReader bool, opts map[string]string) (*FS, *logBuffer) {
		t.Helper()
		props := srv.Properties()
		if asReader {
			props[KeyAccessKey], props[KeySecretKey] = reader, readerSecret
		}
		props[KeyDefaultMode] = "0750" // told apart from every mode an ACL gives
		for k, v := range opts {
			props[k] = v
		}
		logs := &logBuffer{}
		fs, err := New("s3://"+bucket+"/"+strings.TrimSuffix(asRoot.cfg.Prefix, "/"),
			underfs.Options{Properties: props, Logger: slog.New(slog.NewTextHandler(logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { fs.Close() })
		return fs, logs
	}
	// check asserts the mode and owner of the root, a directory, a file,
	// and the entries of two listings.
	check := func(t *testing.T, fs *FS, mode os.FileMode, owner string) {
		t.Helper()
		var got []underfs.Status
		for _, p := range []string{"", "dir", "dir/f"} {
			st, err := fs.GetStatus(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, st)
		}
		for _, p := range []string{"", "dir"} {
			list, err := fs.List(ctx, p)
			if err != nil || len(list) != 1 {
				t.Fatalf("List(%q) = %v, %v; want one entry", p, list, err)
			}
			got = append(got, list...)
		}
		for _, st := range got {
			if st.Mode != mode || st.Owner != owner || st.Group != owner {
				t.Errorf("%q shows mode %04o, owner %q, group %q; want %04o and %q", st.Name, st.Mode, st.Owner, st.Group, mode, owner)
			}
		}
	}

	t.Run("root inherits full control", func(t *testing.T) {
		// versitygw lists the bucket owner's FULL_CONTROL, as S3 does.
		fs, logs := openAt(t, false, nil)
		check(t, fs, 0o700, srv.AccessKey)
		if strings.Contains(logs.String(), "cannot inherit") {
			t.Errorf("warned: %s", logs)
		}
	})
	t.Run("owner mapping", func(t *testing.T) {
		fs, _ := openAt(t, false, map[string]string{KeyOwnerMapping: srv.AccessKey + "=alice"})
		check(t, fs, 0o700, "alice")
	})
	t.Run("inherit.acl=false", func(t *testing.T) {
		fs, logs := openAt(t, false, map[string]string{KeyInheritACL: "false"})
		check(t, fs, 0o750, "")
		if logs.String() != "" {
			t.Errorf("logged: %s", logs)
		}
	})
	t.Run("reader", func(t *testing.T) {
		setACL(types.PermissionRead, types.PermissionReadAcp)
		fs, _ := openAt(t, true, nil)
		check(t, fs, 0o500, reader)
		// Worked out once: a later change of the ACL shows in stores
		// opened after it, not in this one.
		setACL(types.PermissionRead, types.PermissionWrite, types.PermissionReadAcp)
		check(t, fs, 0o500, reader)
		later, _ := openAt(t, true, nil)
		check(t, later, 0o700, reader)
	})
	t.Run("reader without READ_ACP falls back", func(t *testing.T) {
		setACL(types.PermissionRead)
		fs, logs := openAt(t, true, nil)
		check(t, fs, 0o750, reader)
		if l := logs.String(); !strings.Contains(l, "cannot inherit the bucket ACL") || !strings.Contains(l, "GetBucketAcl failed") ||
			!strings.Contains(l, "access denied") {
			t.Errorf("the fallback logged %q; want a warning naming the failed GetBucketAcl", l)
		}
		if n := strings.Count(logs.String(), "cannot inherit"); n != 1 {
			t.Errorf("warned %d times; want once per store", n)
		}
	})
	t.Run("bucket without an ACL falls back", func(t *testing.T) {
		// The harness's buckets are bare folders: versitygw answers an
		// ACL with no grant, which a store that keeps no ACLs gives.
		srv.CreateBucket(t, "bare")
		fs, logs := func() (*FS, *logBuffer) {
			logs := &logBuffer{}
			props := srv.Properties()
			props[KeyDefaultMode] = "0750"
			fs, err := New("s3://bare", underfs.Options{Properties: props, Logger: slog.New(slog.NewTextHandler(logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { fs.Close() })
			return fs, logs
		}()
		st, err := fs.GetStatus(ctx, "")
		if err != nil || st.Mode != 0o750 || st.Owner != srv.AccessKey {
			t.Fatalf("root of a bucket without ACL: %+v, %v; want mode 0750, owner %s", st, err, srv.AccessKey)
		}
		if !strings.Contains(logs.String(), "holds no grant") {
			t.Errorf("logged %q; want the fallback's warning", logs)
		}
	})
}
