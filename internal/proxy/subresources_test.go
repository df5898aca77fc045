package proxy

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestACLs(t *testing.T) {
	c, _, url := testProxyURL(t)
	ctx := testCtx(t)
	b := aws.String("acls")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatalf("CreateBucket with the private ACL: %v", err)
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acls-public"), ACL: types.BucketCannedACLPublicRead})
	apiCode(t, "CreateBucket public-read", err, 501, "NotImplemented")
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("acls-public")}); err == nil {
		t.Fatal("a refused CreateBucket made the bucket")
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPrivate}); err != nil {
		t.Fatalf("PutObject with the private ACL: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("pub"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	apiCode(t, "PutObject public-read", err, 501, "NotImplemented")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("pub"), Body: strings.NewReader("x"), GrantRead: aws.String(`uri="http://acs.amazonaws.com/groups/global/AllUsers"`)})
	apiCode(t, "PutObject granting read", err, 501, "NotImplemented")
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("pub")}); err == nil {
		t.Fatal("a refused PutObject stored the object")
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("pub"), CopySource: aws.String("acls/k"), ACL: types.ObjectCannedACLPublicReadWrite})
	apiCode(t, "CopyObject public-read-write", err, 501, "NotImplemented")
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("pub"), ACL: types.ObjectCannedACLAuthenticatedRead})
	apiCode(t, "CreateMultipartUpload authenticated-read", err, 501, "NotImplemented")
	// What tools that write into shared buckets send: the bucket's owner
	// writing its own object has it already; anyone else does not.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("bo"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Fatalf("PutObject bucket-owner-full-control by the bucket's owner: %v", err)
	}
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: aws.String("bo"), ACL: types.ObjectCannedACLBucketOwnerRead}); err != nil {
		t.Fatalf("PutObjectAcl bucket-owner-read by the bucket's owner: %v", err)
	}
	other := s3.New(s3.Options{BaseEndpoint: aws.String(url), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("other", "x", ""), Retryer: aws.NopRetryer{}})
	_, err = other.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("bo2"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLBucketOwnerFullControl})
	apiCode(t, "PutObject bucket-owner-full-control by another user", err, 501, "NotImplemented")
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acls-bo"), ACL: types.BucketCannedACL("bucket-owner-full-control")})
	apiCode(t, "CreateBucket bucket-owner-full-control", err, 501, "NotImplemented")

	// The owner's FULL_CONTROL, as the exact document S3 sends.
	want := xml.Header + `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>tester</ID><DisplayName>tester</DisplayName></Owner>` +
		`<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>tester</ID><DisplayName>tester</DisplayName></Grantee>` +
		`<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`
	for _, target := range []string{"/acls?acl", "/acls/k?acl"} {
		a := rawS3(t, "GET", url+target, "", nil)
		if a.status != 200 || strings.TrimSpace(a.body) != want {
			t.Fatalf("GET %s: %d\n%s\nwant\n%s", target, a.status, a.body, want)
		}
	}
	for _, acl := range []func() (*types.Owner, []types.Grant, error){
		func() (*types.Owner, []types.Grant, error) {
			o, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})
			if err != nil {
				return nil, nil, err
			}
			return o.Owner, o.Grants, nil
		},
		func() (*types.Owner, []types.Grant, error) {
			o, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("k")})
			if err != nil {
				return nil, nil, err
			}
			return o.Owner, o.Grants, nil
		},
	} {
		o, g, err := acl()
		if err != nil || aws.ToString(o.ID) != "tester" || len(g) != 1 || g[0].Permission != types.PermissionFullControl ||
			g[0].Grantee.Type != types.TypeCanonicalUser || aws.ToString(g[0].Grantee.ID) != "tester" {
			t.Fatalf("ACL through the SDK: %v %+v %+v", err, o, g)
		}
	}
	_, err = c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("missing")})
	apiCode(t, "ACL of a missing key", err, 404, "NoSuchKey")
	_, err = c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("no-bucket")})
	apiCode(t, "ACL of a missing bucket", err, 404, "NoSuchBucket")

	// Puts of the ACL it has succeed; others are refused, by name.
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: aws.String("k"), ACL: types.ObjectCannedACLPrivate}); err != nil {
		t.Fatalf("PutObjectAcl private: %v", err)
	}
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatalf("PutBucketAcl private: %v", err)
	}
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: aws.String("k"), GrantFullControl: aws.String(`id="tester"`)}); err != nil {
		t.Fatalf("PutObjectAcl granting the owner full control: %v", err)
	}
	owner := &types.Owner{ID: aws.String("tester")}
	mine := types.Grant{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String("tester")}, Permission: types.PermissionFullControl}
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: aws.String("k"),
		AccessControlPolicy: &types.AccessControlPolicy{Owner: owner, Grants: []types.Grant{mine}}}); err != nil {
		t.Fatalf("PutObjectAcl with the owner's policy: %v", err)
	}
	public := types.Grant{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}, Permission: types.PermissionRead}
	for what, in := range map[string]*s3.PutObjectAclInput{
		"public-read":        {ACL: types.ObjectCannedACLPublicRead},
		"a grant to a group": {AccessControlPolicy: &types.AccessControlPolicy{Owner: owner, Grants: []types.Grant{mine, public}}},
		"another owner":      {AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String("eve")}, Grants: []types.Grant{mine}}},
		"read to the owner": {AccessControlPolicy: &types.AccessControlPolicy{Owner: owner, Grants: []types.Grant{
			{Grantee: mine.Grantee, Permission: types.PermissionRead}}}},
		"full control to another": {GrantFullControl: aws.String(`id="tester", id="eve"`)},
		"write-acp":               {GrantWriteACP: aws.String(`id="tester"`)},
	} {
		in.Bucket, in.Key = b, aws.String("k")
		_, err := c.PutObjectAcl(ctx, in)
		apiCode(t, what, err, 501, "NotImplemented")
	}
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPublicReadWrite})
	apiCode(t, "PutBucketAcl public-read-write", err, 501, "NotImplemented")
	for what, cc := range map[string]struct {
		body   string
		hdr    map[string]string
		status int
		code   string
	}{
		"malformed":     {"<AccessControlPolicy><Owner>", nil, 400, "MalformedACLError"},
		"bad type":      {`<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Robot"><ID>tester</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`, nil, 400, "MalformedACLError"},
		"bad perm":      {`<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>tester</ID></Grantee><Permission>ALL</Permission></Grant></AccessControlList></AccessControlPolicy>`, nil, 400, "MalformedACLError"},
		"no ACL":        {"", nil, 400, "MalformedACLError"},
		"both":          {"<AccessControlPolicy/>", map[string]string{"x-amz-acl": "private"}, 400, "InvalidRequest"},
		"no grants":     {"<AccessControlPolicy><Owner><ID>tester</ID></Owner><AccessControlList/></AccessControlPolicy>", nil, 501, "NotImplemented"},
		"no grantee":    {"<AccessControlPolicy><AccessControlList><Grant><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>", nil, 400, "MalformedACLError"},
		"post":          {"", nil, 405, "MethodNotAllowed"},
		"email grantee": {`<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="AmazonCustomerByEmail"><EmailAddress>a@b</EmailAddress></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`, nil, 501, "NotImplemented"},
	} {
		method := "PUT"
		if what == "post" {
			method = "POST"
		}
		a := rawS3(t, method, url+"/acls/k?acl", cc.body, cc.hdr)
		if a.status != cc.status || a.code != cc.code {
			t.Fatalf("%s: %d %s, want %d %s", what, a.status, a.body, cc.status, cc.code)
		}
	}
}

