package proxy

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/alluxio-go/alluxio/client"
)

// Permissions here are the namespace's POSIX modes, checked by the master
// for the access key's user; S3 ACLs are not kept. Every object and bucket
// shows S3's default ACL, its owner's FULL_CONTROL, and a request for that
// ACL (x-amz-acl: private, a full-control grant to the owner, or that
// policy document) succeeds without a change. Any other ACL is refused
// with NotImplemented naming what it asked, so that no client believes it
// shared or protected something it did not.

const xsiNS = "http://www.w3.org/2001/XMLSchema-instance"

type aclGrantee struct {
	XMLNSXsi    string `xml:"xmlns:xsi,attr"`
	Type        string `xml:"xsi:type,attr"`
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

type aclGrant struct {
	Grantee    aclGrantee `xml:"Grantee"`
	Permission string     `xml:"Permission"`
}

type accessControlPolicy struct {
	XMLName xml.Name   `xml:"AccessControlPolicy"`
	NS      string     `xml:"xmlns,attr"`
	Owner   owner      `xml:"Owner"`
	Grants  []aclGrant `xml:"AccessControlList>Grant"`
}

// aclGranteeIn is a grantee as a client sends it: xsi:type says which of
// the other fields names it.
type aclGranteeIn struct {
	Attrs        []xml.Attr `xml:",any,attr"`
	ID           string     `xml:"ID"`
	URI          string     `xml:"URI"`
	EmailAddress string     `xml:"EmailAddress"`
}

type aclGrantIn struct {
	Grantee    *aclGranteeIn `xml:"Grantee"`
	Permission string        `xml:"Permission"`
}

type accessControlPolicyIn struct {
	XMLName xml.Name     `xml:"AccessControlPolicy"`
	Owner   *owner       `xml:"Owner"`
	Grants  []aclGrantIn `xml:"AccessControlList>Grant"`
}

func errMalformedACL(f string, a ...any) *s3Error { return newErr("MalformedACLError", 400, f, a...) }

// ownerACL is the ACL of everything owned by user.
func ownerACL(user string) accessControlPolicy {
	o := ownerOf(user)
	return accessControlPolicy{NS: s3NS, Owner: o, Grants: []aclGrant{{
		Grantee:    aclGrantee{XMLNSXsi: xsiNS, Type: "CanonicalUser", ID: o.ID, DisplayName: o.DisplayName},
		Permission: "FULL_CONTROL",
	}}}
}

// aclGrantHeaders are the headers that grant a permission.
var aclGrantHeaders = []string{"X-Amz-Grant-Full-Control", "X-Amz-Grant-Read", "X-Amz-Grant-Write", "X-Amz-Grant-Read-Acp", "X-Amz-Grant-Write-Acp"}

// cannedACLs are the canned ACLs S3 knows: one of them that is not served
// here is NotImplemented, anything else a bad argument.
var cannedACLs = map[string]bool{"private": true, "public-read": true, "public-read-write": true,
	"authenticated-read": true, "aws-exec-read": true, "bucket-owner-read": true,
	"bucket-owner-full-control": true, "log-delivery-write": true}

// checkACLHeaders checks the ACL a request's headers ask for, for
// something the user ownerID owns (or will): none, x-amz-acl: private and
// x-amz-grant-full-control naming only the owner are what it has; given
// says whether the headers asked for any. For an object, bucketOwner
// finds its bucket's owner: the canned ACLs that grant the bucket's owner
// access (which tools that write into shared buckets send) are what it has
// too when its owner owns the bucket. For a bucket, bucketOwner is nil.
func checkACLHeaders(h http.Header, ownerID string, bucketOwner func() (string, *s3Error)) (given bool, e *s3Error) {
	if v := h.Get("X-Amz-Acl"); v != "" {
		given = true
		switch {
		case v == "private":
		case (v == "bucket-owner-full-control" || v == "bucket-owner-read") && bucketOwner != nil:
			owner, e := bucketOwner()
			if e != nil {
				return true, e
			}
			if owner != ownerID {
				return true, errNotImplemented("the canned ACL %q is not supported for an object of a bucket %q does not own: permissions are POSIX modes here, and only the object's owner %q has a grant", v, ownerID, ownerID)
			}
		case !cannedACLs[v]:
			return true, errInvalidArgument("%q is not a canned ACL", v).with("ArgumentName", "x-amz-acl", "ArgumentValue", v)
		default:
			return true, errNotImplemented("the canned ACL %q is not supported: permissions are POSIX modes here, and every object and bucket has the private ACL (its owner's FULL_CONTROL)", v)
		}
	}
	for _, name := range aclGrantHeaders {
		v := h.Get(name)
		if v == "" {
			continue
		}
		given = true
		if name != "X-Amz-Grant-Full-Control" {
			return true, errNotImplemented("%s is not supported: permissions are POSIX modes here, and only the owner's FULL_CONTROL can be granted", name)
		}
		for _, g := range strings.Split(v, ",") {
			kind, who, _ := strings.Cut(strings.TrimSpace(g), "=")
			if !strings.EqualFold(kind, "id") || strings.Trim(who, `"`) != ownerID {
				return true, errNotImplemented("granting FULL_CONTROL to %s is not supported: only the owner %q has it", strings.TrimSpace(g), ownerID)
			}
		}
	}
	return given, nil
}

// checkACLBody checks an AccessControlPolicy a client sends for something
// ownerID owns: only the owner's FULL_CONTROL is accepted.
func checkACLBody(doc *accessControlPolicyIn, ownerID string) *s3Error {
	if doc.Owner != nil && doc.Owner.ID != "" && doc.Owner.ID != ownerID {
		return errNotImplemented("the ACL names the owner %q, but the owner is %q: ownership does not change through ACLs", doc.Owner.ID, ownerID)
	}
	if len(doc.Grants) == 0 {
		return errNotImplemented("an ACL without grants is not supported: the owner %q keeps FULL_CONTROL", ownerID)
	}
	for _, g := range doc.Grants {
		switch g.Permission {
		case "FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP":
		default:
			return errMalformedACL("the permission %q is not one of FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP", g.Permission)
		}
		if g.Grantee == nil {
			return errMalformedACL("a grant has no Grantee")
		}
		typ := ""
		for _, a := range g.Grantee.Attrs {
			if a.Name.Local == "type" {
				typ = a.Value
			}
		}
		who := ""
		switch typ {
		case "CanonicalUser":
			who = "the user " + g.Grantee.ID
		case "Group":
			who = "the group " + g.Grantee.URI
		case "AmazonCustomerByEmail":
			who = "the user with email " + g.Grantee.EmailAddress
		default:
			return errMalformedACL("the grantee type %q is not CanonicalUser, Group or AmazonCustomerByEmail", typ)
		}
		if typ != "CanonicalUser" || g.Grantee.ID != ownerID || g.Permission != "FULL_CONTROL" {
			return errNotImplemented("granting %s to %s is not supported: permissions are POSIX modes here, and only the owner %q has a grant (FULL_CONTROL)", g.Permission, who, ownerID)
		}
	}
	return nil
}

// acl answers GetBucketAcl, GetObjectAcl, PutBucketAcl and PutObjectAcl
// for fi, the bucket's folder or the object's file (bucketOwner as for
// checkACLHeaders).
func (s *Server) acl(req *request, fi *client.FileInfo, bucketOwner func() (string, *s3Error)) *s3Error {
	switch req.r.Method {
	case http.MethodGet:
		writeXML(req.w, ownerACL(fi.Owner))
		return nil
	case http.MethodPut:
	default:
		return errMethodNotAllowed("%s is not allowed on ?acl", req.r.Method)
	}
	given, e := checkACLHeaders(req.r.Header, fi.Owner, bucketOwner)
	if e != nil {
		return e
	}
	var doc accessControlPolicyIn
	body, e := readSmallBody(req)
	if e != nil {
		return e
	}
	switch {
	case len(body) > 0 && given:
		return errInvalidRequest("an ACL is given by headers or by a body, not both")
	case len(body) > 0:
		if err := xml.Unmarshal(body, &doc); err != nil {
			return errMalformedACL("the XML you provided was not well-formed or did not validate against our published schema: %v", err)
		}
		if e := checkACLBody(&doc, fi.Owner); e != nil {
			return e
		}
	case !given:
		return errMalformedACL("the request names no ACL: send x-amz-acl, an x-amz-grant-* header or an AccessControlPolicy")
	}
	req.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) bucketACL(req *request) *s3Error {
	fi, e := s.statBucket(req, req.bucket)
	if e != nil {
		return e
	}
	return s.acl(req, fi, nil)
}

func (s *Server) objectACL(req *request) *s3Error {
	fi, e := s.statVersion(req)
	if e != nil {
		return e
	}
	return s.acl(req, fi, s.bucketOwner(req))
}

// bucketOwner finds the owner of req's bucket when asked.
func (s *Server) bucketOwner(req *request) func() (string, *s3Error) {
	return func() (string, *s3Error) {
		fi, e := s.statBucket(req, req.bucket)
		if e != nil {
			return "", e
		}
		return fi.Owner, nil
	}
}

// checkExpectedOwners refuses a request whose x-amz-expected-bucket-owner
// (or x-amz-source-expected-bucket-owner, for a copy's source) names
// another owner than the bucket's: S3's guard against writing into, or
// copying from, a bucket that changed hands. Owners are Alluxio users
// here, as account ids are in S3.
func (s *Server) checkExpectedOwners(req *request) *s3Error {
	check := func(header, bucket string) *s3Error {
		want := req.r.Header.Get(header)
		if want == "" || bucket == "" {
			return nil
		}
		fi, e := s.statBucket(req, bucket)
		if e != nil {
			return e
		}
		if fi.Owner != want {
			return errAccessDenied("Access Denied").with("ExpectedBucketOwner", want)
		}
		return nil
	}
	if e := check("X-Amz-Expected-Bucket-Owner", req.bucket); e != nil {
		return e
	}
	if src := req.r.Header.Get("X-Amz-Copy-Source"); src != "" {
		if b, _, e := copySource(src); e == nil {
			return check("X-Amz-Source-Expected-Bucket-Owner", b)
		}
	}
	return nil
}
