package proxy

import (
	"encoding/xml"
	"net/http"
	"net/url"
)

// Bucket configurations this proxy does not keep (policies, lifecycle,
// encryption, ...): every bucket has none, and reading one says so as S3
// says it of a bucket without one, rather than NotImplemented, since tools
// that inspect buckets (the aws CLI, Terraform, consoles) read them all.
// Deleting one is the no-op it is. Setting one stays NotImplemented
// (checkQuery and bucketOp), so nobody believes a rule is in force.

// unsetConfig is how S3 answers a read of a configuration a bucket lacks:
// a 404 with code, or 200 with an empty document (doc).
type unsetConfig struct {
	code, message string
	doc           any
}

// emptyConfig is a configuration document with nothing in it.
type emptyConfig struct {
	XMLName xml.Name
	NS      string `xml:"xmlns,attr"`
}

func empty(root string) emptyConfig { return emptyConfig{XMLName: xml.Name{Local: root}, NS: s3NS} }

type ownerPays struct {
	XMLName xml.Name `xml:"RequestPaymentConfiguration"`
	NS      string   `xml:"xmlns,attr"`
	Payer   string
}

var unsetConfigs = map[string]unsetConfig{
	"policy":            {code: "NoSuchBucketPolicy", message: "The bucket policy does not exist"},
	"policyStatus":      {code: "NoSuchBucketPolicy", message: "The bucket policy does not exist"},
	"lifecycle":         {code: "NoSuchLifecycleConfiguration", message: "The lifecycle configuration does not exist"},
	"encryption":        {code: "ServerSideEncryptionConfigurationNotFoundError", message: "The server side encryption configuration was not found"},
	"website":           {code: "NoSuchWebsiteConfiguration", message: "The specified bucket does not have a website configuration"},
	"replication":       {code: "ReplicationConfigurationNotFoundError", message: "The replication configuration was not found"},
	"object-lock":       {code: "ObjectLockConfigurationNotFoundError", message: "Object Lock configuration does not exist for this bucket"},
	"publicAccessBlock": {code: "NoSuchPublicAccessBlockConfiguration", message: "The public access block configuration was not found"},
	"ownershipControls": {code: "OwnershipControlsNotFoundError", message: "The bucket ownership controls were not found"},
	"logging":           {doc: empty("BucketLoggingStatus")},
	"requestPayment":    {doc: ownerPays{NS: s3NS, Payer: "BucketOwner"}},
	"accelerate":        {doc: empty("AccelerateConfiguration")},
	"notification":      {doc: empty("NotificationConfiguration")},
}

// deletable are the configurations whose Delete call S3 has.
var deletable = map[string]bool{"policy": true, "lifecycle": true, "encryption": true, "website": true,
	"replication": true, "publicAccessBlock": true, "ownershipControls": true}

func isUnsetConfig(name string) bool {
	_, ok := unsetConfigs[name]
	return ok
}

// unsetConfigOf is the configuration q names, "" for none.
func unsetConfigOf(q url.Values) string {
	for n := range unsetConfigs {
		if q.Has(n) {
			return n
		}
	}
	return ""
}

// unsetConfig answers a request on the configuration name, which the
// bucket does not have: a read says so, a delete is a no-op, anything
// else (setting it) is NotImplemented.
func (s *Server) unsetConfig(req *request, name string) *s3Error {
	m := req.r.Method
	if !(m == http.MethodGet || m == http.MethodHead || (m == http.MethodDelete && deletable[name])) {
		return errNotImplemented("%s of the bucket's %s configuration is not implemented", m, name)
	}
	if _, e := s.statBucket(req, req.bucket); e != nil {
		return e
	}
	if m == http.MethodDelete {
		req.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	c := unsetConfigs[name]
	if c.doc == nil {
		return newErr(c.code, http.StatusNotFound, "%s", c.message)
	}
	writeXML(req.w, c.doc)
	return nil
}