func TestVersioningReads(t *testing.T) {
	c, _, url, ctx := testBucket(t, "vers")
	b := aws.String("vers")
	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	if err != nil || v.Status != "" || v.MFADelete != "" {
		t.Fatalf("versioning of a new bucket: %v %+v", err, v)
	}
	if a := rawS3(t, "GET", url+"/vers?versioning", "", nil); strings.TrimSpace(a.body) != xml.Header+`<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></VersioningConfiguration>` {
		t.Fatalf("GetBucketVersioning's document: %s", a.body)
	}
	for _, st := range []types.BucketVersioningStatus{types.BucketVersioningStatusEnabled, types.BucketVersioningStatusSuspended} {
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: st}})
		apiCode(t, "versioning "+string(st), err, 501, "NotImplemented")
	}
	if a := rawS3(t, "PUT", url+"/vers?versioning", "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>", nil); a.status != 400 || a.code != "MalformedXML" {
		t.Fatalf("a bad versioning status: %d %s", a.status, a.body)
	}
	_, err = c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("no-bucket")})
	apiCode(t, "versioning of a missing bucket", err, 404, "NoSuchBucket")

	keys := []string{"a", "a-b", "ab/c", "ab/d/e", "ab/d-f", "b/", "b/c", "c d/é", "z"}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(k), Body: strings.NewReader("")}); err != nil {
			t.Fatal(err)
		}
	}
	// ListObjectVersions pages like ListObjects, every object its one
	// version "null".
	for _, prefix := range []string{"", "a", "ab/", "b/"} {
		for _, delim := range []string{"", "/", "-"} {
			for _, max := range []int{1, 2, 1000} {
				var got []string
				km, vm := "", ""
				for range 50 {
					in := &s3.ListObjectVersionsInput{Bucket: b, Prefix: aws.String(prefix), MaxKeys: aws.Int32(int32(max))}
					if delim != "" {
						in.Delimiter = aws.String(delim)
					}
					if km != "" {
						in.KeyMarker = aws.String(km)
					}
					if vm != "" {
						in.VersionIdMarker = aws.String(vm)
					}
					out, err := c.ListObjectVersions(ctx, in)
					if err != nil {
						t.Fatal(err)
					}
					var page []string
					for _, o := range out.Versions {
						if aws.ToString(o.VersionId) != "null" || !aws.ToBool(o.IsLatest) || aws.ToString(o.Owner.ID) != "tester" {
							t.Fatalf("version %+v", o)
						}
						page = append(page, aws.ToString(o.Key))
					}
					for _, p := range out.CommonPrefixes {
						page = append(page, aws.ToString(p.Prefix)+" (prefix)")
					}
					if len(out.DeleteMarkers) != 0 || len(page) > max {
						t.Fatalf("a page of %d entries and %d delete markers", len(page), len(out.DeleteMarkers))
					}
					slices.SortFunc(page, func(x, y string) int {
						return strings.Compare(strings.TrimSuffix(x, " (prefix)"), strings.TrimSuffix(y, " (prefix)"))
					})
					got = append(got, page...)
					if !aws.ToBool(out.IsTruncated) {
						break
					}
					km, vm = aws.ToString(out.NextKeyMarker), aws.ToString(out.NextVersionIdMarker)
				}
				want, _ := modelList(keys, prefix, delim, "", 1<<30)
				if !slices.Equal(got, want) {
					t.Errorf("versions of prefix %q delim %q max %d:\n got %q\nwant %q", prefix, delim, max, got, want)
				}
			}
		}
	}
	if a := rawS3(t, "GET", url+"/vers?versions&version-id-marker=null", "", nil); a.status != 400 || a.code != "InvalidArgument" {
		t.Fatalf("a version marker without a key marker: %d %s", a.status, a.body)
	}
	if a := rawS3(t, "GET", url+"/vers?versions&key-marker=a&version-id-marker=bad", "", nil); a.status != 400 || a.code != "InvalidArgument" {
		t.Fatalf("a malformed version marker: %d %s", a.status, a.body)
	}

	// versionId=null is the object; other ids name no version.
	other := "3sL4kqtJlcpXroDTDmJ-rmSpXd3dIbrH"
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("a"), VersionId: aws.String("null")})
	if err != nil || aws.ToString(out.VersionId) != "null" {
		t.Fatalf("GET of version null: %v", err)
	}
	out.Body.Close()
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("a"), VersionId: aws.String(other)})
	apiCode(t, "GET of another version", err, 404, "NoSuchVersion")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("missing"), VersionId: aws.String("null")})
	apiCode(t, "GET of version null of a missing key", err, 404, "NoSuchVersion")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("a"), VersionId: aws.String("nope")})
	apiCode(t, "GET of a malformed version", err, 400, "InvalidArgument")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-bucket"), Key: aws.String("a"), VersionId: aws.String(other)})
	apiCode(t, "GET of a version in a missing bucket", err, 404, "NoSuchBucket")
	if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("a"), VersionId: aws.String("null")}); err != nil || aws.ToString(h.VersionId) != "null" {
		t.Fatalf("HEAD of version null: %v", err)
	}
	if _, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("a"), VersionId: aws.String("null")}); err != nil {
		t.Fatalf("tags of version null: %v", err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy"), CopySource: aws.String("vers/a?versionId=" + other)})
	apiCode(t, "copy of another version", err, 404, "NoSuchVersion")
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy"), CopySource: aws.String("vers/a?versionId=null")}); err != nil {
		t.Fatalf("copy of version null: %v", err)
	}
	// Deleting another version deletes nothing, as in S3; null deletes
	// the object.
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("a"), VersionId: aws.String(other)})
	if err != nil || aws.ToString(del.VersionId) != other {
		t.Fatalf("delete of another version: %v", err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("a")}); err != nil {
		t.Fatalf("deleting another version removed the object: %v", err)
	}
	if a := rawS3(t, "DELETE", url+"/vers/a?versionId=bad", "", nil); a.status != 400 || a.code != "InvalidArgument" {
		t.Fatalf("delete of a malformed version: %d %s", a.status, a.body)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("a"), VersionId: aws.String("null")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("a")}); err == nil {
		t.Fatal("the null version survived its delete")
	}
	dd, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("z"), VersionId: aws.String("null")}, {Key: aws.String("a-b"), VersionId: aws.String(other)}, {Key: aws.String("b/c"), VersionId: aws.String("bad")}}}})
	if err != nil || len(dd.Deleted) != 2 || len(dd.Errors) != 1 || aws.ToString(dd.Errors[0].Code) != "InvalidArgument" || aws.ToString(dd.Deleted[1].VersionId) != other {
		t.Fatalf("DeleteObjects with versions: %v %+v", err, dd)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("a-b")}); err != nil {
		t.Fatalf("DeleteObjects of another version removed the object: %v", err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("z")}); err == nil {
		t.Fatal("DeleteObjects of version null kept the object")
	}
}
